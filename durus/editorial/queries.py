"""Read queries of the workspace: bounded lists, a fixed number of statements per page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import Select, func, literal, select, union_all
from sqlalchemy.orm import contains_eager
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from ..models import (
    AuditEntry,
    EditorialNote,
    Language,
    Lecture,
    PublicationState,
    Scholar,
    Series,
    User,
)
from ..pagination import BadCursor, Page, after, decode_cursor, encode_cursor

LIST_SIZE = 25
HISTORY_SIZE = 50
STATES = ("draft", "scheduled", "published", "archived")


@dataclass(frozen=True)
class Filters:
    q: str = ""
    state: str = ""
    scholar_id: uuid.UUID | None = None
    series_id: uuid.UUID | None = None

    @property
    def active(self) -> bool:
        return bool(self.q or self.state or self.scholar_id or self.series_id)


def state_label(item: Series | Lecture, now: datetime) -> str:
    if item.state is PublicationState.PUBLISHED and item.published_at and item.published_at > now:
        return "scheduled"
    return item.state.value


def language_name(code: str, name_en: str) -> str:
    """A content language named in the reader's language (CLDR's names, through Babel); the
    stored English name for English readers and for a code CLDR does not know."""
    reader = get_locale()
    if reader is None or reader.language == "en":
        return name_en
    try:
        return Locale.parse(code, sep="-").get_display_name(reader) or name_en
    except (ValueError, UnknownLocaleError):
        return name_en


def languages() -> list[tuple[str, str]]:
    """(code, name in the reader's language) of every content language, by that name."""
    rows = db.session.execute(select(Language.code, Language.name_en).order_by(Language.name_en))
    return sorted(((code, language_name(code, name)) for code, name in rows), key=lambda r: r[1])


def language_choices(optional: bool = False) -> list[tuple[str, str]]:
    choices = [(code, f"{name} ({code})") for code, name in languages()]
    return [("", "—"), *choices] if optional else choices


def scholars_in_scope(scope: list[uuid.UUID] | None) -> list[Scholar]:
    stmt = select(Scholar).order_by(Scholar.name).limit(500)
    if scope is not None:
        stmt = stmt.where(Scholar.id.in_(scope))
    return list(db.session.scalars(stmt))


def _state_clause(model: Any, state: str) -> ColumnElement[bool] | None:
    if state == "scheduled":
        return (model.state == PublicationState.PUBLISHED) & (model.published_at > func.now())
    if state == "published":
        return (model.state == PublicationState.PUBLISHED) & (model.published_at <= func.now())
    if state in ("draft", "archived"):
        return model.state == PublicationState(state)
    return None


def _filtered(model: Any, scope: list[uuid.UUID] | None, filters: Filters) -> Select[Any]:
    stmt = select(model).order_by(model.updated_at.desc(), model.id.desc()).limit(LIST_SIZE)
    if scope is not None:
        stmt = stmt.where(model.scholar_id.in_(scope))
    if filters.q:
        stmt = stmt.where(model.title.icontains(filters.q, autoescape=True))
    clause = _state_clause(model, filters.state)
    if clause is not None:
        stmt = stmt.where(clause)
    if filters.scholar_id:
        stmt = stmt.where(model.scholar_id == filters.scholar_id)
    if filters.series_id:
        column = Series.id if model is Series else Lecture.series_id
        stmt = stmt.where(column == filters.series_id)
    return stmt


def workspace_sections(
    scope: list[uuid.UUID] | None, filters: Filters
) -> list[tuple[str, list[Series], list[Lecture]]]:
    """(heading, series, lectures): the search results when filtering; otherwise drafts,
    scheduled and recently changed items. Two statements per section (plus eager loads)."""
    if filters.active:
        wanted = [(_("Results"), filters)]
    else:
        wanted = [
            (_("Drafts"), Filters(state="draft")),
            (_("Scheduled"), Filters(state="scheduled")),
            (_("Recently changed"), Filters()),
        ]
    headings, chosen = zip(*wanted, strict=True)
    series, lectures = _sections(Series, scope, chosen), _sections(Lecture, scope, chosen)
    return list(zip(headings, series, lectures, strict=True))


def _sections(
    model: Any, scope: list[uuid.UUID] | None, wanted: tuple[Filters, ...]
) -> list[list[Any]]:
    """Each filter's newest rows of `model`: the ids of every section in one statement (a
    UNION ALL of the sections' own ordered, limited selects), then the rows with their
    scholar (and series) in a second, whatever the number of sections."""
    parts = [
        _filtered(model, scope, f)
        .with_only_columns(literal(n).label("section"), model.id, model.updated_at)
        .subquery()
        .select()
        for n, f in enumerate(wanted)
    ]
    picked = db.session.execute(union_all(*parts)).all()
    stmt = select(model).join(Scholar, model.scholar_id == Scholar.id)
    stmt = stmt.options(contains_eager(model.scholar))
    if model is Lecture:
        stmt = stmt.outerjoin(Series, Lecture.series_id == Series.id).options(
            contains_eager(Lecture.series)
        )
    stmt = stmt.where(model.id.in_({p.id for p in picked}))
    loaded = {row.id: row for row in db.session.scalars(stmt)}
    ordered = sorted(picked, key=lambda p: (p.updated_at, p.id), reverse=True)
    return [[loaded[p.id] for p in ordered if p.section == n] for n in range(len(wanted))]


def series_options(scope: list[uuid.UUID] | None, scholar_id: uuid.UUID | None) -> list[Series]:
    stmt = select(Series).order_by(Series.title).limit(500)
    if scope is not None:
        stmt = stmt.where(Series.scholar_id.in_(scope))
    if scholar_id is not None:
        stmt = stmt.where(Series.scholar_id == scholar_id)
    return list(db.session.scalars(stmt))


def notes_of(**subject: uuid.UUID) -> list[tuple[EditorialNote, str | None]]:
    ((column, value),) = subject.items()
    rows = db.session.execute(
        select(EditorialNote, User.display_name)
        .outerjoin(User, User.id == EditorialNote.author_id)
        .where(getattr(EditorialNote, column) == value)
        .order_by(EditorialNote.created_at.desc(), EditorialNote.id.desc())
        .limit(200)
    )
    return [(note, name) for note, name in rows]


def history(entity_type: str, entity_id: uuid.UUID, cursor: str | None) -> Page[Any]:
    """Audit entries of one item, newest first, keyset-paginated."""
    stmt = (
        select(AuditEntry, User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(HISTORY_SIZE + 1)
    )
    if cursor:
        moment, entry_id = decode_cursor(cursor, 2)
        try:
            values = (datetime.fromisoformat(moment), uuid.UUID(entry_id))
        except ValueError as exc:
            raise BadCursor(cursor) from exc
        stmt = after(stmt, (AuditEntry.created_at, AuditEntry.id), values, descending=True)
    rows = list(db.session.execute(stmt))
    more = len(rows) > HISTORY_SIZE
    rows = rows[:HISTORY_SIZE]
    last = rows[-1][0] if rows and more else None
    next_cursor = encode_cursor([last.created_at.isoformat(), last.id]) if last else None
    return Page(items=[(entry, name) for entry, name in rows], next_cursor=next_cursor)


def lecture_endpoint(name: str) -> str | None:
    """An endpoint of the lecture pages if the application has it (they live elsewhere)."""
    endpoint = f"editorial.{name}"
    return endpoint if endpoint in current_app.view_functions else None
