"""Signed-in sessions: who the cookie says, whether that is still true, and for how long.

Flask-Login keeps "<user id>:<session version>" in the session and the remember-me cookie.
The loader accepts it only while the account is active and the version current, so
bumping the version (sign-out, password change, suspension) ends every copy at once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask import Flask, current_app, session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user, user_loaded_from_cookie

from ..extensions import db, login_manager
from ..i18n import lazy_gettext as _l
from ..models import AccountState, User

AUTH_AT = "_durus_auth_at"
SEEN_AT = "_durus_seen_at"
REMEMBER = "_durus_remember"
SEEN_RESOLUTION = 60  # seconds: the session cookie is rewritten at most once a minute


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    try:
        key, expected = uuid.UUID(user_id), int(version)
    except ValueError:
        return None
    user = db.session.get(User, key)
    if user is None or user.session_version != expected or user.state is not AccountState.ACTIVE:
        return None
    return user


def _now() -> int:
    return int(datetime.now(UTC).timestamp())


def mark_signed_in(remember: bool) -> None:
    now = _now()
    session[AUTH_AT] = now
    session[SEEN_AT] = now
    session[REMEMBER] = remember


def _restored_from_cookie(_app: Flask, user: User) -> None:
    # The remember-me cookie expires REMEMBER_COOKIE_DURATION after sign-in: that is the
    # absolute bound; the restored session starts its own clock.
    mark_signed_in(remember=True)


def enforce_lifetimes() -> None:
    """End a session that has been idle, or alive, for too long."""
    if not current_user.is_authenticated:
        return
    config = current_app.config
    remembered = session.get(REMEMBER, False)
    idle = config["REMEMBER_COOKIE_DURATION"] if remembered else config["SESSION_IDLE_TIMEOUT"]
    longest = config["REMEMBER_COOKIE_DURATION"] if remembered else config["SESSION_MAX_AGE"]
    now = _now()
    auth_at, seen_at = session.get(AUTH_AT, 0), session.get(SEEN_AT, 0)
    if now - seen_at > idle.total_seconds() or now - auth_at > longest.total_seconds():
        logout_user()
        session.clear()
        return
    if now - seen_at >= SEEN_RESOLUTION:
        session[SEEN_AT] = now


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.localize_callback = str  # flashed (kept in the session) as plain text
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    user_loaded_from_cookie.connect(_restored_from_cookie, app)
    app.before_request(enforce_lifetimes)


def sign_in(user: User, remember: bool) -> None:
    """Start a fresh session for `user` (nothing of the anonymous session is carried over)."""
    session.clear()
    login_user(user, remember=remember)
    mark_signed_in(remember)
    user.last_sign_in_at = datetime.now(UTC)


def renew_after_version_change(user: User) -> None:
    """Keep this browser signed in after end_all_sessions() ended the others."""
    login_user(user, remember=bool(session.get(REMEMBER)))


def inactive_account_message(user: User) -> str:
    """Why this account may not sign in, as its owner is told."""
    if user.state is AccountState.SUSPENDED:
        return _("This account is suspended. Contact us if you think this is wrong.")
    return _("This account is deactivated. Contact us if you think this is wrong.")


def sign_out() -> None:
    logout_user()
    session.clear()
