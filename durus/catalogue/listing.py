"""Lists of lectures with filters, sort orders and keyset pagination (browse, topic and
language pages share it)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Lecture, LectureTopic, MediaAsset, Scholar, Series, Topic
from ..models.visibility import visible_lectures
from ..pagination import BadCursor, Page, after, decode_cursor, encode_cursor
from .queries import lecture_rows

PAGE_SIZE = 20


@dataclass(frozen=True)
class Sort:
    label: Any  # a lazy string: shown in the interface language
    key: ColumnElement[Any]
    descending: bool
    parse: Any  # turns the cursor's text back into the key's type

    def value(self, lecture: Lecture) -> Any:
        if self.key is MediaAsset.duration_seconds:
            return lecture.audio.duration_seconds if lecture.audio else Decimal(0)
        return lecture.published_at


SORTS: dict[str, Sort] = {
    "newest": Sort(_l("Newest first"), Lecture.published_at, True, datetime.fromisoformat),
    "oldest": Sort(_l("Oldest first"), Lecture.published_at, False, datetime.fromisoformat),
    "longest": Sort(_l("Longest first"), MediaAsset.duration_seconds, True, Decimal),
    "shortest": Sort(_l("Shortest first"), MediaAsset.duration_seconds, False, Decimal),
}
DEFAULT_SORT = "newest"


@dataclass(frozen=True)
class LectureFilters:
    scholar: str | None = None  # slugs and a language code, as in the URL
    series: str | None = None
    topic: str | None = None
    language: str | None = None
    min_minutes: int | None = None
    max_minutes: int | None = None
    standalone: bool = False  # only lectures outside any series


def _filtered(filters: LectureFilters) -> Any:
    stmt = lecture_rows(visible_lectures())
    if filters.scholar:
        stmt = stmt.where(Scholar.slug == filters.scholar)
    if filters.series:
        stmt = stmt.where(Series.slug == filters.series)
    if filters.topic:
        tagged = (
            select(LectureTopic.lecture_id)
            .join(Topic, Topic.id == LectureTopic.topic_id)
            .where(Topic.slug == filters.topic)
        )
        stmt = stmt.where(Lecture.id.in_(tagged))
    if filters.language:
        stmt = stmt.where(Lecture.language_code == filters.language)
    if filters.standalone:
        stmt = stmt.where(Lecture.series_id.is_(None))
    if filters.min_minutes is not None:
        stmt = stmt.where(MediaAsset.duration_seconds >= filters.min_minutes * 60)
    if filters.max_minutes is not None:
        stmt = stmt.where(MediaAsset.duration_seconds <= filters.max_minutes * 60)
    return stmt


def lecture_page(
    filters: LectureFilters, sort_name: str = DEFAULT_SORT, cursor: str | None = None
) -> Page[Lecture]:
    """One page of visible lectures. Raises BadCursor for a cursor this site did not make."""
    sort = SORTS[sort_name]
    keys = [sort.key, Lecture.id]
    stmt = _filtered(filters)
    if cursor:
        raw_key, raw_id = decode_cursor(cursor, 2)
        try:
            values = [sort.parse(raw_key), uuid.UUID(raw_id)]
        except (ValueError, ArithmeticError) as exc:
            raise BadCursor(cursor) from exc
        stmt = after(stmt, keys, values, sort.descending)
    order = [k.desc() if sort.descending else k.asc() for k in keys]
    rows = list(db.session.scalars(stmt.order_by(*order).limit(PAGE_SIZE + 1)).unique())
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        last = rows[PAGE_SIZE - 1]
        next_cursor = encode_cursor([sort.value(last), last.id])
        rows = rows[:PAGE_SIZE]
    return Page(rows, next_cursor)
