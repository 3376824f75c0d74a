"""Reading the audit log: filtered, newest first, keyset-paginated, with the names of the
people and things the entries are about.

Each filter is an equality on the leading column(s) of an index that ends in
(created_at DESC, id DESC) (migration 0005), so a page is a short index range scan whatever the
size of the log; the date range and the cursor bound that same range.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, literal, select, text, union_all

from ..extensions import db
from ..models import AuditEntry, Lecture, Scholar, Series, User
from ..pagination import BadCursor, Page, after, decode_cursor, encode_cursor

PAGE_SIZE = 50
EXPORT_BATCH = 500
ORDER = (AuditEntry.created_at, AuditEntry.id)


@dataclass(frozen=True)
class AuditFilters:
    actor_id: uuid.UUID | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: uuid.UUID | None = None
    date_from: date | None = None  # inclusive UTC dates
    date_to: date | None = None


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor_name: str | None
    actor_email: str | None

    @property
    def when(self) -> datetime:
        return self.entry.created_at.astimezone(UTC)


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _filtered(filters: AuditFilters) -> Select[Any]:
    stmt = select(AuditEntry, User.display_name, User.email).outerjoin(
        User, User.id == AuditEntry.actor_id
    )
    if filters.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        stmt = stmt.where(AuditEntry.action == filters.action)
    if filters.entity_type:
        stmt = stmt.where(AuditEntry.entity_type == filters.entity_type)
        if filters.entity_id is not None:
            stmt = stmt.where(AuditEntry.entity_id == filters.entity_id)
    if filters.date_from is not None:
        stmt = stmt.where(AuditEntry.created_at >= start_of(filters.date_from))
    if filters.date_to is not None and filters.date_to < date.max:
        stmt = stmt.where(AuditEntry.created_at < start_of(filters.date_to + timedelta(days=1)))
    return stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())


def _position(cursor: str) -> tuple[datetime, uuid.UUID]:
    moment, entry_id = decode_cursor(cursor, 2)
    try:
        values = (datetime.fromisoformat(moment), uuid.UUID(entry_id))
    except ValueError as exc:
        raise BadCursor(cursor) from exc
    if values[0].tzinfo is None:
        raise BadCursor(cursor)
    return values


def _rows(
    filters: AuditFilters, position: tuple[datetime, uuid.UUID] | None, limit: int
) -> Page[AuditRow]:
    stmt = _filtered(filters).limit(limit + 1)
    if position is not None:
        stmt = after(stmt, ORDER, position, descending=True)
    rows = [AuditRow(entry, name, email) for entry, name, email in db.session.execute(stmt)]
    if len(rows) <= limit:
        return Page(items=rows, next_cursor=None)
    last = rows[limit - 1].entry
    return Page(
        items=rows[:limit], next_cursor=encode_cursor([last.created_at.isoformat(), last.id])
    )


def entry_page(filters: AuditFilters, cursor: str | None) -> Page[AuditRow]:
    """One page of entries, newest first; BadCursor for a cursor this site did not make."""
    return _rows(filters, _position(cursor) if cursor else None, PAGE_SIZE)


def entry_batches(filters: AuditFilters, size: int = EXPORT_BATCH) -> Iterator[list[AuditRow]]:
    """Every matching entry, newest first, in batches of `size` read one after another (an
    export holds one batch in memory, never the whole log)."""
    position = None
    while True:
        page = _rows(filters, position, size)
        if page.items:
            yield page.items
        if page.next_cursor is None:
            return
        last = page.items[-1].entry
        position = (last.created_at, last.id)


# How an entity is named, per type that has a table; other types are shown by type and ID.
LABELS: dict[str, tuple[Any, Any]] = {
    "user": (User.id, func.concat(User.display_name, " (", User.email, ")")),
    "scholar": (Scholar.id, Scholar.name),
    "series": (Series.id, Series.title),
    "lecture": (Lecture.id, Lecture.title),
}


def entity_labels(entries: Iterable[AuditEntry]) -> dict[tuple[str, uuid.UUID], str]:
    """The names of the entities of these entries, in one statement whatever their types.
    An entity missing from the answer no longer exists."""
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    for entry in entries:
        if entry.entity_id is not None and entry.entity_type in LABELS:
            wanted[entry.entity_type].add(entry.entity_id)
    if not wanted:
        return {}
    parts = [
        select(literal(kind).label("kind"), key.label("id"), label.label("label")).where(
            key.in_(sorted(ids))
        )
        for kind, ids in sorted(wanted.items())
        for key, label in [LABELS[kind]]
    ]
    stmt = union_all(*parts) if len(parts) > 1 else parts[0]
    return {(kind, entity_id): label for kind, entity_id, label in db.session.execute(stmt)}


@dataclass(frozen=True)
class Entity:
    """What an entry is about: its name, or that it no longer exists."""

    kind: str
    id: uuid.UUID | None
    label: str | None
    deleted: bool

    @property
    def text(self) -> str:
        return "(deleted)" if self.deleted else self.label or ""


def entity_of(entry: AuditEntry, labels: dict[tuple[str, uuid.UUID], str]) -> Entity:
    if entry.entity_id is None or entry.entity_type not in LABELS:
        return Entity(entry.entity_type, entry.entity_id, None, deleted=False)
    label = labels.get((entry.entity_type, entry.entity_id))
    return Entity(entry.entity_type, entry.entity_id, label, deleted=label is None)


# Distinct values by skipping through the index (a "loose index scan"): one short index probe
# per distinct value, instead of reading every row of the log as SELECT DISTINCT would.
_DISTINCT = text(
    """
    WITH RECURSIVE actions(value) AS (
        SELECT min(action) FROM audit_log
        UNION ALL
        SELECT (SELECT min(action) FROM audit_log WHERE action > actions.value)
        FROM actions WHERE actions.value IS NOT NULL
    ), entity_types(value) AS (
        SELECT min(entity_type) FROM audit_log
        UNION ALL
        SELECT (SELECT min(entity_type) FROM audit_log WHERE entity_type > entity_types.value)
        FROM entity_types WHERE entity_types.value IS NOT NULL
    )
    SELECT 'action', value FROM actions WHERE value IS NOT NULL
    UNION ALL
    SELECT 'entity_type', value FROM entity_types WHERE value IS NOT NULL
    """
)


def filter_choices() -> dict[str, list[str]]:
    """The actions and entity types present in the log, sorted."""
    found: dict[str, list[str]] = {"actions": [], "entity_types": []}
    for column, value in db.session.execute(_DISTINCT):
        found["actions" if column == "action" else "entity_types"].append(value)
    return {name: sorted(values) for name, values in found.items()}


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def user_by_id(user_id: uuid.UUID) -> User | None:
    return db.session.get(User, user_id)
