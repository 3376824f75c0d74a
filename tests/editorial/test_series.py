"""Series in the workspace: create, edit, the publication lifecycle (publish now, schedule,
unpublish and archive with confirmation), reordering lectures, concurrent edits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from durus.extensions import db
from durus.models import AuditEntry, Lecture, PublicationState, Role, Series
from tests.editorial.workspace_support import (
    Editor,
    audit_actions,
    send,
    signed_in_editor,
    version_on,
)
from tests.factories import make_lecture, make_scholar, make_series
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")


@pytest.fixture
def editor(client: FlaskClient) -> Editor:
    return signed_in_editor(client)


def draft(editor: Editor, **fields: object) -> Series:
    return make_series(
        scholar_id=editor.scholar.id, state=PublicationState.DRAFT, published_at=None, **fields
    )


def state_form(client: FlaskClient, series: Series, **data: str) -> dict[str, str]:
    page = client.get(f"/editorial/series/{series.id}")
    return {"version": version_on(page.text), **data}


def test_an_editor_creates_a_draft_series_for_a_scholar_in_scope(
    client: FlaskClient, editor: Editor
) -> None:
    path = f"/editorial/scholars/{editor.scholar.id}/series/new"
    assert client.get(path).status_code == 200
    response = send(client, path, {"title": "Kitāb at-Tawḥīd", "language_code": "en"})
    assert response.status_code == 303
    series = db.session.scalar(select(Series).where(Series.scholar_id == editor.scholar.id))
    assert series is not None and series.state is PublicationState.DRAFT
    assert series.slug == "kitab-at-tawhid"
    assert response.headers["Location"] == f"/editorial/series/{series.id}"
    assert audit_actions("series", series.id) == ["series.created"]
    assert client.get(f"/series/{series.slug}").status_code == 404  # a draft is not public


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"language_code": "en"}, "Enter a title."),
        ({"title": "T"}, "Choose the language."),
        ({"title": "T", "language_code": "zz"}, "Not a valid choice"),
        ({"title": "T", "language_code": "en", "slug": "bad slug"}, "Use lower-case letters"),
    ],
)
def test_invalid_series_forms_answer_422(
    client: FlaskClient, editor: Editor, data: dict[str, str], message: str
) -> None:
    response = send(client, f"/editorial/scholars/{editor.scholar.id}/series/new", data)
    assert response.status_code == 422
    assert message in response.text


def test_an_editor_cannot_create_series_for_a_scholar_outside_scope(
    client: FlaskClient, editor: Editor
) -> None:
    other = make_scholar()
    response = send(client, f"/editorial/scholars/{other.id}/series/new", {"title": "T"})
    assert response.status_code == 403
    assert db.session.scalar(select(Series).where(Series.scholar_id == other.id)) is None


def test_the_slug_is_checked_as_one_types(client: FlaskClient, editor: Editor) -> None:
    make_series(slug="taken-slug")
    path = f"/editorial/scholars/{editor.scholar.id}/series/slug-check"
    taken = client.get(path, query_string={"slug": "taken-slug"}, headers={"HX-Request": "true"})
    assert taken.status_code == 200
    assert "This address is taken" in taken.text and "<html" not in taken.text
    free = client.get(path, query_string={"slug": "free-slug"}, headers={"HX-Request": "true"})
    assert "This address is taken" not in free.text and 'id="slug-field"' in free.text
    bad = client.get(path, query_string={"slug": "Bad Slug"})
    assert "Use lower-case letters" in bad.text


def test_editing_a_series_keeps_its_own_slug_and_audits(
    client: FlaskClient, editor: Editor
) -> None:
    series = draft(editor)
    data = state_form(client, series, title="New title", language_code="ar", slug=series.slug)
    assert send(client, f"/editorial/series/{series.id}", data).status_code == 303
    db.session.refresh(series)
    assert (series.title, series.language_code) == ("New title", "ar")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == series.id))
    assert entry is not None and entry.before["title"] != entry.after["title"] == "New title"


def test_a_second_save_on_a_changed_series_is_refused(client: FlaskClient, editor: Editor) -> None:
    series = draft(editor, title="Original")
    stale = state_form(client, series)["version"]
    other = make_account(role=Role.ADMIN, display_name="Other Editor")
    db.session.add(
        AuditEntry(action="series.updated", entity_type="series", entity_id=series.id,
                   actor_id=other.id)
    )  # fmt: skip
    db.session.execute(
        update(Series)
        .where(Series.id == series.id)
        .values(title="Theirs", updated_at=series.updated_at + timedelta(seconds=5))
    )
    db.session.expire_all()
    data = {"title": "Mine", "language_code": "en", "version": stale}
    response = send(client, f"/editorial/series/{series.id}", data)
    assert response.status_code == 422
    assert "changed by Other Editor at" in response.text
    assert db.session.get(Series, series.id).title == "Theirs"  # type: ignore[union-attr]
    # a transition with the stale version is refused too
    moved = send(
        client, f"/editorial/series/{series.id}/state", {"target": "published", "version": stale}
    )
    assert moved.status_code == 422
    assert db.session.get(Series, series.id).state is PublicationState.DRAFT  # type: ignore[union-attr]


def test_publish_now_makes_it_visible(client: FlaskClient, editor: Editor) -> None:
    series = draft(editor)
    page = client.get(f"/editorial/series/{series.id}")
    assert "Publish now" in page.text and "Unpublish" not in page.text
    response = send(client, f"/editorial/series/{series.id}/state", state_form(
        client, series, target="published"))  # fmt: skip
    assert response.status_code == 303
    db.session.refresh(series)
    assert series.state is PublicationState.PUBLISHED
    assert audit_actions("series", series.id) == ["series.published"]


def test_a_scheduled_series_is_invisible_until_its_time(
    client: FlaskClient, editor: Editor
) -> None:
    series = draft(editor)
    moment = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = state_form(client, series, target="published", publish_at=moment)
    response = send(client, f"/editorial/series/{series.id}/state", data)
    assert response.status_code == 303
    db.session.refresh(series)
    assert series.state is PublicationState.PUBLISHED and series.published_at > datetime.now(UTC)
    assert audit_actions("series", series.id) == ["series.scheduled"]
    listener = client.application.test_client()
    assert listener.get(f"/series/{series.slug}").status_code == 404
    assert "scheduled" in client.get(f"/editorial/series/{series.id}").text
    # time passes: the visibility rule compares with now, no job runs
    db.session.execute(
        update(Series)
        .where(Series.id == series.id)
        .values(published_at=datetime.now(UTC) - timedelta(hours=1))
    )
    assert listener.get(f"/series/{series.slug}").status_code == 200


def test_a_schedule_in_the_past_is_refused(client: FlaskClient, editor: Editor) -> None:
    series = draft(editor)
    data = state_form(client, series, target="published", publish_at="2001-01-01T10:00")
    response = send(client, f"/editorial/series/{series.id}/state", data)
    assert response.status_code == 422
    assert "Choose a moment in the future" in response.text


def test_unpublishing_a_visible_series_asks_for_confirmation(
    client: FlaskClient, editor: Editor
) -> None:
    series = make_series(scholar_id=editor.scholar.id)
    page = client.get(f"/editorial/series/{series.id}")
    assert "hx-confirm=" in page.text and "Unpublish" in page.text and "Archive" in page.text
    assert "Publish now" not in page.text
    path = f"/editorial/series/{series.id}/state"
    data = state_form(client, series, target="draft")
    confirm = send(client, path, data)
    assert confirm.status_code == 200
    assert 'name="confirm" value="y"' in confirm.text
    db.session.refresh(series)
    assert series.state is PublicationState.PUBLISHED  # nothing changed yet
    assert send(client, path, data | {"confirm": "y"}).status_code == 303
    db.session.refresh(series)
    assert series.state is PublicationState.DRAFT
    assert client.application.test_client().get(f"/series/{series.slug}").status_code == 404
    assert audit_actions("series", series.id) == ["series.unpublished"]


def test_archive_then_restore_and_refused_transitions(client: FlaskClient, editor: Editor) -> None:
    series = make_series(scholar_id=editor.scholar.id)
    path = f"/editorial/series/{series.id}/state"
    data = state_form(client, series, target="archived", confirm="y")
    assert send(client, path, data).status_code == 303
    db.session.refresh(series)
    assert series.state is PublicationState.ARCHIVED
    page = client.get(f"/editorial/series/{series.id}")
    assert "Restore as draft" in page.text and "Publish now" not in page.text
    refused = send(client, path, state_form(client, series, target="published"))
    assert refused.status_code == 422
    assert "cannot become published" in refused.text
    assert send(client, path, state_form(client, series, target="draft")).status_code == 303
    assert audit_actions("series", series.id) == ["series.archived", "series.unpublished"]


def test_no_confirmation_for_a_draft_nobody_sees(client: FlaskClient, editor: Editor) -> None:
    series = draft(editor)
    data = state_form(client, series, target="archived")
    assert send(client, f"/editorial/series/{series.id}/state", data).status_code == 303


# Ordering


def three_lectures(editor: Editor) -> tuple[Series, list[Lecture]]:
    series = draft(editor)
    lectures = [
        make_lecture(series=series, position=n, title=f"Part {n}", state=PublicationState.DRAFT,
                     published_at=None)
        for n in (1, 2, 3)
    ]  # fmt: skip
    return series, lectures


def order(series: Series) -> list[str]:
    rows = db.session.execute(
        select(Lecture.title, Lecture.position)
        .where(Lecture.series_id == series.id)
        .order_by(Lecture.position)
    ).all()
    assert [p for _, p in rows] == list(range(1, len(rows) + 1))  # contiguous 1..n
    return [t for t, _ in rows]


def test_the_series_page_lists_its_lectures_in_order(client: FlaskClient, editor: Editor) -> None:
    series, _ = three_lectures(editor)
    text = client.get(f"/editorial/series/{series.id}").text
    assert text.index("Part 1") < text.index("Part 2") < text.index("Part 3")


def test_move_up_down_and_to_a_position(client: FlaskClient, editor: Editor) -> None:
    series, (one, two, three) = three_lectures(editor)
    base = f"/editorial/series/{series.id}/lectures"
    htmx = {"HX-Request": "true"}
    response = send(client, f"{base}/{three.id}/move", {"direction": "up"}, headers=htmx)
    assert response.status_code == 200
    assert "<html" not in response.text and response.headers["HX-Trigger"] == "lectures-reordered"
    assert response.text.index("Part 3") < response.text.index("Part 2")
    assert order(series) == ["Part 1", "Part 3", "Part 2"]
    assert send(client, f"{base}/{one.id}/move", {"direction": "down"}).status_code == 303
    assert order(series) == ["Part 3", "Part 1", "Part 2"]
    assert send(client, f"{base}/{two.id}/move", {"position": "1"}).status_code == 303
    assert order(series) == ["Part 2", "Part 3", "Part 1"]
    assert send(client, f"{base}/{two.id}/move", {"position": "99"}).status_code == 303
    assert order(series) == ["Part 3", "Part 1", "Part 2"]
    # the first moving up changes nothing and records nothing
    assert send(client, f"{base}/{three.id}/move", {"direction": "up"}).status_code == 303
    assert audit_actions("series", series.id) == ["series.reordered"] * 4


def test_a_reorder_is_audited_with_before_and_after(client: FlaskClient, editor: Editor) -> None:
    series, (one, two, three) = three_lectures(editor)
    send(client, f"/editorial/series/{series.id}/lectures/{one.id}/move", {"position": "3"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == series.id))
    assert entry is not None and entry.actor_id == editor.user.id
    assert entry.before["order"] == [str(one.id), str(two.id), str(three.id)]
    assert entry.after["order"] == [str(two.id), str(three.id), str(one.id)]


def test_gaps_in_positions_are_closed_by_a_move(client: FlaskClient, editor: Editor) -> None:
    series = draft(editor)
    a = make_lecture(series=series, position=4, title="A")
    make_lecture(series=series, position=9, title="B")
    send(client, f"/editorial/series/{series.id}/lectures/{a.id}/move", {"direction": "down"})
    assert order(series) == ["B", "A"]


@pytest.mark.parametrize("data", [{}, {"position": "0"}, {"position": "x"}, {"direction": "left"}])
def test_invalid_moves_answer_422(
    client: FlaskClient, editor: Editor, data: dict[str, str]
) -> None:
    series, (one, *_) = three_lectures(editor)
    response = send(
        client, f"/editorial/series/{series.id}/lectures/{one.id}/move", data,
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert order(series) == ["Part 1", "Part 2", "Part 3"]


def test_moving_a_lecture_of_another_series_is_refused(client: FlaskClient, editor: Editor) -> None:
    series, _ = three_lectures(editor)
    stranger = make_lecture(series=draft(editor), position=1)
    response = send(
        client, f"/editorial/series/{series.id}/lectures/{stranger.id}/move", {"position": "1"}
    )
    assert response.status_code == 422
    assert "not in this series" in response.text


def test_an_admin_may_edit_any_series(client: FlaskClient) -> None:
    sign_in(client, make_account(role=Role.ADMIN))
    series = make_series()
    assert client.get(f"/editorial/series/{series.id}").status_code == 200
