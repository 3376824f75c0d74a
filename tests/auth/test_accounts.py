"""Sign up, sign in, sign out with a local password."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from durus.extensions import db
from durus.models import AccountState, AuditEntry, Role, User, UserCredential
from tests.helpers import PASSWORD, csrf_token, make_account, post, sign_in

pytestmark = pytest.mark.usefixtures("db_session")


def _sign_up(client: FlaskClient, **fields: str):
    data = {"email": "new@example.com", "display_name": "Maryam", "password": PASSWORD}
    return post(client, "/auth/sign-up", data | fields)


def test_sign_up_creates_a_listener_and_signs_in(client: FlaskClient) -> None:
    response = _sign_up(client)
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert user.role is Role.LISTENER
    assert client.get("/account").status_code == 200
    assert "Maryam" in client.get("/").text


def test_stored_hashes_meet_the_owasp_floor(client: FlaskClient) -> None:
    _sign_up(client)
    stored = db.session.scalar(
        select(UserCredential.password_hash).join(User).where(User.email == "new@example.com")
    )
    match = re.fullmatch(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$.+", stored)
    assert match, stored
    memory, time, parallel = map(int, match.groups())
    assert memory >= 19 * 1024 and time >= 2 and parallel >= 1
    assert PASSWORD not in stored


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short1"}, "at least 10 characters"),
        ({"password": "qwertyuiop"}, "too common"),
        ({"password": "Password1234"}, "too common"),
        ({"password": "new@example.com"}, "email address or name"),
        ({"email": "not-an-email"}, "email address like"),
        ({"display_name": "   "}, "Enter the name"),
        ({"display_name": "x" * 81}, "at most 80"),
    ],
)
def test_invalid_sign_up_is_refused_with_a_message(
    client: FlaskClient, fields: dict[str, str], message: str
) -> None:
    response = _sign_up(client, **fields)
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_sign_up_with_a_taken_email_says_so(client: FlaskClient) -> None:
    make_account(email="New@Example.com")
    response = _sign_up(client)
    assert response.status_code == 422
    assert "already exists" in response.text


def test_extra_fields_are_ignored(client: FlaskClient) -> None:
    response = _sign_up(client, role="admin", state="suspended", user_id="x", session_version="9")
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert (user.role, user.state, user.session_version) == (Role.LISTENER, AccountState.ACTIVE, 1)


def test_sign_in_and_out(client: FlaskClient) -> None:
    user = make_account()
    sign_in(client, user)
    assert client.get("/account").status_code == 200
    assert post(client, "/auth/sign-out", token_from="/").status_code == 303
    assert client.get("/account").status_code == 302
    db.session.refresh(user)
    assert user.last_sign_in_at is not None


def _alert(html: str) -> str:
    return re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S).group(1)


def test_wrong_password_and_unknown_email_get_the_same_answer(client: FlaskClient) -> None:
    make_account(email="known@example.com")
    wrong = post(client, "/auth/sign-in", {"email": "known@example.com", "password": "nope nope!"})
    unknown = post(client, "/auth/sign-in", {"email": "who@example.com", "password": "nope nope!"})
    assert wrong.status_code == unknown.status_code == 422
    assert _alert(wrong.text) == _alert(unknown.text)
    assert "The email or password is not right" in _alert(wrong.text)


@pytest.mark.parametrize("state", [AccountState.SUSPENDED, AccountState.DEACTIVATED])
def test_suspended_or_deactivated_accounts_cannot_sign_in(
    client: FlaskClient, state: AccountState
) -> None:
    user = make_account(state=state)
    response = post(client, "/auth/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    assert f"This account is {state.value}" in response.text
    assert client.get("/account").status_code == 302


def test_sign_in_rehashes_when_the_parameters_change(client: FlaskClient) -> None:
    user = make_account()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    db.session.get(UserCredential, user.id).password_hash = weak
    db.session.flush()
    sign_in(client, user)
    db.session.expire_all()
    renewed = db.session.get(UserCredential, user.id).password_hash
    assert renewed != weak
    assert ",t=2,p=1$" in renewed


def test_sign_in_returns_to_a_local_next_page(client: FlaskClient) -> None:
    user = make_account()
    token = csrf_token(client)
    response = client.post(
        "/auth/sign-in",
        data={"email": user.email, "password": PASSWORD, "next": "/account", "csrf_token": token},
    )
    assert response.headers["Location"] == "/account"


def test_a_page_that_needs_an_account_sends_to_sign_in_and_back(client: FlaskClient) -> None:
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in?next=")


def test_sign_up_is_audited(client: FlaskClient) -> None:
    _sign_up(client)
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == user.id))
    assert list(actions) == ["user.signed_up"]


def test_password_sign_in_can_be_switched_off(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", False)
    client = app.test_client()
    assert client.get("/auth/sign-up").status_code == 404
    page = client.get("/auth/sign-in")
    assert 'name="password"' not in page.text
    assert post(client, "/auth/sign-in", {"email": "a@b.test", "password": "x"}).status_code == 404
