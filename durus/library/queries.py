"""The library's lists. Each page is one statement (keyset-paginated), whatever the size of the
listener's library, and every list goes through the single visibility definition: what is
unpublished or archived drops out, while the listener's rows stay for when it comes back."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Numeric, Select, and_, case, cast, func, select, union_all
from sqlalchemy.orm import contains_eager
from sqlalchemy.sql.elements import ColumnElement

from ..catalogue.queries import LectureWithProgress, lecture_rows, preload_languages
from ..extensions import db
from ..models import Favourite, Lecture, LibrarySeries, MediaAsset, Scholar, Series, UserProgress
from ..models.visibility import lecture_is_visible, series_is_visible, visible_lectures
from ..models.visibility import visible_series as visible_series_stmt
from ..pagination import BadCursor, Page, after, decode_cursor, encode_cursor

PAGE_SIZE = 20
MIN_LISTENED_SECONDS = 15  # less than this is a try, not something to continue


@dataclass(frozen=True)
class ListenedLecture(LectureWithProgress):
    @property
    def remaining_seconds(self) -> Decimal:
        duration = self.lecture.audio.duration_seconds if self.lecture.audio else Decimal(0)
        position = Decimal(str(self.progress.position_seconds)) if self.progress else Decimal(0)
        return max(duration - position, Decimal(0))


@dataclass(frozen=True)
class SeriesNext:
    """A followed series and its first lecture the listener has not completed."""

    lecture: Lecture
    progress: UserProgress | None
    number: int  # its place among the series' visible lectures, from 1
    total: int

    @property
    def series(self) -> Series:
        assert self.lecture.series is not None
        return self.lecture.series


@dataclass(frozen=True)
class SavedSeries:
    series: Series
    saved_at: datetime
    lecture_count: int
    completed_count: int
    total_seconds: Decimal
    remaining_seconds: Decimal


def _keyset(
    stmt: Select[Any],
    keys: Sequence[ColumnElement[Any]],
    parsers: Sequence[Callable[[str], Any]],
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], Callable[[Sequence[Any]], str | None]]:
    """Rows after `cursor`, newest first by `keys`; and a function of the cursor values of the
    last row that gives the next page's cursor (None when this page is the last)."""
    if cursor:
        raw = decode_cursor(cursor, len(keys))
        try:
            values = [parse(value) for parse, value in zip(parsers, raw, strict=True)]
        except (ValueError, ArithmeticError) as exc:
            raise BadCursor(cursor) from exc
        stmt = after(stmt, keys, values, descending=True)
    rows = list(db.session.execute(stmt.order_by(*(k.desc() for k in keys)).limit(limit + 1)))
    more = len(rows) > limit

    def next_cursor(values: Sequence[Any]) -> str | None:
        return encode_cursor(values) if more else None

    return rows[:limit], next_cursor


def _progress_of(user_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(UserProgress.lecture_id == Lecture.id, UserProgress.user_id == user_id)


# Continue listening, history, favourites: lists of lectures


def continue_listening(
    user_id: uuid.UUID, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page[ListenedLecture]:
    """Started, not completed, not removed by the listener; most recently listened first."""
    stmt = (
        lecture_rows(visible_lectures())
        .join(UserProgress, _progress_of(user_id))
        .add_columns(UserProgress)
        .where(
            UserProgress.completed_at.is_(None),
            UserProgress.dismissed_at.is_(None),
            UserProgress.position_seconds >= MIN_LISTENED_SECONDS,
        )
    )
    keys = [UserProgress.updated_at, Lecture.id]
    rows, next_cursor = _keyset(stmt, keys, [datetime.fromisoformat, uuid.UUID], cursor, limit)
    items = [ListenedLecture(lecture, progress) for lecture, progress in rows]
    last = items[-1] if items else None
    cursor_out = next_cursor([last.progress.updated_at, last.lecture.id]) if last else None
    return Page(items, cursor_out)


def history(
    user_id: uuid.UUID, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page[ListenedLecture]:
    """Completed lectures, most recently completed first."""
    stmt = (
        lecture_rows(visible_lectures())
        .join(UserProgress, _progress_of(user_id))
        .add_columns(UserProgress)
        .where(UserProgress.completed_at.is_not(None))
    )
    keys = [UserProgress.completed_at, Lecture.id]
    rows, next_cursor = _keyset(stmt, keys, [datetime.fromisoformat, uuid.UUID], cursor, limit)
    items = [ListenedLecture(lecture, progress) for lecture, progress in rows]
    last = items[-1] if items else None
    cursor_out = next_cursor([last.progress.completed_at, last.lecture.id]) if last else None
    return Page(items, cursor_out)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def by_day(items: list[ListenedLecture], tz: ZoneInfo) -> list[tuple[date, list[Any]]]:
    """History rows grouped by the listener's calendar day of completion (rows are in order)."""
    groups: list[tuple[date, list[Any]]] = []
    for item in items:
        assert item.progress is not None and item.progress.completed_at is not None
        day = item.progress.completed_at.astimezone(tz).date()
        if not groups or groups[-1][0] != day:
            groups.append((day, []))
        groups[-1][1].append(item)
    return groups


def cursor_day(cursor: str | None, tz: ZoneInfo) -> date | None:
    """The day of the row a history cursor ends at (so a day split over pages is not headed
    twice as if it were two days)."""
    if not cursor:
        return None
    try:
        return datetime.fromisoformat(decode_cursor(cursor, 2)[0]).astimezone(tz).date()
    except (BadCursor, ValueError):
        return None


@dataclass(frozen=True)
class FavouriteLecture(LectureWithProgress):
    favourited_at: datetime | None = None


def favourites(
    user_id: uuid.UUID,
    scholar_slug: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[FavouriteLecture]:
    """Favourite lectures, newest choice first; optionally only one scholar's."""
    stmt = (
        lecture_rows(visible_lectures())
        .join(Favourite, and_(Favourite.lecture_id == Lecture.id, Favourite.user_id == user_id))
        .outerjoin(UserProgress, _progress_of(user_id))
        .add_columns(UserProgress, Favourite.created_at)
    )
    if scholar_slug:
        stmt = stmt.where(Scholar.slug == scholar_slug)
    keys = [Favourite.created_at, Lecture.id]
    rows, next_cursor = _keyset(stmt, keys, [datetime.fromisoformat, uuid.UUID], cursor, limit)
    items = [FavouriteLecture(lecture, progress, at) for lecture, progress, at in rows]
    last = items[-1] if items else None
    cursor_out = next_cursor([last.favourited_at, last.lecture.id]) if last else None
    return Page(items, cursor_out)


def favourite_scholars(user_id: uuid.UUID) -> list[tuple[str, str]]:
    """(slug, name) of the scholars of the listener's visible favourites, by name."""
    stmt = (
        visible_lectures(Scholar.slug, Scholar.name)
        .join(Favourite, and_(Favourite.lecture_id == Lecture.id, Favourite.user_id == user_id))
        .group_by(Scholar.slug, Scholar.name)
        .order_by(Scholar.name, Scholar.slug)
    )
    return [(slug, name) for slug, name in db.session.execute(stmt)]


# Series: the ones a listener follows (saved, or started)


def continue_series(
    user_id: uuid.UUID, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page[SeriesNext]:
    """Saved or started series with a visible lecture not completed yet: that lecture ("next:
    lecture 8 of 20"), most recent activity (saving, or listening) first."""
    saved = select(LibrarySeries.series_id, LibrarySeries.created_at.label("at")).where(
        LibrarySeries.user_id == user_id
    )
    started = (
        select(Lecture.series_id, UserProgress.updated_at.label("at"))
        .join(Lecture, Lecture.id == UserProgress.lecture_id)
        .where(UserProgress.user_id == user_id, Lecture.series_id.is_not(None))
    )
    activity = union_all(saved, started).subquery("activity")
    followed = (
        select(activity.c.series_id, func.max(activity.c.at).label("at"))
        .group_by(activity.c.series_id)
        .cte("followed")
    )
    ranked = (
        visible_lectures(
            Lecture.id,
            Lecture.series_id,
            func.row_number()
            .over(partition_by=Lecture.series_id, order_by=Lecture.position)
            .label("number"),
            func.count().over(partition_by=Lecture.series_id).label("total"),
            UserProgress.completed_at,
        )
        .outerjoin(UserProgress, _progress_of(user_id))
        .where(Lecture.series_id.in_(select(followed.c.series_id)))
        .cte("ranked")
    )
    next_up = (
        select(ranked.c.series_id, func.min(ranked.c.number).label("number"))
        .where(ranked.c.completed_at.is_(None))
        .group_by(ranked.c.series_id)
        .cte("next_up")
    )
    stmt = (
        lecture_rows(visible_lectures())
        .join(ranked, ranked.c.id == Lecture.id)
        .join(
            next_up,
            and_(next_up.c.series_id == ranked.c.series_id, next_up.c.number == ranked.c.number),
        )
        .join(followed, followed.c.series_id == Lecture.series_id)
        .outerjoin(UserProgress, _progress_of(user_id))
        .add_columns(UserProgress, ranked.c.number, ranked.c.total, followed.c.at)
    )
    keys = [followed.c.at, followed.c.series_id]
    rows, next_cursor = _keyset(stmt, keys, [datetime.fromisoformat, uuid.UUID], cursor, limit)
    items = [SeriesNext(*row[:4]) for row in rows]
    last = rows[-1] if rows else None
    cursor_out = next_cursor([last[4], last[0].series_id]) if last else None
    return Page(items, cursor_out)


def saved_series(
    user_id: uuid.UUID, cursor: str | None = None, limit: int = PAGE_SIZE
) -> Page[SavedSeries]:
    """Saved series, newest first, each with how many of its visible lectures the listener has
    completed, and their total and remaining duration (computed here, never stored)."""
    preload_languages()
    duration = MediaAsset.duration_seconds
    position = cast(func.coalesce(UserProgress.position_seconds, 0), Numeric)
    listened = case(
        (UserProgress.completed_at.is_not(None), duration),
        else_=func.least(position, duration),
    )
    stmt = (
        select(
            Series,
            LibrarySeries.created_at,
            func.count(Lecture.id),
            func.count(UserProgress.completed_at),
            func.coalesce(func.sum(duration), 0),
            func.coalesce(func.sum(duration) - func.sum(listened), 0),
        )
        .select_from(LibrarySeries)
        .join(Series, Series.id == LibrarySeries.series_id)
        .join(Scholar, Series.scholar_id == Scholar.id)
        .outerjoin(Lecture, and_(Lecture.series_id == Series.id, lecture_is_visible()))
        .outerjoin(MediaAsset, MediaAsset.id == Lecture.audio_asset_id)
        .outerjoin(UserProgress, _progress_of(user_id))
        .options(contains_eager(Series.scholar))
        .where(LibrarySeries.user_id == user_id, series_is_visible())
        .group_by(Series.id, Scholar.id, LibrarySeries.created_at)
    )
    keys = [LibrarySeries.created_at, Series.id]
    rows, next_cursor = _keyset(stmt, keys, [datetime.fromisoformat, uuid.UUID], cursor, limit)
    items = [SavedSeries(*row) for row in rows]
    last = items[-1] if items else None
    cursor_out = next_cursor([last.saved_at, last.series.id]) if last else None
    return Page(items, cursor_out)


# One lecture or series, for the actions


def visible_lecture(slug: str) -> Lecture | None:
    stmt = lecture_rows(visible_lectures()).where(Lecture.slug == slug)
    return db.session.scalars(stmt).first()


def visible_series(slug: str) -> Series | None:
    preload_languages()
    stmt = visible_series_stmt().options(contains_eager(Series.scholar)).where(Series.slug == slug)
    return db.session.scalars(stmt).first()


def is_favourite(user_id: uuid.UUID, lecture_id: uuid.UUID) -> bool:
    return db.session.get(Favourite, (user_id, lecture_id)) is not None


def is_saved(user_id: uuid.UUID, series_id: uuid.UUID) -> bool:
    return db.session.get(LibrarySeries, (user_id, series_id)) is not None


def is_completed(user_id: uuid.UUID, lecture_id: uuid.UUID) -> bool:
    progress = db.session.get(UserProgress, (user_id, lecture_id))
    return progress is not None and progress.completed_at is not None
