"""Sessions really end: replayed cookies fail after sign-out, password change, suspension;
lifetimes are enforced; cookies carry the right attributes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from durus.auth.sessions import AUTH_AT, SEEN_AT
from durus.extensions import db
from durus.models import AccountState
from tests.conftest import rolled_back
from tests.helpers import _TOKEN, PASSWORD, make_account, post, sign_in

pytestmark = pytest.mark.usefixtures("db_session")


def _cookies(client: FlaskClient) -> dict[str, str]:
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def _replay(app: Flask, cookies: dict[str, str]) -> FlaskClient:
    """A second browser holding a copy of the cookies captured earlier."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def _signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def test_cookie_replayed_after_sign_out_is_signed_out(app: Flask, client: FlaskClient) -> None:
    user = make_account()
    sign_in(client, user, remember=True)
    captured = _cookies(client)
    assert {"session", "remember_token"} <= set(captured)
    post(client, "/auth/sign-out", token_from="/")
    assert not _signed_in(_replay(app, captured))
    # Not even the remember-me cookie alone brings the session back.
    assert not _signed_in(_replay(app, {"remember_token": captured["remember_token"]}))


def test_password_change_ends_other_sessions_but_not_this_one(
    app: Flask, client: FlaskClient
) -> None:
    user = make_account()
    other_device = app.test_client()
    sign_in(other_device, user, remember=True)
    sign_in(client, user)
    response = post(
        client,
        "/account/password",
        {
            "current_password": PASSWORD,
            "password": "a new long passphrase",
            "confirm": "a new long passphrase",
        },
        token_from="/account",
    )
    assert response.status_code == 303
    assert _signed_in(client)
    assert not _signed_in(other_device)


def test_suspension_ends_an_open_session_on_its_next_request(client: FlaskClient) -> None:
    user = make_account()
    sign_in(client, user, remember=True)
    assert _signed_in(client)
    user.state = AccountState.SUSPENDED
    db.session.flush()
    assert not _signed_in(client)
    user.state = AccountState.ACTIVE  # reinstated: the old session does not come back by itself
    user.session_version += 1
    db.session.flush()
    assert not _signed_in(client)


def test_sign_in_starts_a_fresh_session(client: FlaskClient) -> None:
    user = make_account()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user.id}:{user.session_version}"


def test_idle_session_ends(app: Flask, client: FlaskClient) -> None:
    user = make_account()
    sign_in(client, user)
    idle = app.config["SESSION_IDLE_TIMEOUT"] + timedelta(minutes=1)
    with client.session_transaction() as session:
        session[SEEN_AT] -= int(idle.total_seconds())
    assert not _signed_in(client)


def test_session_has_an_absolute_lifetime(app: Flask, client: FlaskClient) -> None:
    user = make_account()
    sign_in(client, user)
    longest = app.config["SESSION_MAX_AGE"] + timedelta(minutes=1)
    with client.session_transaction() as session:
        session[AUTH_AT] -= int(longest.total_seconds())
    assert not _signed_in(client)


def test_activity_keeps_a_session_alive(app: Flask, client: FlaskClient) -> None:
    user = make_account()
    sign_in(client, user)
    almost = app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=5)
    with client.session_transaction() as session:
        session[SEEN_AT] -= int(almost.total_seconds())
    assert _signed_in(client)
    assert _signed_in(client)


def _set_cookie(response: Any, name: str) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"{name} not set")


def test_cookie_attributes(client: FlaskClient) -> None:
    user = make_account()
    response = sign_in(client, user, remember=True)
    session_cookie = _set_cookie(response, "session")
    remember = _set_cookie(response, "remember_token")
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "HttpOnly" in remember and "SameSite=Lax" in remember
    expires = parsedate_to_datetime(remember.split("Expires=")[1].split(";")[0])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    assert "Secure" not in session_cookie  # plain HTTP in development


def test_cookies_are_secure_under_https(make_app: Callable[..., Flask]) -> None:
    https_app = make_app(
        HTTPS=True,
        SESSION_COOKIE_SECURE=True,
        REMEMBER_COOKIE_SECURE=True,
    )
    with rolled_back(https_app):
        user = make_account()
        client = https_app.test_client()
        token_page = client.get("/auth/sign-in", base_url="https://localhost")
        assert "Strict-Transport-Security" in token_page.headers
        match = _TOKEN.search(token_page.text)
        response = client.post(
            "/auth/sign-in",
            base_url="https://localhost",
            headers={"Referer": "https://localhost/auth/sign-in"},
            data={
                "email": user.email,
                "password": PASSWORD,
                "remember": "y",
                "csrf_token": match.group(1) or match.group(2),
            },
        )
        assert response.status_code == 303
        assert "Secure" in _set_cookie(response, "session")
        assert "Secure" in _set_cookie(response, "remember_token")
