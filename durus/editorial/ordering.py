"""Reordering a series' lectures: positions stay 1..n, changed in one transaction (the unique
(series_id, position) constraint is deferred to its end) with one audit row."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text

from .. import audit
from ..extensions import db
from ..models import Lecture, Series


class NotInSeries(LookupError):
    """The lecture does not belong to this series."""


def lectures_in_order(series_id: uuid.UUID) -> list[Lecture]:
    return list(
        db.session.scalars(
            select(Lecture).where(Lecture.series_id == series_id).order_by(Lecture.position)
        )
    )


def move(
    series: Series,
    lecture_id: uuid.UUID,
    *,
    actor_id: uuid.UUID,
    direction: str | None = None,
    position: int | None = None,
) -> list[Lecture]:
    """Move one lecture up, down, or to `position` (clamped to 1..n); renumber all 1..n."""
    lectures = list(
        db.session.scalars(
            select(Lecture)
            .where(Lecture.series_id == series.id)
            .order_by(Lecture.position)
            .with_for_update()
        )
    )
    index = next((i for i, lec in enumerate(lectures) if lec.id == lecture_id), None)
    if index is None:
        raise NotInSeries(lecture_id)
    before = [str(lec.id) for lec in lectures]
    if direction == "up":
        target = index - 1
    elif direction == "down":
        target = index + 1
    else:
        target = (position or 1) - 1
    target = max(0, min(len(lectures) - 1, target))
    lectures.insert(target, lectures.pop(index))
    db.session.execute(text("SET CONSTRAINTS uq_lectures_series_id_position DEFERRED"))
    renumbered = False
    for number, lecture in enumerate(lectures, start=1):
        if lecture.position != number:
            lecture.position = number
            renumbered = True
    db.session.flush()
    after = [str(lec.id) for lec in lectures]
    if renumbered:
        audit.record(
            "series.reordered",
            "series",
            series.id,
            actor_id=actor_id,
            before={"order": before, "moved": str(lecture_id), "from": index + 1},
            after={"order": after, "moved": str(lecture_id), "to": target + 1},
        )
    return lectures
