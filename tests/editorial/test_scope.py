"""Scope: every editorial URL (pages and htmx endpoints) for another scholar's items answers
403 to an editor outside that scholar's scope and to a listener; the anonymous are sent to
sign in. Routes are walked from the URL map, so a new route is covered without listing it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from durus.extensions import db
from durus.models import EditorialNote, Role
from tests.editorial.workspace_support import signed_in_editor
from tests.factories import make_lecture, make_series, make_stored_audio_asset
from tests.helpers import csrf_token, make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")
NO_ITEM = {"editorial.workspace"}  # an editor's own workspace, whatever their scope


def _routes(app: Flask) -> list[tuple[str, str, Any]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("editorial."):
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                routes.append((rule.endpoint, method, rule))
    assert len(routes) >= 20
    return routes


@pytest.fixture
def foreign_ids() -> dict[str, str]:
    """Ids of the items of a scholar outside the editor's scope."""
    series = make_series()
    audio = make_stored_audio_asset()
    lecture = make_lecture(series=series, position=1, audio_asset_id=audio.id)
    note = EditorialNote(series_id=series.id, body="Internal")
    db.session.add(note)
    db.session.flush()
    return {
        "scholar_id": str(series.scholar_id),
        "series_id": str(series.id),
        "lecture_id": str(lecture.id),
        "note_id": str(note.id),
        "asset_id": str(audio.id),
    }


def _walk(app: Flask, client: FlaskClient, ids: dict[str, str], skip: set[str]) -> list[str]:
    token = csrf_token(client, "/")
    outcomes = []
    for endpoint, method, rule in _routes(app):
        if endpoint in skip:
            continue
        missing = set(rule.arguments) - set(ids)
        assert not missing, f"{endpoint}: give test_scope sample ids for {missing}"
        path = rule.build({name: ids[name] for name in rule.arguments})[1]
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token})
        location = response.headers.get("Location", "")
        outcomes.append(f"{method} {path} {response.status_code} {location.split('?')[0]}")
        response.close()
    return outcomes


def test_an_editor_outside_the_scope_gets_403_everywhere(
    app: Flask, client: FlaskClient, foreign_ids: dict[str, str]
) -> None:
    signed_in_editor(client)  # in scope for a scholar of their own, not this one
    outcomes = _walk(app, client, foreign_ids, skip=NO_ITEM)
    assert [o for o in outcomes if " 403 " not in o] == []


def test_a_listener_gets_403_everywhere(
    app: Flask, client: FlaskClient, foreign_ids: dict[str, str]
) -> None:
    sign_in(client, make_account(role=Role.LISTENER))
    outcomes = _walk(app, client, foreign_ids, skip=set())
    assert [o for o in outcomes if " 403 " not in o] == []


def test_the_anonymous_are_sent_to_sign_in(
    app: Flask, client: FlaskClient, foreign_ids: dict[str, str]
) -> None:
    outcomes = _walk(app, client, foreign_ids, skip=set())
    assert [o for o in outcomes if not o.endswith(" 302 /auth/sign-in")] == []


def test_an_editor_in_scope_is_let_in(client: FlaskClient) -> None:
    editor = signed_in_editor(client)
    series = make_series(scholar_id=editor.scholar.id)
    for path in (
        "/editorial",
        f"/editorial/scholars/{editor.scholar.id}",
        f"/editorial/series/{series.id}",
        f"/editorial/series/{series.id}/history",
    ):
        assert client.get(path).status_code == 200, path
