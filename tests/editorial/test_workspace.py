"""The workspace: an editor's scholars, drafts, scheduled and recent items, search and
filters, in a bounded number of queries; administrators see everything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from durus.extensions import db
from durus.models import EditorScope, PublicationState, Role
from tests.editorial.workspace_support import signed_in_editor
from tests.factories import make_lecture, make_scholar, make_series
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")
DRAFT = {"state": PublicationState.DRAFT, "published_at": None}


def results(html: str) -> str:
    """The lists of the page (not the filter options above them)."""
    return html.split('id="workspace-results"')[1]


def test_an_editor_sees_only_the_scholars_in_scope(client: FlaskClient) -> None:
    editor = signed_in_editor(client)
    make_series(scholar_id=editor.scholar.id, title="Mine in draft", **DRAFT)
    other = make_scholar(name="Someone Else")
    make_series(scholar_id=other.id, title="Not mine", **DRAFT)
    page = client.get("/editorial")
    assert page.status_code == 200
    assert editor.scholar.name in page.text and "Mine in draft" in page.text
    assert "Someone Else" not in page.text and "Not mine" not in page.text
    assert "Add a scholar" not in page.text


def test_drafts_scheduled_and_recent_sections(client: FlaskClient) -> None:
    editor = signed_in_editor(client)
    later = datetime.now(UTC) + timedelta(days=1)
    make_series(scholar_id=editor.scholar.id, title="A draft", **DRAFT)
    make_series(scholar_id=editor.scholar.id, title="Coming soon", published_at=later)
    make_lecture(scholar_id=editor.scholar.id, title="Live lecture")
    text = results(client.get("/editorial").text)
    drafts, scheduled, recent = (text.index(h) for h in ("Drafts", "Scheduled", "Recently"))
    assert drafts < text.index("A draft") < scheduled < text.index("Coming soon") < recent
    assert text.index("Live lecture") > recent


def test_search_and_filters(client: FlaskClient) -> None:
    editor = signed_in_editor(client)
    series = make_series(scholar_id=editor.scholar.id, title="Usul al-Fiqh", **DRAFT)
    make_series(scholar_id=editor.scholar.id, title="Tafsir", **DRAFT)
    make_lecture(series=series, title="Usul lesson one", position=1)
    make_lecture(scholar_id=editor.scholar.id, title="Unrelated talk")
    found = results(client.get("/editorial", query_string={"q": "usul"}).text)
    assert "Usul al-Fiqh" in found and "Usul lesson one" in found
    assert "Tafsir" not in found and "Unrelated talk" not in found
    drafts = results(client.get("/editorial", query_string={"state": "draft"}).text)
    assert "Tafsir" in drafts and "Unrelated talk" not in drafts
    in_series = results(client.get("/editorial", query_string={"series": str(series.id)}).text)
    assert "Usul lesson one" in in_series and "Unrelated talk" not in in_series
    odd = client.get("/editorial", query_string={"state": "nonsense", "scholar": "not-a-uuid"})
    assert odd.status_code == 200


def test_search_as_fragment_and_as_page(client: FlaskClient) -> None:
    signed_in_editor(client)
    fragment = client.get("/editorial?q=x", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Results" in fragment.text and "HX-Request" in fragment.headers["Vary"]
    assert "<html" in client.get("/editorial?q=x").text


def test_an_admin_sees_every_scholar(client: FlaskClient) -> None:
    sign_in(client, make_account(role=Role.ADMIN))
    scholar = make_scholar(name="Anyone At All")
    text = client.get("/editorial").text
    assert "Anyone At All" in text and "Add a scholar" in text
    assert f"/editorial/scholars/{scholar.id}" in text


def test_the_nav_links_to_the_workspace_for_editors_only(client: FlaskClient) -> None:
    listener = client.application.test_client()
    sign_in(listener, make_account())
    assert 'href="/editorial"' not in listener.get("/").text
    signed_in_editor(client)
    assert 'href="/editorial"' in client.get("/").text


def test_the_workspace_needs_a_bounded_number_of_queries(
    client: FlaskClient, count_queries: Callable[[], Any]
) -> None:
    editor = signed_in_editor(client)

    def queries_for_page() -> int:
        with count_queries() as statements:
            assert client.get("/editorial").status_code == 200
        return len(statements)

    later = datetime.now(UTC) + timedelta(days=1)
    scheduled = make_series(scholar_id=editor.scholar.id, published_at=later)
    make_lecture(series=scheduled, position=1, published_at=later)
    make_lecture(series=make_series(scholar_id=editor.scholar.id, **DRAFT), position=1, **DRAFT)
    few = queries_for_page()
    # the user, their scope, scholars, series choices, then the ids and the rows of series
    # and of lectures
    assert few == 8
    for _ in range(8):
        series = make_series(scholar_id=editor.scholar.id, **DRAFT)
        for position in (1, 2):
            make_lecture(series=series, position=position, **DRAFT)
        scholar = make_scholar()
        db.session.add(EditorScope(user_id=editor.user.id, scholar_id=scholar.id))
        make_series(scholar_id=scholar.id, published_at=later)
    assert queries_for_page() == few
