"""Signed-in sessions: who the cookie says, whether that is still true, and for how long.

Flask-Login keeps "<user id>:<session version>" in the session and the remember-me cookie.
The loader accepts it only while the account is active and the version current, so
bumping the version (sign-out, password change, suspension) ends every copy at once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask import Flask, current_app, request, session
from flask_babel import gettext as _
from flask_login import COOKIE_NAME, current_user, login_user, logout_user, user_loaded_from_cookie

from ..extensions import db, login_manager
from ..i18n import lazy_gettext as _l
from ..models import AccountState, User

AUTH_AT = "_durus_auth_at"
SEEN_AT = "_durus_seen_at"
REMEMBER = "_durus_remember"
SEEN_RESOLUTION = 60  # seconds: the session cookie is rewritten at most once a minute


def parse_session_id(session_id: str) -> tuple[uuid.UUID, int] | None:
    user_id, _, version = session_id.partition(":")
    try:
        return uuid.UUID(user_id), int(version)
    except ValueError:
        return None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    parsed = parse_session_id(session_id)
    if parsed is None:
        return None
    key, expected = parsed
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


def _remember_cookie() -> str:
    return current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)


def claimed_account() -> tuple[uuid.UUID, int] | None:
    """(user id, session version) as this session states it, not yet checked against the
    account: the hot paths check both in their own statement instead of loading the user.
    A session restored from the remember-me cookie goes through Flask-Login's loader."""
    if "_user_id" not in session and _remember_cookie() in request.cookies:
        current_user._get_current_object()  # restores the session, or leaves it anonymous
    session_id = session.get("_user_id")
    return parse_session_id(session_id) if isinstance(session_id, str) else None


def enforce_lifetimes() -> None:
    """End a session that has been idle, or alive, for too long. (Only the session's own
    clock is read: whether its account is still valid is the loader's business, so a request
    that never needs the user loads no user.)"""
    if "_user_id" not in session:
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
