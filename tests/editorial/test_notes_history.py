"""Editorial notes (beside the item in the workspace, never on listener pages) and history
pages (every step, with who and when)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from durus.extensions import db
from durus.models import AuditEntry, EditorialNote, Role, Scholar
from tests.editorial.workspace_support import audit_actions, send, signed_in_editor, version_on
from tests.factories import make_lecture, make_series
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")
NOTE = "Audio quality poor from 12:00"


@pytest.mark.parametrize("kind", ["scholar", "series", "lecture"])
def test_a_note_is_added_shown_beside_the_item_and_deleted(client: FlaskClient, kind: str) -> None:
    editor = signed_in_editor(client)
    series = make_series(scholar_id=editor.scholar.id)
    lecture = make_lecture(series=series, position=1)
    item_id = {"scholar": editor.scholar.id, "series": series.id, "lecture": lecture.id}[kind]
    plural = "series" if kind == "series" else f"{kind}s"
    response = send(client, f"/editorial/{plural}/{item_id}/notes", {"body": NOTE})
    assert response.status_code == 303
    note = db.session.scalar(select(EditorialNote).where(EditorialNote.body == NOTE))
    assert note is not None and getattr(note, f"{kind}_id") == item_id
    assert note.author_id == editor.user.id
    page = client.get(response.headers["Location"])
    assert NOTE in page.text
    deleted = send(client, f"/editorial/notes/{note.id}/delete", {"confirm": "yes"})
    assert deleted.status_code == 303
    assert db.session.scalar(select(EditorialNote.id).where(EditorialNote.body == NOTE)) is None
    assert audit_actions(kind, item_id) == ["note.added", "note.deleted"]


def test_notes_with_htmx_return_the_panel(client: FlaskClient) -> None:
    editor = signed_in_editor(client)
    path = f"/editorial/scholars/{editor.scholar.id}/notes"
    htmx = {"HX-Request": "true"}
    response = send(client, path, {"body": NOTE}, headers=htmx)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "notes-changed"
    assert NOTE in response.text and 'id="editorial-notes"' in response.text
    assert "<html" not in response.text
    empty = send(client, path, {"body": "  "}, headers=htmx)
    assert empty.status_code == 422 and "Write the note." in empty.text


def test_a_note_cannot_be_deleted_without_confirmation_or_out_of_scope(
    client: FlaskClient,
) -> None:
    editor = signed_in_editor(client)
    mine = EditorialNote(scholar_id=editor.scholar.id, body=NOTE)
    theirs = EditorialNote(series_id=make_series().id, body="Not yours")
    db.session.add_all([mine, theirs])
    db.session.flush()
    assert send(client, f"/editorial/notes/{mine.id}/delete").status_code == 422
    assert (
        send(client, f"/editorial/notes/{theirs.id}/delete", {"confirm": "yes"}).status_code == 403
    )
    assert db.session.get(EditorialNote, mine.id) is not None
    assert db.session.get(EditorialNote, theirs.id) is not None


def test_notes_never_reach_listener_pages(client: FlaskClient) -> None:
    series = make_series()
    lecture = make_lecture(series=series, position=1)
    db.session.add_all(
        [
            EditorialNote(scholar_id=series.scholar_id, body="SECRET scholar note"),
            EditorialNote(series_id=series.id, body="SECRET series note"),
            EditorialNote(lecture_id=lecture.id, body="SECRET lecture note"),
        ]
    )
    db.session.flush()
    scholar_slug = db.session.scalar(select(Scholar.slug).where(Scholar.id == series.scholar_id))
    listener = client.application.test_client()
    sign_in(listener, make_account())
    for path in (
        f"/series/{series.slug}",
        f"/lectures/{lecture.slug}",
        f"/scholars/{scholar_slug}",
        "/",
        f"/search?q={lecture.title}",
        f"/series/{series.slug}/feed.xml",
    ):
        response = listener.get(path)
        assert "SECRET" not in response.text, path
        response.close()


def test_the_history_page_shows_each_step_with_who_and_when(client: FlaskClient) -> None:
    editor = signed_in_editor(client, display_name="Editor Aisha")
    path = f"/editorial/scholars/{editor.scholar.id}/series/new"
    send(client, path, {"title": "Forty Hadith", "language_code": "en"})
    series_id = db.session.scalar(
        select(AuditEntry.entity_id).where(AuditEntry.action == "series.created")
    )
    page = client.get(f"/editorial/series/{series_id}")
    data = {"title": "The Forty Hadith", "language_code": "en", "version": version_on(page.text)}
    send(client, f"/editorial/series/{series_id}", data)
    page = client.get(f"/editorial/series/{series_id}")
    send(
        client, f"/editorial/series/{series_id}/state",
        {"target": "published", "version": version_on(page.text)},
    )  # fmt: skip
    history = client.get(f"/editorial/series/{series_id}/history")
    assert history.status_code == 200
    text = history.text
    for action in ("series.created", "series.updated", "series.published"):
        assert action in text
    assert text.count("Editor Aisha") >= 3
    assert 'Forty Hadith</span> → <span dir="auto">The Forty Hadith' in text
    assert 'draft</span> → <span dir="auto">published' in text
    assert "<time datetime=" in text


def test_history_pages_exist_for_scholars_and_lectures(client: FlaskClient) -> None:
    sign_in(client, make_account(role=Role.ADMIN, display_name="Admin Omar"))
    lecture = make_lecture()
    db.session.add(
        AuditEntry(action="lecture.published", entity_type="lecture", entity_id=lecture.id,
                   before={"state": "draft"}, after={"state": "published"})
    )  # fmt: skip
    db.session.flush()
    text = client.get(f"/editorial/lectures/{lecture.id}/history").text
    assert "lecture.published" in text
    scholar_page = client.get(f"/editorial/scholars/{lecture.scholar_id}/history")
    assert scholar_page.status_code == 200 and "No recorded changes yet" in scholar_page.text


def test_history_is_paginated(client: FlaskClient) -> None:
    sign_in(client, make_account(role=Role.ADMIN))
    series = make_series()
    db.session.add_all(
        AuditEntry(action=f"series.step{n}", entity_type="series", entity_id=series.id)
        for n in range(55)
    )
    db.session.flush()
    first = client.get(f"/editorial/series/{series.id}/history")
    assert first.text.count('class="history-entry"') == 50
    assert "Older entries" in first.text
    cursor = first.text.split("after=")[1].split('"')[0]
    more = client.get(
        f"/editorial/series/{series.id}/history?after={cursor}", headers={"HX-Request": "true"}
    )
    assert more.text.count('class="history-entry"') == 5 and "<html" not in more.text
    assert client.get(f"/editorial/series/{series.id}/history?after=bad").status_code == 400
