"""The authorisation policy: one module answers "may this person do this?"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask_login import AnonymousUserMixin

from durus import policy
from durus.auth.decorators import requires
from durus.extensions import db
from durus.models import AccountState, EditorScope, Role
from tests.factories import make_lecture, make_scholar, make_series, make_user
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")


def test_editors_edit_only_within_their_scope() -> None:
    mine, theirs = make_scholar(), make_scholar()
    editor = make_user(role=Role.EDITOR)
    db.session.add(EditorScope(user_id=editor.id, scholar_id=mine.id))
    db.session.flush()
    assert policy.may_edit_scholar(editor, mine.id)
    assert not policy.may_edit_scholar(editor, theirs.id)
    assert policy.may_edit(editor, make_series(scholar_id=mine.id))
    assert not policy.may_edit(editor, make_lecture(scholar_id=theirs.id))
    assert policy.scholar_ids_in_scope(editor) == [mine.id]


def test_administrators_edit_everything_and_listeners_nothing() -> None:
    scholar = make_scholar()
    admin, listener = make_user(role=Role.ADMIN), make_user()
    assert policy.may_edit_scholar(admin, scholar.id)
    assert policy.scholar_ids_in_scope(admin) is None
    assert not policy.may_edit_scholar(listener, scholar.id)
    assert policy.scholar_ids_in_scope(listener) == []
    assert policy.may_manage_accounts(admin) and not policy.may_manage_accounts(listener)


def test_a_scope_row_alone_gives_a_listener_nothing() -> None:
    scholar = make_scholar()
    demoted = make_user(role=Role.LISTENER)
    db.session.add(EditorScope(user_id=demoted.id, scholar_id=scholar.id))
    db.session.flush()
    assert not policy.may_edit_scholar(demoted, scholar.id)


def test_suspended_and_anonymous_may_do_nothing() -> None:
    scholar = make_scholar()
    suspended = make_user(role=Role.ADMIN, state=AccountState.SUSPENDED)
    assert not policy.is_admin(suspended)
    assert not policy.may_edit_scholar(suspended, scholar.id)
    assert not policy.is_editor(AnonymousUserMixin())


def test_requires_decorator(make_app: Callable[..., Flask]) -> None:
    app = make_app()

    @app.get("/_admin_only")
    @requires(policy.is_admin)
    def admin_only() -> str:
        return "secret"

    anonymous = app.test_client()
    response = anonymous.get("/_admin_only")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in?next=")

    from tests.conftest import rolled_back

    with rolled_back(app):
        listener, admin = make_account(), make_account(role=Role.ADMIN)
        as_listener, as_admin = app.test_client(), app.test_client()
        sign_in(as_listener, listener)
        sign_in(as_admin, admin)
        forbidden = as_listener.get("/_admin_only")
        assert forbidden.status_code == 403
        assert "You do not have access" in forbidden.text
        assert as_admin.get("/_admin_only").text == "secret"
