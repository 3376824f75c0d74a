"""Saving where a listener is in a lecture: the reconciliation rule of ARCHITECTURE.md.

One INSERT … ON CONFLICT … DO UPDATE … WHERE applies an observation only when it is newer
than the stored one, so two devices, or a queue of offline pings replayed late, never move
progress back in time, and there is no read-modify-write race.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func
from sqlalchemy.dialects.postgresql import insert

from ..extensions import db
from ..models import UserProgress

ALLOWED_SKEW = timedelta(seconds=60)


@dataclass(frozen=True)
class Completion:
    """When a lecture counts as listened to: the end, the last `tail_seconds` (for lectures
    at least ten times that long: a short clip is not "nearly over" after a few seconds), or
    past `fraction` of it."""

    tail_seconds: int = 30
    fraction: Decimal = Decimal("0.97")

    def reached(self, position: float, duration: Decimal, ended: bool) -> bool:
        seconds = Decimal(str(position))
        in_tail = duration >= 10 * self.tail_seconds and seconds >= duration - self.tail_seconds
        return ended or in_tail or seconds >= duration * self.fraction


def observation_time(client_ms: int, now: datetime | None = None) -> datetime:
    """The client's clock, trusted up to a small skew into the future (then: now)."""
    now = now or datetime.now(UTC)
    observed = datetime.fromtimestamp(client_ms / 1000, UTC)
    return min(observed, now) if observed > now + ALLOWED_SKEW else observed


def save_progress(
    user_id: uuid.UUID,
    lecture_id: uuid.UUID,
    position: float,
    duration: Decimal,
    observed_at: datetime,
    ended: bool,
    completion: Completion,
) -> bool:
    """Store the observation if it is the newest; True when it was applied."""
    position = min(max(position, 0.0), float(duration))
    completed = observed_at if completion.reached(position, duration, ended) else None
    stmt = insert(UserProgress).values(
        user_id=user_id,
        lecture_id=lecture_id,
        position_seconds=position,
        completed_at=completed,
        observed_at=observed_at,
    )
    stored = UserProgress.__table__.c
    stmt = stmt.on_conflict_do_update(
        index_elements=[stored.user_id, stored.lecture_id],
        set_={
            "position_seconds": stmt.excluded.position_seconds,
            # Completion stays until the listener marks the lecture unplayed.
            "completed_at": func.coalesce(stored.completed_at, stmt.excluded.completed_at),
            "observed_at": stmt.excluded.observed_at,
            # Playing again after "remove from continue listening" undoes the removal.
            "dismissed_at": case(
                (stored.dismissed_at < stmt.excluded.observed_at, None),
                else_=stored.dismissed_at,
            ),
            "updated_at": func.now(),
        },
        where=stored.observed_at < stmt.excluded.observed_at,
    ).returning(stored.user_id)
    return db.session.execute(stmt).first() is not None
