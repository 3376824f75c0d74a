"""Forgotten password: a single-use, time-limited link through the dev outbox."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from durus.auth.services import check_password
from tests.helpers import PASSWORD, make_account, post, sign_in

pytestmark = pytest.mark.usefixtures("db_session")
NEW = "a brand new passphrase"


def _request_link(client: FlaskClient, address: str) -> None:
    response = post(client, "/auth/forgot-password", {"email": address})
    assert response.status_code == 303
    follow = client.get(response.headers["Location"])
    assert "a link to reset its password is on its way" in follow.text


def _link_in(outbox: Path) -> str:
    (message_file,) = outbox.glob("*.eml")
    message = email.message_from_bytes(message_file.read_bytes())
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://localhost(/auth/reset-password/\S+)", body).group(1)


def _reset(client: FlaskClient, path: str, password: str = NEW):  # type: ignore[no-untyped-def]
    return post(client, path, {"password": password, "confirm": password}, token_from=path)


def test_reset_link_sets_a_new_password_once(client: FlaskClient, outbox: Path) -> None:
    user = make_account(email="forgetful@example.com")
    _request_link(client, "Forgetful@example.com")
    path = _link_in(outbox)
    assert client.get(path).status_code == 200
    assert _reset(client, path).status_code == 303
    assert check_password(user, NEW)
    assert client.get("/account").status_code == 200  # signed in by the reset
    # Used once: the same link is now refused.
    again = client.get(path)
    assert again.status_code == 400
    assert "no longer works" in again.text


def test_reset_link_expires(
    app: Flask, client: FlaskClient, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_account()
    _request_link(client, user.email)
    path = _link_in(outbox)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", timedelta(seconds=-1))
    assert client.get(path).status_code == 400
    assert _reset(client, path).status_code == 400
    assert check_password(user, PASSWORD)


def test_a_tampered_link_is_refused(client: FlaskClient, outbox: Path) -> None:
    user = make_account()
    _request_link(client, user.email)
    path = _link_in(outbox)
    assert client.get(path[:-3] + "abc").status_code == 400


def test_unknown_address_gets_the_same_answer_and_no_mail(
    client: FlaskClient, outbox: Path
) -> None:
    _request_link(client, "nobody@example.com")
    assert list(outbox.glob("*.eml")) == []


def test_reset_ends_every_other_session(app: Flask, client: FlaskClient, outbox: Path) -> None:
    user = make_account()
    elsewhere = app.test_client()
    sign_in(elsewhere, user, remember=True)
    _request_link(client, user.email)
    _reset(client, _link_in(outbox))
    assert elsewhere.get("/account").status_code == 302


def test_new_password_must_follow_the_rules(client: FlaskClient, outbox: Path) -> None:
    user = make_account()
    _request_link(client, user.email)
    response = _reset(client, _link_in(outbox), password="1234567890")
    assert response.status_code == 422
    assert "too common" in response.text
    assert check_password(user, PASSWORD)
