"""Series preview: the listener's series page for a draft or scheduled series, marked as a
preview, listing the lectures listeners would see once it is published (its published
lectures whose time has come, in order); for editors in scope and administrators only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from durus.models import PublicationState, Role
from tests.editorial.lecture_support import editor_desk
from tests.factories import make_lecture, make_series
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")
DRAFT = {"state": PublicationState.DRAFT, "published_at": None}


def test_a_draft_series_is_previewed_with_its_published_lectures_in_order(
    client: FlaskClient,
) -> None:
    desk = editor_desk(client)
    series = make_series(scholar_id=desk.scholar.id, title="Book of manners", **DRAFT)
    second = make_lecture(series=series, position=2, title="Second lesson")
    first = make_lecture(series=series, position=1, title="First lesson")
    make_lecture(series=series, position=3, title="Unfinished lesson", **DRAFT)
    make_lecture(
        series=series, position=4, title="Later lesson",
        published_at=datetime.now(UTC) + timedelta(days=2),
    )  # fmt: skip
    response = client.get(f"/editorial/series/{series.id}/preview")
    assert response.status_code == 200
    page = response.text
    assert "Draft — preview" in page and "(draft)" in page
    assert 'id="series-title"' in page and "Book of manners" in page  # the listener's page
    assert page.index(first.title) < page.index(second.title)
    assert "Unfinished lesson" not in page and "Later lesson" not in page
    assert "2 lectures" in page
    assert 'name="robots" content="noindex"' in page
    assert client.get(f"/series/{series.slug}").status_code == 404


def test_a_scheduled_series_is_previewed(client: FlaskClient) -> None:
    desk = editor_desk(client)
    series = make_series(
        scholar_id=desk.scholar.id, published_at=datetime.now(UTC) + timedelta(days=1)
    )
    response = client.get(f"/editorial/series/{series.id}/preview")
    assert response.status_code == 200
    assert "(scheduled)" in response.text
    assert "No lecture of this series has been published yet." in response.text
    assert client.get(f"/series/{series.slug}").status_code == 404


def test_the_series_page_links_to_the_preview(client: FlaskClient) -> None:
    desk = editor_desk(client)
    series = make_series(scholar_id=desk.scholar.id, **DRAFT)
    page = client.get(f"/editorial/series/{series.id}").text
    assert f'href="/editorial/series/{series.id}/preview">Preview</a>' in page


def test_an_administrator_may_preview(client: FlaskClient) -> None:
    series = make_series(**DRAFT)
    sign_in(client, make_account(role=Role.ADMIN))
    assert client.get(f"/editorial/series/{series.id}/preview").status_code == 200


def test_listeners_editors_out_of_scope_and_the_anonymous_are_refused(
    client: FlaskClient,
) -> None:
    desk = editor_desk(client)
    series = make_series(scholar_id=desk.scholar.id, **DRAFT)
    path = f"/editorial/series/{series.id}/preview"
    for role in (Role.LISTENER, Role.EDITOR):
        other = client.application.test_client()
        sign_in(other, make_account(role=role))
        assert other.get(path).status_code == 403
    anonymous = client.application.test_client().get(path)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/auth/sign-in")
