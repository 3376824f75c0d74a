"""Writes to a listener's own rows. Every function takes the user id from the caller (the
signed-in user), never from a request, and is idempotent: a repeated or replayed call leaves
the same state and never fails on a duplicate key."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, func, update
from sqlalchemy.dialects.postgresql import insert

from ..extensions import db
from ..models import Favourite, LibrarySeries, UserProgress


def _set_choice(
    model: type[Any], user_id: uuid.UUID, item: str, item_id: uuid.UUID, on: bool
) -> None:
    """Insert (ignoring a duplicate) or delete the (user, item) row of an explicit choice."""
    if on:
        db.session.execute(
            insert(model)
            .values(user_id=user_id, **{item: item_id})
            .on_conflict_do_nothing(index_elements=["user_id", item])
        )
    else:
        db.session.execute(
            delete(model).where(model.user_id == user_id, getattr(model, item) == item_id)
        )


def set_favourite(user_id: uuid.UUID, lecture_id: uuid.UUID, on: bool) -> None:
    _set_choice(Favourite, user_id, "lecture_id", lecture_id, on)


def set_series_saved(user_id: uuid.UUID, series_id: uuid.UUID, on: bool) -> None:
    _set_choice(LibrarySeries, user_id, "series_id", series_id, on)


def mark_played(user_id: uuid.UUID, lecture_id: uuid.UUID, duration: Decimal) -> None:
    """Completed now (an earlier completion is kept). It counts as an observation made now, so
    pings the player queued before it cannot move the lecture back into "in progress"."""
    stmt = insert(UserProgress).values(
        user_id=user_id,
        lecture_id=lecture_id,
        position_seconds=float(duration),
        completed_at=func.now(),
        observed_at=func.now(),
    )
    stored = UserProgress.__table__.c
    db.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[stored.user_id, stored.lecture_id],
            set_={
                "position_seconds": stmt.excluded.position_seconds,
                "completed_at": func.coalesce(stored.completed_at, func.now()),
                "observed_at": func.greatest(stored.observed_at, func.now()),
                "updated_at": func.now(),
            },
        )
    )


def mark_unplayed(user_id: uuid.UUID, lecture_id: uuid.UUID) -> None:
    """Back to new: the progress row goes (so the lecture leaves history and continue
    listening, and its player starts at the beginning)."""
    db.session.execute(
        delete(UserProgress).where(
            UserProgress.user_id == user_id, UserProgress.lecture_id == lecture_id
        )
    )


def dismiss(user_id: uuid.UUID, lecture_id: uuid.UUID) -> None:
    """Remove from "continue listening" until the listener plays the lecture again (the
    progress upsert clears dismissed_at for a newer observation). The position is kept."""
    db.session.execute(
        update(UserProgress)
        .where(
            and_(
                UserProgress.user_id == user_id,
                UserProgress.lecture_id == lecture_id,
                UserProgress.dismissed_at.is_(None),
            )
        )
        # updated_at says when the lecture was last listened to: a removal is not listening.
        .values(dismissed_at=func.now(), updated_at=UserProgress.updated_at)
    )
