"""Password-reset links: signed and time-limited, never stored, and single-use because they
are bound to the password and session version they were issued for."""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import db
from ..models import User, UserCredential

SALT = "durus.password-reset"


def _serializer() -> URLSafeTimedSerializer:
    config = current_app.config
    # itsdangerous signs with the last key and accepts all of them: rotation keeps old links.
    keys = [*config["SECRET_KEY_FALLBACKS"], config["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=SALT)


def _fingerprint(user: User, credential: UserCredential | None) -> str:
    material = f"{credential.password_hash if credential else '-'}|{user.session_version}"
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def make_reset_token(user: User) -> str:
    credential = db.session.get(UserCredential, user.id)
    return _serializer().dumps({"u": str(user.id), "f": _fingerprint(user, credential)})


def user_for_reset_token(token: str, max_age: timedelta) -> User | None:
    """The user a valid, unused, unexpired token was issued to, else None."""
    try:
        data = _serializer().loads(token, max_age=int(max_age.total_seconds()))
        user = db.session.get(User, uuid.UUID(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None:
        return None
    credential = db.session.get(UserCredential, user.id)
    return user if data.get("f") == _fingerprint(user, credential) else None
