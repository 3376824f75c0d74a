"""Account operations. Plain functions: no request, no current_user; the view commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select

from .. import audit
from ..extensions import db
from ..models import (
    Favourite,
    Lecture,
    LibrarySeries,
    Series,
    User,
    UserCredential,
    UserIdentity,
    UserProgress,
)
from .passwords import hash_password, needs_rehash, verify_password


class EmailTaken(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(
        select(User).where(func.lower(User.email) == normalise_email(email).lower())
    )


def register(email: str, display_name: str, password: str, language: str = "en") -> User:
    """A new account; `language` is the interface language they were using."""
    if user_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        email=normalise_email(email), display_name=display_name.strip(), interface_language=language
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(UserCredential(user_id=user.id, password_hash=hash_password(password)))
    audit.record("user.signed_up", "user", user.id, actor_id=user.id)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account whose local password this is, or None (the same work either way)."""
    user = user_by_email(email)
    credential = db.session.get(UserCredential, user.id) if user else None
    if not verify_password(credential.password_hash if credential else None, password):
        return None
    assert credential is not None and user is not None
    if needs_rehash(credential.password_hash):
        credential.password_hash = hash_password(password)
    return user


def check_password(user: User, password: str) -> bool:
    credential = db.session.get(UserCredential, user.id)
    return credential is not None and verify_password(credential.password_hash, password)


def has_password(user: User) -> bool:
    return db.session.get(UserCredential, user.id) is not None


def end_all_sessions(user: User) -> None:
    """Every session and remember-me cookie of `user` stops working on its next request."""
    user.session_version += 1


def set_password(user: User, password: str, *, actor_id: Any) -> None:
    credential = db.session.get(UserCredential, user.id)
    if credential is None:
        db.session.add(UserCredential(user_id=user.id, password_hash=hash_password(password)))
    else:
        credential.password_hash = hash_password(password)
    end_all_sessions(user)
    audit.record("user.password_changed", "user", user.id, actor_id=actor_id)


def delete_account(user: User) -> None:
    """Remove the account and everything personal; the audit trail keeps that it happened."""
    audit.forget_personal_data("user", user.id)
    audit.record("user.deleted", "user", user.id, actor_id=None)
    db.session.execute(delete(User).where(User.id == user.id))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_data(user: User) -> dict[str, Any]:
    """Everything Durus holds about `user`, as plain JSON-ready data."""
    progress = db.session.execute(
        select(UserProgress, Lecture.slug, Lecture.title)
        .join(Lecture, Lecture.id == UserProgress.lecture_id)
        .where(UserProgress.user_id == user.id)
        .order_by(UserProgress.updated_at.desc())
    )
    favourites = db.session.execute(
        select(Favourite.created_at, Lecture.slug, Lecture.title)
        .join(Lecture, Lecture.id == Favourite.lecture_id)
        .where(Favourite.user_id == user.id)
        .order_by(Favourite.created_at.desc())
    )
    library = db.session.execute(
        select(LibrarySeries.created_at, Series.slug, Series.title)
        .join(Series, Series.id == LibrarySeries.series_id)
        .where(LibrarySeries.user_id == user.id)
        .order_by(LibrarySeries.created_at.desc())
    )
    identities = db.session.scalars(select(UserIdentity).where(UserIdentity.user_id == user.id))
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role.value,
            "created_at": _iso(user.created_at),
            "last_sign_in_at": _iso(user.last_sign_in_at),
            "has_password": has_password(user),
            "sign_in_providers": [i.issuer for i in identities],
        },
        "preferences": {
            "interface_language": user.interface_language,
            "time_zone": user.time_zone,
            "playback_rate": float(user.playback_rate),
            "autoplay_next": user.autoplay_next,
        },
        "progress": [
            {
                "lecture": slug,
                "title": title,
                "position_seconds": row.position_seconds,
                "completed_at": _iso(row.completed_at),
                "updated_at": _iso(row.updated_at),
            }
            for row, slug, title in progress
        ],
        "favourites": [
            {"lecture": slug, "title": title, "added_at": _iso(at)}
            for at, slug, title in favourites
        ],
        "library_series": [
            {"series": slug, "title": title, "added_at": _iso(at)} for at, slug, title in library
        ],
    }
