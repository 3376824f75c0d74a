"""Every route × every kind of visitor, against an expected table. A route missing from
the table fails this test: access is denied by default until someone decides."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from durus.auth.sessions import AUTH_AT, REMEMBER, SEEN_AT
from durus.extensions import db, limiter
from durus.models import AccountState, EditorialNote, EditorScope, Role, User
from tests.factories import (
    make_lecture,
    make_scholar,
    make_series,
    make_stored_audio_asset,
    make_stored_image_asset,
    make_topic,
    make_user,
)
from tests.helpers import csrf_token

ACTORS = ("anonymous", "listener", "editor_in_scope", "editor_out_of_scope", "admin", "suspended")
SIGNED_IN_ACTORS = ("listener", "editor_in_scope", "editor_out_of_scope", "admin")
Expected = dict[str, int]


def everyone(status: int) -> Expected:
    return dict.fromkeys(ACTORS, status)


def signed_in(status: int) -> Expected:
    """Signed-in people get `status`; the anonymous and the suspended go to sign in."""
    return {actor: status if actor in SIGNED_IN_ACTORS else 302 for actor in ACTORS}


def guests(status: int, signed_in_status: int) -> Expected:
    return {actor: signed_in_status if actor in SIGNED_IN_ACTORS else status for actor in ACTORS}


def editors(status: int, out_of_scope: int = 403) -> Expected:
    """Editors of the item's scholar and administrators get `status`; listeners 403."""
    return {
        "anonymous": 302,
        "listener": 403,
        "editor_in_scope": status,
        "editor_out_of_scope": out_of_scope,
        "admin": status,
        "suspended": 302,
    }


def admins(status: int) -> Expected:
    return editors(403, out_of_scope=403) | {"admin": status}


# (endpoint, method) → expected status per actor. Forms are posted empty (with a valid CSRF
# token), so a permitted POST answers 422; a refused one 302 (to sign in) or 403.
ACCESS: dict[tuple[str, str], Expected] = {
    ("static", "GET"): everyone(200),
    ("catalogue.home", "GET"): everyone(200),
    ("catalogue.lecture_detail", "GET"): everyone(200),
    ("catalogue.series_detail", "GET"): everyone(200),
    ("catalogue.scholar_detail", "GET"): everyone(200),
    ("catalogue.lecture_index", "GET"): everyone(200),
    ("catalogue.scholar_index", "GET"): everyone(200),
    ("catalogue.topic_index", "GET"): everyone(200),
    ("catalogue.topic_detail", "GET"): everyone(200),
    ("catalogue.language_index", "GET"): everyone(200),
    ("catalogue.language_detail", "GET"): everyone(200),
    ("catalogue.search", "GET"): everyone(200),
    ("catalogue.series_feed", "GET"): everyone(200),
    ("catalogue.scholar_feed", "GET"): everyone(200),
    ("catalogue.sitemap", "GET"): everyone(200),
    ("catalogue.sitemap_page", "GET"): everyone(200),
    ("catalogue.robots", "GET"): everyone(200),
    ("player.audio", "GET"): everyone(200),
    ("player.image", "GET"): everyone(200),  # the photo of an active scholar
    ("player.progress", "POST"): everyone(422),  # anonymous pings feed analytics only
    ("player.playback_rate", "POST"): signed_in(422),
    ("auth.sign_in", "GET"): guests(200, 303),
    ("auth.sign_in", "POST"): everyone(422),
    ("auth.sign_up", "GET"): everyone(200),
    ("auth.sign_up", "POST"): everyone(422),
    ("auth.forgot_password", "GET"): everyone(200),
    ("auth.forgot_password", "POST"): everyone(422),
    ("auth.reset_password", "GET"): everyone(400),
    ("auth.reset_password", "POST"): everyone(400),
    ("auth.oidc_start", "POST"): everyone(404),  # no provider named "x" is configured
    ("auth.oidc_callback", "GET"): everyone(404),
    ("auth.oidc_link", "GET"): everyone(400),  # nothing pending to link
    ("auth.oidc_link", "POST"): everyone(400),
    ("auth.account", "GET"): signed_in(200),
    ("auth.account_profile", "POST"): signed_in(422),
    ("auth.account_password", "POST"): signed_in(422),
    ("auth.account_preferences", "POST"): signed_in(422),
    ("auth.account_export", "GET"): signed_in(200),
    ("auth.account_delete", "GET"): signed_in(200),
    ("auth.account_delete", "POST"): signed_in(422),
    # The library: a listener's own rows. Anonymous presses of favourite / save go to sign in
    # (then to a confirmation page); every page and action needs a signed-in user.
    ("library.continue_listening", "GET"): signed_in(200),
    ("library.continue_series", "GET"): signed_in(200),
    ("library.saved_series", "GET"): signed_in(200),
    ("library.favourites", "GET"): signed_in(200),
    ("library.history", "GET"): signed_in(200),
    ("library.favourite_set", "POST"): signed_in(422),
    ("library.favourite_confirm", "GET"): signed_in(200),
    ("library.series_save", "POST"): signed_in(422),
    ("library.series_save_confirm", "GET"): signed_in(200),
    ("library.played_set", "POST"): signed_in(422),
    ("library.continue_remove", "POST"): signed_in(303),  # nothing to fill in: done, and back
    ("auth.sign_out", "POST"): signed_in(303),  # checked last: it ends the session
    # The editorial workspace (scholars, series, notes, history): editors within their scope
    # and administrators; listeners 403; editors outside the item's scholar 403.
    ("editorial.workspace", "GET"): editors(200, out_of_scope=200),
    ("editorial.scholar_create", "GET"): admins(200),
    ("editorial.scholar_create", "POST"): admins(422),
    ("editorial.scholar_edit", "GET"): editors(200),
    ("editorial.scholar_edit", "POST"): editors(422),
    ("editorial.scholar_active", "POST"): admins(422),
    ("editorial.scholar_photo", "POST"): editors(422),
    ("editorial.series_create", "GET"): editors(200),
    ("editorial.series_create", "POST"): editors(422),
    ("editorial.series_slug_check", "GET"): editors(200),
    ("editorial.series_edit", "GET"): editors(200),
    ("editorial.series_edit", "POST"): editors(422),
    ("editorial.series_preview", "GET"): editors(200),
    ("editorial.series_state", "POST"): editors(422),
    ("editorial.series_lecture_move", "POST"): editors(422),
    ("editorial.scholar_note_add", "POST"): editors(422),
    ("editorial.series_note_add", "POST"): editors(422),
    ("editorial.lecture_note_add", "POST"): editors(422),
    ("editorial.lecture_notes", "GET"): editors(200),
    ("editorial.note_delete", "POST"): editors(422),  # the page's form carries confirm=yes
    ("editorial.scholar_history", "GET"): editors(200),
    ("editorial.series_history", "GET"): editors(200),
    ("editorial.lecture_history", "GET"): editors(200),
    # Lectures: the same rule. The world's lecture is published: its delete page explains
    # that only drafts can be deleted (200); every empty form answers 422.
    ("editorial.lecture_new", "GET"): editors(200),
    ("editorial.lecture_new", "POST"): editors(422),
    ("editorial.lecture_edit", "GET"): editors(200),
    ("editorial.lecture_edit", "POST"): editors(422),
    ("editorial.lecture_publication", "GET"): editors(200),
    ("editorial.lecture_publication", "POST"): editors(422),
    ("editorial.lecture_audio", "GET"): editors(200),
    ("editorial.lecture_audio", "POST"): editors(422),
    ("editorial.lecture_delete", "GET"): editors(200),
    ("editorial.lecture_delete", "POST"): editors(422),
    ("editorial.lecture_preview", "GET"): editors(200),
    ("auth.set_language", "POST"): everyone(400),  # posted without a language
    # Administration: administrators only (the blueprint's guard).
    ("admin.index", "GET"): admins(200),
    ("admin.users", "GET"): admins(200),
    ("admin.user", "GET"): admins(200),
    ("admin.user_role", "POST"): admins(422),
    ("admin.user_state", "POST"): admins(422),
    ("admin.user_scope_add", "POST"): admins(422),
    # Without `confirm` a removal answers with its confirmation page; a reset link is sent.
    ("admin.user_scope_remove", "POST"): admins(200),
    ("admin.user_password_reset", "POST"): admins(303),
    ("admin.audit", "GET"): admins(200),
    ("admin.audit_csv", "GET"): admins(200),
    ("admin.insights", "GET"): admins(200),
    ("admin.insights_lecture", "GET"): admins(200),
}


EDITORIAL_ARGS = {
    "scholar_edit": ("scholar_id",),
    "scholar_active": ("scholar_id",),
    "scholar_photo": ("scholar_id",),
    "series_create": ("scholar_id",),
    "series_slug_check": ("scholar_id",),
    "series_edit": ("series_id",),
    "series_preview": ("series_id",),
    "series_state": ("series_id",),
    "series_lecture_move": ("series_id", "lecture_id"),
    "scholar_note_add": ("scholar_id",),
    "series_note_add": ("series_id",),
    "lecture_note_add": ("lecture_id",),
    "lecture_notes": ("lecture_id",),
    "note_delete": ("note_id",),
    "scholar_history": ("scholar_id",),
    "series_history": ("series_id",),
    "lecture_history": ("lecture_id",),
    "lecture_new": ("scholar_id",),
    "lecture_edit": ("lecture_id",),
    "lecture_publication": ("lecture_id",),
    "lecture_audio": ("lecture_id",),
    "lecture_delete": ("lecture_id",),
    "lecture_preview": ("lecture_id",),
}


@dataclass
class World:
    users: dict[str, User]
    args: dict[str, dict[str, str]]


@pytest.fixture
def world(db_session: Any) -> World:
    photo = make_stored_image_asset()
    scholar = make_scholar(photo_asset_id=photo.id)
    series = make_series(scholar_id=scholar.id)
    audio = make_stored_audio_asset()
    lecture = make_lecture(series=series, audio_asset_id=audio.id)
    users = {
        "listener": make_user(),
        "editor_in_scope": make_user(role=Role.EDITOR),
        "editor_out_of_scope": make_user(role=Role.EDITOR),
        "admin": make_user(role=Role.ADMIN),
        "suspended": make_user(state=AccountState.SUSPENDED),
    }
    db.session.add(EditorScope(user_id=users["editor_in_scope"].id, scholar_id=scholar.id))
    db.session.add(
        EditorScope(user_id=users["editor_out_of_scope"].id, scholar_id=make_scholar().id)
    )
    db.session.flush()
    args = {
        "static": {"filename": "css/durus.css"},
        "catalogue.lecture_detail": {"slug": lecture.slug},
        "catalogue.series_detail": {"slug": series.slug},
        "catalogue.scholar_detail": {"slug": scholar.slug},
        "catalogue.topic_detail": {"slug": make_topic().slug},
        "catalogue.language_detail": {"code": "en"},
        "catalogue.series_feed": {"slug": series.slug},
        "catalogue.scholar_feed": {"slug": scholar.slug},
        "catalogue.sitemap_page": {"kind": "lectures", "page": "1"},
        "player.audio": {"asset_id": str(audio.id), "ext": "mp3"},
        "player.image": {"asset_id": str(photo.id), "ext": "png"},
        "library.favourite_set": {"slug": lecture.slug},
        "library.favourite_confirm": {"slug": lecture.slug},
        "library.series_save": {"slug": series.slug},
        "library.series_save_confirm": {"slug": series.slug},
        "library.played_set": {"slug": lecture.slug},
        "library.continue_remove": {"slug": lecture.slug},
        "auth.reset_password": {"token": "not-a-token"},
        "auth.oidc_start": {"provider": "x"},
        "auth.oidc_callback": {"provider": "x"},
    }
    note = EditorialNote(scholar_id=scholar.id, body="Check the reference at 31:40.")
    db.session.add(note)
    db.session.flush()
    ids = {
        "scholar_id": str(scholar.id),
        "series_id": str(series.id),
        "lecture_id": str(lecture.id),
        "note_id": str(note.id),
    }
    for endpoint, names in EDITORIAL_ARGS.items():
        args[f"editorial.{endpoint}"] = {name: ids[name] for name in names}
    account = {"user_id": str(users["listener"].id)}
    for endpoint in ("user", "user_role", "user_state", "user_scope_add", "user_password_reset"):
        args[f"admin.{endpoint}"] = account
    args["admin.user_scope_remove"] = account | {"scholar_id": ids["scholar_id"]}
    args["admin.insights_lecture"] = {"lecture_id": ids["lecture_id"]}
    return World(users, args)


def _client_as(app: Flask, world: World, actor: str) -> FlaskClient:
    client = app.test_client()
    user = world.users.get(actor)
    if user is not None:
        db.session.refresh(user)
        now = int(time.time())
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session.update({AUTH_AT: now, SEEN_AT: now, REMEMBER: False})
    return client


def _request(client: FlaskClient, method: str, path: str) -> Any:
    if method == "GET":
        return client.get(path)
    return client.open(path, method=method, data={"csrf_token": csrf_token(client, "/")})


def test_every_route_is_in_the_table(app: Flask) -> None:
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }
    assert routes - set(ACCESS) == set(), "new routes need an access decision here"
    assert set(ACCESS) - routes == set(), "the table lists routes that no longer exist"


def test_route_access_matrix(app: Flask, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limiter, "enabled", False)  # rate limits have tests of their own
    ordered: list[tuple[str, str]] = sorted(
        ACCESS, key=lambda key: key == ("auth.sign_out", "POST")
    )
    failures = []
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for endpoint, method in ordered:
        path = rules[endpoint].build(world.args.get(endpoint, {}))[1]
        for actor, expected in ACCESS[(endpoint, method)].items():
            response = _request(_client_as(app, world, actor), method, path)
            got = response.status_code
            response.close()
            if got != expected:
                failures.append(f"{method} {path} as {actor}: {got}, expected {expected}")
            elif got == 302 and expected == 302:
                assert response.headers["Location"].startswith("/auth/sign-in")
    assert failures == []
