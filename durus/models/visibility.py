"""What a listener may see, defined once and used by every listener page, feed and list.

A lecture is visible when it is published (and its publication time has come), its scholar
is active, and, if it belongs to a series, that series is visible too. A series is visible
when it is published (time come) and its scholar is active.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from .enums import PublicationState
from .lectures import Lecture
from .scholars import Scholar
from .series import Series


def scholar_is_visible() -> ColumnElement[bool]:
    return Scholar.is_active.is_(True)


def series_is_visible() -> ColumnElement[bool]:
    """Needs Series and its Scholar in the FROM clause (see visible_series)."""
    return and_(
        Series.state == PublicationState.PUBLISHED,
        Series.published_at <= func.now(),
        scholar_is_visible(),
    )


def lecture_is_visible() -> ColumnElement[bool]:
    """Needs Lecture, its Scholar and (outer-joined) Series in the FROM clause."""
    return and_(
        Lecture.state == PublicationState.PUBLISHED,
        Lecture.published_at <= func.now(),
        scholar_is_visible(),
        or_(
            Lecture.series_id.is_(None),
            and_(Series.state == PublicationState.PUBLISHED, Series.published_at <= func.now()),
        ),
    )


def visible_lectures(*entities: Any) -> Select[Any]:
    """SELECT entities (Lecture by default) FROM lectures JOIN scholars LEFT JOIN series,
    restricted to what a listener may see. Callers add columns, order and limits."""
    return (
        select(*(entities or (Lecture,)))
        .select_from(Lecture)
        .join(Scholar, Lecture.scholar_id == Scholar.id)
        .outerjoin(Series, Lecture.series_id == Series.id)
        .where(lecture_is_visible())
    )


def visible_series(*entities: Any) -> Select[Any]:
    return (
        select(*(entities or (Series,)))
        .select_from(Series)
        .join(Scholar, Series.scholar_id == Scholar.id)
        .where(series_is_visible())
    )
