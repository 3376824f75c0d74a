"""Saving where a listener is in a lecture: the reconciliation rule of ARCHITECTURE.md.

One statement does a ping's database work: it finds the lecture among the visible ones (with
its duration), checks that the signed-in account is still active at the session's version,
and applies the observation with INSERT … ON CONFLICT … DO UPDATE … WHERE only when it is
newer than the stored one, so two devices, or a queue of offline pings replayed late, never
move progress back in time, and there is no read-modify-write race. The ping is the hottest
path of the site: one round trip, no ORM objects.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import (
    CTE,
    Boolean,
    DateTime,
    Float,
    Integer,
    Numeric,
    Row,
    Select,
    and_,
    bindparam,
    case,
    func,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.elements import ColumnElement

from ..database import first_row
from ..extensions import db
from ..models import AccountState, Lecture, MediaAsset, User, UserProgress
from ..models.visibility import visible_lectures

ALLOWED_SKEW = timedelta(seconds=60)


@dataclass(frozen=True)
class Completion:
    """When a lecture counts as listened to: the end, the last `tail_seconds` (for lectures
    at least ten times that long: a short clip is not "nearly over" after a few seconds), or
    past `fraction` of it."""

    tail_seconds: int = 30
    fraction: Decimal = Decimal("0.97")


def _reached(position: Any, duration: Any) -> ColumnElement[bool]:
    """Completion's rule in SQL, over its parameters `ended`, `tail_seconds`, `fraction`."""
    tail = bindparam("tail_seconds", type_=Integer)
    in_tail = and_(duration >= 10 * tail, position >= duration - tail)
    ended = bindparam("ended", type_=Boolean)
    return or_(ended, in_tail, position >= duration * bindparam("fraction", type_=Numeric))


@dataclass(frozen=True)
class Observation:
    lecture_id: uuid.UUID
    position: float
    observed_at: datetime
    ended: bool


def observation_time(client_ms: int, now: datetime | None = None) -> datetime:
    """The client's clock, trusted up to a small skew into the future (then: now)."""
    now = now or datetime.now(UTC)
    observed = datetime.fromtimestamp(client_ms / 1000, UTC)
    return min(observed, now) if observed > now + ALLOWED_SKEW else observed


def _target() -> CTE:
    """The visible lecture with audio, its duration, and the position clamped to it."""
    return (
        visible_lectures(
            Lecture.id,
            Lecture.scholar_id,
            Lecture.series_id,
            MediaAsset.duration_seconds.label("duration"),
            func.least(
                func.greatest(bindparam("position", type_=Float), 0),
                MediaAsset.duration_seconds,
            ).label("position"),
        )
        .join(MediaAsset, MediaAsset.id == Lecture.audio_asset_id)
        .where(Lecture.id == bindparam("lecture"))
        .cte("target")
    )


@cache
def _anonymous_statement() -> Select[Any]:
    target = _target()
    return select(
        target.c.scholar_id,
        target.c.series_id,
        target.c.position,
        null().label("user_id"),
    )


@cache
def _signed_in_statement() -> Select[Any]:
    """Built once: constructing it is most of a ping's Python time otherwise."""
    target = _target()
    listener = (
        select(User.id)
        .where(
            User.id == bindparam("user"),
            User.session_version == bindparam("version"),
            User.state == AccountState.ACTIVE,
        )
        .cte("listener")
    )
    observed = bindparam("observed_at", type_=DateTime(timezone=True))
    stmt = insert(UserProgress).from_select(
        ["user_id", "lecture_id", "position_seconds", "completed_at", "observed_at"],
        select(
            listener.c.id,
            target.c.id,
            target.c.position,
            case((_reached(target.c.position, target.c.duration), observed)),
            observed,
        ).select_from(target.join(listener, true())),
    )
    stored = UserProgress.__table__.c
    saved = stmt.on_conflict_do_update(
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
    return (
        select(
            target.c.scholar_id,
            target.c.series_id,
            target.c.position,
            select(listener.c.id).scalar_subquery().label("user_id"),
        )
        .select_from(target)
        .add_cte(saved.cte("saved"))
    )


def record_observation(
    observation: Observation, account: tuple[uuid.UUID, int] | None, completion: Completion
) -> Row[Any] | None:
    """Apply a ping. None when the lecture is not visible (or has no audio); otherwise its
    scholar_id, series_id, the position clamped to the recording and `user_id`: the account
    when it is active at that session version (then its progress was saved if newer), else
    None. The caller commits."""
    params: dict[str, Any] = {
        "lecture": observation.lecture_id,
        "position": observation.position,
    }
    if account is None:
        return first_row(db.session, _anonymous_statement(), params)
    params.update(
        user=account[0],
        version=account[1],
        observed_at=observation.observed_at,
        ended=observation.ended,
        tail_seconds=completion.tail_seconds,
        fraction=completion.fraction,
    )
    return first_row(db.session, _signed_in_statement(), params)
