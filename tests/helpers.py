"""Acting as a person in tests: accounts with passwords, CSRF tokens, signing in."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from durus.auth.passwords import hash_password
from durus.extensions import db
from durus.models import User, UserCredential
from tests.factories import make_user

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def make_account(password: str = PASSWORD, **fields: Any) -> User:
    """A user with a local password (hashing once per password keeps tests fast)."""
    user = make_user(**fields)
    db.session.add(UserCredential(user_id=user.id, password_hash=_hash(password)))
    db.session.flush()
    return user


_hashes: dict[str, str] = {}


def _hash(password: str) -> str:
    if password not in _hashes:
        _hashes[password] = hash_password(password)
    return _hashes[password]


def csrf_token(client: FlaskClient, path: str = "/auth/sign-in") -> str:
    """The token the pages give this client (from a form, or the htmx header)."""
    html = client.get(path).text
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def sign_in(
    client: FlaskClient, user: User, password: str = PASSWORD, remember: bool = False
) -> Any:
    data = {"email": user.email, "password": password, "csrf_token": csrf_token(client)}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/sign-in", data=data)
    assert response.status_code == 303, response.text
    return response


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST a form with this client's CSRF token, as the page would."""
    token = csrf_token(client, kwargs.pop("token_from", "/auth/sign-in"))
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)
