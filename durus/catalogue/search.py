"""Search: scholars, series and lectures by words, with Arabic normalisation and trigrams.

PostgreSQL does the matching with the functions of migration 0003_search, on the very
expressions its GIN indexes hold (declared below, once, for the queries and for the
schema comparison): full text ('english' and 'arabic') OR enough shared trigrams for a
misspelling. Ranking: exact title (or name) first, then full-text rank, then trigram
similarity. Python only marks the matched words (durus/search_text.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Generic, TypeVar

from flask import abort, request
from markupsafe import Markup
from sqlalchemy import ARRAY, Float, Index, Select, Text, and_, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import contains_eager
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.wrappers import Response

from ..extensions import db
from ..htmx import render
from ..models import Lecture, Scholar, Series
from ..models.visibility import scholar_is_visible, visible_lectures, visible_series
from ..pagination import BadCursor, Page, after, decode_cursor, encode_cursor
from ..search_text import clean_query, highlight, trigrams, words
from . import bp
from .queries import lecture_rows, preload_languages

LECTURE_LIMIT = 20
SERIES_LIMIT = 10
SCHOLAR_LIMIT = 10
SIMILAR = 0.6  # share of the query's trigrams a title must hold: above 0.5 (durus_trigram_probe)

T = TypeVar("T")
TEXTS = ARRAY(Text)


def _trigrams(value: Any) -> ColumnElement[Any]:
    return func.durus_trigrams(value, type_=TEXTS)


@dataclass(frozen=True)
class Indexed:
    """What is searched in one table: its stored tsvector and title trigrams (both indexed)
    and its titles' folded words (migration 0006 keeps all three)."""

    document: Any
    trigrams: Any
    titles: Any


LECTURES = Indexed(Lecture.search_document, Lecture.search_trigrams, Lecture.search_titles)
SERIES = Indexed(Series.search_document, Series.search_trigrams, Series.search_titles)
SCHOLARS = Indexed(Scholar.search_document, Scholar.search_trigrams, Scholar.search_titles)

# The migration creates these; declaring them keeps autogenerate from dropping them.
for _table, _indexed in (("lectures", LECTURES), ("series", SERIES), ("scholars", SCHOLARS)):
    for _column in (_indexed.document, _indexed.trigrams):
        Index(
            f"ix_{_table}_{_column.key}_stored",
            _column,
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        )


def probe_trigrams(query: str) -> list[str]:
    """The query's trigrams to look up in the trigram index: a title similar enough (SIMILAR
    of the query's trigrams) must hold at least one of them, so leaving out the rest loses
    nothing. Word starts ("  x") and second trigrams (" xy") are what most titles share: the
    Arabic article alone makes " ال" the second trigram of most Arabic words, and looking it
    up read 150,000 candidates at 300,000 lectures. They are left out whenever they make up
    less than SIMILAR of the query's trigrams; otherwise (short words) only the starts are,
    which are never more than half (as 0003's durus_trigram_probe did, in SQL)."""
    grams = trigrams(query)
    starts = {g for g in grams if g.startswith("  ")}
    seconds = {g for g in grams if g[0] == " " and g[1] != " "}
    if grams - starts - seconds and len(starts | seconds) < SIMILAR * len(grams):
        return sorted(grams - starts - seconds)
    return sorted(grams - starts)


@dataclass(frozen=True)
class Ranked:
    """The WHERE clause and the sort keys (all descending) of a search in one table."""

    where: ColumnElement[bool]
    keys: tuple[ColumnElement[Any], ...]


def _ranked(indexed: Indexed, query: str) -> Ranked:
    q = bindparam("q", query, type_=Text)
    tsquery = func.durus_search_query(q, type_=TSQUERY)
    query_trigrams = _trigrams(q)
    similarity = func.durus_similarity(query_trigrams, indexed.trigrams, type_=Float)
    query_words = func.array_to_string(func.durus_words(q, type_=TEXTS), " ")
    exact = query_words == any_(indexed.titles)
    probe = bindparam("probe", probe_trigrams(query), type_=TEXTS)
    where = or_(
        indexed.document.op("@@")(tsquery),
        and_(indexed.trigrams.op("&&")(probe), similarity >= SIMILAR),
    )
    rank = func.ts_rank(indexed.document, tsquery).cast(Float)
    return Ranked(where, (func.coalesce(exact, False), rank, similarity))


@dataclass(frozen=True)
class Group(Generic[T]):
    items: list[T]
    total: int


class MarkedLecture:
    """A lecture as a result row shows it: the lecture, with the matched words of its title
    marked (the row macro prints `title`, escaped text or this Markup)."""

    def __init__(self, lecture: Lecture, query: str) -> None:
        self._lecture = lecture
        self.title: Markup = highlight(lecture.title, query)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lecture, name)


def scholar_search(query: str) -> Select[Any]:
    """Visible scholars matching `query`, best first, with the count of all matches."""
    ranked = _ranked(SCHOLARS, query)
    preload_languages()
    return (
        select(Scholar, func.count().over())
        .where(scholar_is_visible(), ranked.where)
        .order_by(*(k.desc() for k in ranked.keys), Scholar.name, Scholar.id)
        .limit(SCHOLAR_LIMIT)
    )


def series_search(query: str) -> Select[Any]:
    """Visible series matching `query`, best first, with the count of all matches."""
    ranked = _ranked(SERIES, query)
    preload_languages()
    return (
        visible_series(Series, func.count().over())
        .options(contains_eager(Series.scholar))
        .where(ranked.where)
        .order_by(*(k.desc() for k in ranked.keys), Series.title, Series.id)
        .limit(SERIES_LIMIT)
    )


def lecture_search(query: str, cursor: str | None = None) -> Select[Any]:
    """One page of visible lectures matching `query` (after `cursor`), best and then newest
    first: rows of (lecture, exact, rank, similarity, matches from this page on). Raises
    BadCursor for a cursor this site did not make.

    A common word matches tens of thousands of lectures. Their sort keys are computed once,
    into narrow rows (a materialized CTE: inlined, PostgreSQL sorted the matches with every
    column and their search values, spilling to disk), counted, the best twenty kept (a
    top-N sort), and only those are loaded whole."""
    ranked = _ranked(LECTURES, query)
    keys = (*ranked.keys, Lecture.published_at, Lecture.id)
    names = ("exact", "rank", "similarity", "published_at", "id")
    matches = visible_lectures(
        *(key.label(name) for key, name in zip(keys, names, strict=True))
    ).where(ranked.where)
    if cursor:
        exact, rank, similarity, published_at, lecture_id = decode_cursor(cursor, len(keys))
        try:
            values = [
                exact == "True",
                float(rank),
                float(similarity),
                datetime.fromisoformat(published_at),
                uuid.UUID(lecture_id),
            ]
        except ValueError as exc:
            raise BadCursor(cursor) from exc
        matches = after(matches, keys, values, descending=True)
    narrow = matches.cte("matches").prefix_with("MATERIALIZED")
    best = (
        select(narrow, func.count().over().label("remaining"))
        .order_by(*(narrow.c[name].desc() for name in names))
        .limit(LECTURE_LIMIT)
        .subquery("best")
    )
    found = lecture_rows(
        visible_lectures(Lecture, best.c.exact, best.c.rank, best.c.similarity, best.c.remaining)
    ).join(best, best.c.id == Lecture.id)
    return found.order_by(*(best.c[name].desc() for name in names))


def _group(stmt: Select[Any]) -> Group[Any]:
    rows = db.session.execute(stmt).all()
    return Group([row[0] for row in rows], rows[0][-1] if rows else 0)


def search_lectures(query: str, cursor: str | None = None) -> tuple[Page[MarkedLecture], int]:
    """A page of matching lectures, and how many match from this page on."""
    rows = db.session.execute(lecture_search(query, cursor)).all()
    remaining = rows[0][-1] if rows else 0
    next_cursor = None
    if remaining > len(rows):
        lecture, exact, rank, similarity, _count = rows[-1]
        next_cursor = encode_cursor([exact, rank, similarity, lecture.published_at, lecture.id])
    return Page([MarkedLecture(row[0], query) for row in rows], next_cursor), remaining


@dataclass(frozen=True)
class Results:
    scholars: Group[Scholar]
    series: Group[Series]
    lectures: Page[MarkedLecture]
    lecture_total: int

    @property
    def total(self) -> int:
        return self.scholars.total + self.series.total + self.lecture_total


def searchable(query: str) -> bool:
    """At least one word of two letters or more, once punctuation is set aside."""
    return any(len(word) >= 2 for word in words(query))


@bp.get("/search")
def search() -> Response:
    query = clean_query(request.args.get("q", ""))
    cursor = request.args.get("after") or None
    results = None
    if searchable(query):
        try:
            lectures, lecture_total = search_lectures(query, cursor)
        except BadCursor:
            abort(400)
        if cursor:
            results = Results(Group([], 0), Group([], 0), lectures, lecture_total)
        else:
            scholars, series = _group(scholar_search(query)), _group(series_search(query))
            results = Results(scholars, series, lectures, lecture_total)
    return render(
        "catalogue/search.html",
        block="search_lectures" if cursor and results else "search_results",
        search_query=query,
        results=results,
        mark=partial(highlight, query=query),
    )
