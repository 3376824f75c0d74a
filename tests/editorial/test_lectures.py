"""Editing lectures: fields, slugs, series positions, publication, replace audio, deleting
drafts, concurrent edits, and who may do any of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from durus import audit
from durus.extensions import db
from durus.models import (
    AuditEntry,
    EditorScope,
    Lecture,
    MediaAsset,
    PublicationState,
    Role,
    UserProgress,
)
from tests.editorial.lecture_support import (
    Desk,
    audio_file,
    editor_desk,
    lecture_fields,
    stored_files,
)
from tests.factories import (
    make_lecture,
    make_series,
    make_stored_audio_asset,
    make_topic,
    make_user,
)
from tests.helpers import csrf_token, make_account, sign_in

DRAFT = {"state": PublicationState.DRAFT, "published_at": None}


def _draft(desk: Desk, **overrides: Any) -> Lecture:
    return make_lecture(scholar_id=desk.scholar.id, **(DRAFT | overrides))


def _edit_form(desk: Desk, lecture: Lecture) -> dict[str, Any]:
    """What the edit page submits as it stands (with its version token)."""
    page = desk.client.get(f"/editorial/lectures/{lecture.id}/edit")
    assert page.status_code == 200
    version = page.text.split('name="version" type="hidden" value="')[1].split('"')[0]
    return lecture_fields(
        title=lecture.title,
        slug=lecture.slug,
        language=lecture.language_code,
        series=str(lecture.series_id) if lecture.series_id else "",
        position=str(lecture.position) if lecture.position else "",
        version=version,
    )


def _audit(lecture: Lecture, action: str) -> AuditEntry | None:
    return db.session.scalar(
        select(AuditEntry).where(AuditEntry.entity_id == lecture.id, AuditEntry.action == action)
    )


def _reload(lecture: Lecture) -> Lecture:
    db.session.expire_all()
    return db.session.get(Lecture, lecture.id)  # type: ignore[return-value]


# --- edit --------------------------------------------------------------------------------


def test_editing_saves_the_fields_and_an_audit_row(client: FlaskClient) -> None:
    desk = editor_desk(client)
    lecture = _draft(desk)
    topic = make_topic()
    form = _edit_form(desk, lecture) | {
        "title": "The virtue of knowledge",
        "description": "On seeking knowledge.",
        "recorded_on": "2023-11-05",
        "topics": [str(topic.id)],
    }
    response = desk.post(f"/editorial/lectures/{lecture.id}/edit", form)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/editorial/lectures/{lecture.id}/edit"
    lecture = _reload(lecture)
    assert lecture.title == "The virtue of knowledge"
    assert lecture.description == "On seeking knowledge."
    assert str(lecture.recorded_on) == "2023-11-05"
    entry = _audit(lecture, "lecture.updated")
    assert entry is not None and entry.actor_id == desk.editor.id
    assert entry.after["topics"] == [str(topic.id)]
    assert entry.before["title"] != entry.after["title"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "This field is required"),
        ({"slug": "Not A Slug!"}, "lower-case letters"),
        ({"recorded_on": "yesterday"}, "Not a valid date value"),
        ({"position": "0"}, "Number must be between 1"),
        ({"topics": ["nope"]}, "not a valid choice"),
    ],
)
def test_invalid_edits_answer_422_with_the_message(
    client: FlaskClient, fields: dict[str, Any], message: str
) -> None:
    desk = editor_desk(client)
    lecture = _draft(desk)
    response = desk.post(
        f"/editorial/lectures/{lecture.id}/edit", _edit_form(desk, lecture) | fields
    )
    assert response.status_code == 422
    assert message in response.text


def test_a_renamed_slug_keeps_redirecting(client: FlaskClient) -> None:
    desk = editor_desk(client)
    lecture = make_lecture(scholar_id=desk.scholar.id)  # published
    old = lecture.slug
    form = _edit_form(desk, lecture) | {"slug": "a-better-address"}
    assert desk.post(f"/editorial/lectures/{lecture.id}/edit", form).status_code == 303
    moved = client.get(f"/lectures/{old}")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/lectures/a-better-address"
    assert client.get("/lectures/a-better-address").status_code == 200


def test_a_taken_slug_is_refused(client: FlaskClient) -> None:
    desk = editor_desk(client)
    other = make_lecture()
    lecture = _draft(desk)
    form = _edit_form(desk, lecture) | {"slug": other.slug}
    response = desk.post(f"/editorial/lectures/{lecture.id}/edit", form)
    assert response.status_code == 422
    assert "This address is taken" in response.text


def test_moving_between_series_keeps_positions_contiguous(client: FlaskClient) -> None:
    desk = editor_desk(client)
    first, second = (make_series(scholar_id=desk.scholar.id) for _ in range(2))
    a, b, c = (_draft(desk, series_id=first.id, position=n) for n in (1, 2, 3))
    x, y = (_draft(desk, series_id=second.id, position=n) for n in (1, 2))
    # a moves to the end of the second series by default
    form = _edit_form(desk, a) | {"series": str(second.id), "position": ""}
    assert desk.post(f"/editorial/lectures/{a.id}/edit", form).status_code == 303
    db.session.expire_all()
    assert [(lec.series_id, lec.position) for lec in (a, b, c, x, y)] == [
        (second.id, 3),
        (first.id, 1),
        (first.id, 2),
        (second.id, 1),
        (second.id, 2),
    ]
    # c moves to the front of the second series
    form = _edit_form(desk, c) | {"series": str(second.id), "position": "1"}
    assert desk.post(f"/editorial/lectures/{c.id}/edit", form).status_code == 303
    db.session.expire_all()
    assert [lec.position for lec in (c, x, y, a)] == [1, 2, 3, 4]
    # b leaves its series
    form = _edit_form(desk, b) | {"series": "", "position": ""}
    assert desk.post(f"/editorial/lectures/{b.id}/edit", form).status_code == 303
    db.session.expire_all()
    assert (b.series_id, b.position) == (None, None)


def test_a_second_save_of_a_changed_lecture_is_refused(client: FlaskClient) -> None:
    desk = editor_desk(client)
    lecture = _draft(desk)
    form = _edit_form(desk, lecture) | {"title": "My version"}
    # Meanwhile another editor saves (a later transaction: a later updated_at).
    other = make_user(role=Role.EDITOR, display_name="Editor Bilal")
    db.session.execute(
        update(Lecture)
        .where(Lecture.id == lecture.id)
        .values(title="Their version", updated_at=Lecture.updated_at + timedelta(seconds=5))
    )
    audit.record("lecture.updated", "lecture", lecture.id, actor_id=other.id)
    db.session.flush()
    response = desk.post(f"/editorial/lectures/{lecture.id}/edit", form)
    assert response.status_code == 422
    assert "changed by Editor Bilal" in response.text
    assert "save again" in response.text
    assert _reload(lecture).title == "Their version"
    # The form now carries the new version: saving again is deliberate, and works.
    version = response.text.split('name="version" type="hidden" value="')[1].split('"')[0]
    again = desk.post(f"/editorial/lectures/{lecture.id}/edit", form | {"version": version})
    assert again.status_code == 303
    assert _reload(lecture).title == "My version"


# --- publication -------------------------------------------------------------------------


def _publication(desk: Desk, lecture: Lecture, **data: str) -> Any:
    return desk.post(f"/editorial/lectures/{lecture.id}/publication", data)


def test_only_allowed_transitions_are_offered(client: FlaskClient) -> None:
    desk = editor_desk(client)
    draft = _draft(desk)
    page = client.get(f"/editorial/lectures/{draft.id}/publication").text
    assert "Publish or schedule" in page and "Archive" in page and "Unpublish" not in page
    archived = _draft(desk, state=PublicationState.ARCHIVED)
    page = client.get(f"/editorial/lectures/{archived.id}/publication").text
    assert "Unpublish" in page and "Publish or schedule" not in page
    refused = _publication(desk, archived, target="published")
    assert refused.status_code == 422
    assert "Not a valid choice" in refused.text


def test_publishing_now(client: FlaskClient) -> None:
    desk = editor_desk(client)
    lecture = _draft(desk)
    response = _publication(desk, lecture, target="published")
    assert response.status_code == 303
    lecture = _reload(lecture)
    assert lecture.state is PublicationState.PUBLISHED
    assert lecture.published_at is not None
    assert abs(lecture.published_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert _audit(lecture, "lecture.published") is not None


def test_scheduling_for_a_future_time(client: FlaskClient) -> None:
    desk = editor_desk(client)
    lecture = _draft(desk)
    when = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    response = _publication(
        desk, lecture, target="published", publish_at=when.strftime("%Y-%m-%dT%H:%M")
    )
    assert response.status_code == 303
    lecture = _reload(lecture)
    assert lecture.state is PublicationState.PUBLISHED
    assert lecture.published_at == when
    assert _audit(lecture, "lecture.scheduled") is not None
    assert client.get(f"/lectures/{lecture.slug}").status_code == 404  # not yet
    assert "Scheduled for" in client.get(f"/editorial/lectures/{lecture.id}/edit").text


def test_a_past_time_is_refused(client: FlaskClient) -> None:
    desk = editor_desk(client)
    lecture = _draft(desk)
    response = _publication(desk, lecture, target="published", publish_at="2020-01-01T10:00")
    assert response.status_code == 422
    assert "Choose a time in the future" in response.text
    assert _reload(lecture).state is PublicationState.DRAFT


def test_a_lecture_without_audio_cannot_be_published(client: FlaskClient) -> None:
    desk = editor_desk(client)
    lecture = _draft(desk, audio_asset_id=None)
    response = _publication(desk, lecture, target="published")
    assert response.status_code == 422
    assert "needs its audio before it can be published" in response.text
    assert _reload(lecture).state is PublicationState.DRAFT


@pytest.mark.parametrize(("target", "action"), [("draft", "unpublish"), ("archived", "archive")])
def test_hiding_a_visible_lecture_asks_for_confirmation(
    client: FlaskClient, target: str, action: str
) -> None:
    desk = editor_desk(client)
    lecture = make_lecture(scholar_id=desk.scholar.id)
    asked = _publication(desk, lecture, target=target)
    assert asked.status_code == 200
    assert "Listeners can see this lecture now" in asked.text
    assert f"Yes, {action} it" in asked.text
    assert _reload(lecture).state is PublicationState.PUBLISHED
    page = client.get(f"/editorial/lectures/{lecture.id}/publication?target={target}")
    assert f"Yes, {action} it" in page.text
    done = _publication(desk, lecture, target=target, confirm="yes")
    assert done.status_code == 303
    assert _reload(lecture).state is PublicationState(target)
    assert client.get(f"/lectures/{lecture.slug}").status_code == 404


def test_archiving_a_draft_needs_no_confirmation(client: FlaskClient) -> None:
    desk = editor_desk(client)
    lecture = _draft(desk)
    assert _publication(desk, lecture, target="archived").status_code == 303
    assert _reload(lecture).state is PublicationState.ARCHIVED


# --- delete ------------------------------------------------------------------------------


def test_a_draft_is_deleted_after_confirmation(client: FlaskClient) -> None:
    desk = editor_desk(client)
    series = make_series(scholar_id=desk.scholar.id)
    lecture = _draft(desk, series_id=series.id, position=1)
    after = _draft(desk, series_id=series.id, position=2)
    page = client.get(f"/editorial/lectures/{lecture.id}/delete")
    assert "Delete this draft?" in page.text
    unconfirmed = desk.post(f"/editorial/lectures/{lecture.id}/delete")
    assert unconfirmed.status_code == 422
    assert db.session.get(Lecture, lecture.id) is not None
    asset_id, lecture_id, title = lecture.audio_asset_id, lecture.id, lecture.title
    response = desk.post(f"/editorial/lectures/{lecture.id}/delete", {"confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Lecture, lecture_id) is None
    assert db.session.get(MediaAsset, asset_id) is not None
    assert after.position == 1
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity_id == lecture_id, AuditEntry.action == "lecture.deleted"
        )
    )
    assert entry is not None and entry.before["title"] == title


@pytest.mark.parametrize("state", [PublicationState.PUBLISHED, PublicationState.ARCHIVED])
def test_only_a_draft_can_be_deleted(client: FlaskClient, state: PublicationState) -> None:
    desk = editor_desk(client)
    lecture = make_lecture(scholar_id=desk.scholar.id, state=state)
    response = desk.post(f"/editorial/lectures/{lecture.id}/delete", {"confirm": "y"})
    assert response.status_code == 409
    assert "only drafts can" in response.text
    assert db.session.get(Lecture, lecture.id) is not None


# --- replace audio -----------------------------------------------------------------------


def test_replacing_audio_keeps_the_old_asset_and_clamps_positions(
    client: FlaskClient, media_root: Path
) -> None:
    desk = editor_desk(client)
    old = make_stored_audio_asset(duration_seconds=Decimal("600"))
    lecture = make_lecture(scholar_id=desk.scholar.id, audio_asset_id=old.id)
    listener = make_account()
    db.session.add(
        UserProgress(
            user_id=listener.id,
            lecture_id=lecture.id,
            position_seconds=500.0,
            observed_at=datetime.now(UTC) - timedelta(days=1),
        )
    )
    db.session.flush()
    page = client.get(f"/editorial/lectures/{lecture.id}/audio")
    assert "hx-confirm" in page.text and "the current file is kept" in page.text
    unconfirmed = desk.post(
        f"/editorial/lectures/{lecture.id}/audio",
        {"audio": audio_file("kahf-2.mp3")},
        content_type="multipart/form-data",
    )
    assert unconfirmed.status_code == 422
    assert "Confirm that you want to replace the audio" in unconfirmed.text
    response = desk.post(
        f"/editorial/lectures/{lecture.id}/audio",
        {"audio": audio_file("kahf-2.mp3"), "confirm": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.text
    lecture = _reload(lecture)
    new = db.session.get(MediaAsset, lecture.audio_asset_id)
    assert new is not None and new.id != old.id
    assert float(new.duration_seconds) == pytest.approx(9.0, abs=0.05)
    assert db.session.get(MediaAsset, old.id) is not None
    assert (media_root / old.storage_key).is_file()
    entry = _audit(lecture, "lecture.audio_replaced")
    assert entry is not None
    assert entry.before == {"audio_asset_id": str(old.id)}
    assert entry.after == {"audio_asset_id": str(new.id)}
    # The listener's next ping from the old position is clamped to the new duration.
    listening = client.application.test_client()
    sign_in(listening, listener)
    ping = listening.post(
        "/player/progress",
        data={
            "csrf_token": csrf_token(listening, "/"),
            "lecture": str(lecture.id),
            "position": "500",
            "event": "play",
            "observed_at": str(int(datetime.now(UTC).timestamp() * 1000)),
            "playback_id": "playback-0001",
        },
    )
    assert ping.status_code == 204, ping.text
    db.session.expire_all()
    progress = db.session.get(UserProgress, (listener.id, lecture.id))
    assert progress is not None
    assert progress.position_seconds == pytest.approx(float(new.duration_seconds))


def test_a_refused_replacement_changes_nothing(client: FlaskClient, media_root: Path) -> None:
    desk = editor_desk(client)
    lecture = make_lecture(scholar_id=desk.scholar.id)
    before = stored_files(media_root)
    response = desk.post(
        f"/editorial/lectures/{lecture.id}/audio",
        {"audio": audio_file("notes.mp3", b"not audio at all\n" * 100), "confirm": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "cannot be used as audio" in response.text
    assert _reload(lecture).audio_asset_id == lecture.audio_asset_id
    assert _audit(lecture, "lecture.audio_replaced") is None
    assert stored_files(media_root) == before


# --- scope -------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/editorial/scholars/{scholar}/lectures/new", 200),
    ("POST", "/editorial/scholars/{scholar}/lectures/new", 422),
    ("GET", "/editorial/lectures/{lecture}/edit", 200),
    ("POST", "/editorial/lectures/{lecture}/edit", 422),
    ("GET", "/editorial/lectures/{lecture}/publication", 200),
    ("POST", "/editorial/lectures/{lecture}/publication", 422),
    ("GET", "/editorial/lectures/{lecture}/audio", 200),
    ("POST", "/editorial/lectures/{lecture}/audio", 422),
    ("GET", "/editorial/lectures/{lecture}/delete", 200),
    ("POST", "/editorial/lectures/{lecture}/delete", 422),
    ("GET", "/editorial/lectures/{lecture}/preview", 200),
]


@pytest.mark.parametrize(("method", "template", "allowed"), ROUTES)
@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("in_scope", None),
        ("admin", None),
        ("out_of_scope", 403),
        ("listener", 403),
        ("anonymous", 302),
    ],
)
def test_every_lecture_route_checks_scope(
    client: FlaskClient,
    method: str,
    template: str,
    allowed: int,
    actor: str,
    expected: int | None,
) -> None:
    desk = editor_desk(client)
    lecture = _draft(desk)
    path = template.format(scholar=desk.scholar.id, lecture=lecture.id)
    visitor = client.application.test_client()
    if actor != "anonymous":
        role = {"in_scope": Role.EDITOR, "admin": Role.ADMIN}.get(actor, Role.LISTENER)
        role = Role.EDITOR if actor == "out_of_scope" else role
        user = make_account(role=role)
        if actor == "in_scope":
            db.session.add(EditorScope(user_id=user.id, scholar_id=desk.scholar.id))
            db.session.flush()
        sign_in(visitor, user)
    if method == "GET":
        response = visitor.get(path)
    else:
        response = visitor.post(path, data={"csrf_token": csrf_token(visitor, "/")})
    assert response.status_code == (expected or allowed), response.text[:300]
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/auth/sign-in")
    assert db.session.get(Lecture, lecture.id) is not None


def test_an_unknown_lecture_is_404(client: FlaskClient) -> None:
    editor_desk(client, role=Role.ADMIN)
    response = client.get("/editorial/lectures/00000000-0000-0000-0000-000000000000/edit")
    assert response.status_code == 404
