"""The viewer's marks on what a page shows — favourite, completed, saved — for the toggles on
lecture rows, lecture pages and series pages.

Rows are rendered by one macro from many pages, so the marks are looked up lazily, once per
request, for every lecture and series the request has loaded (the session's identity map): one
query per page, whatever the number of rows, and none for an anonymous visitor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from flask import g
from flask_login import current_user
from sqlalchemy import and_, literal, select, union_all

from ..extensions import db
from ..models import Favourite, Lecture, LibrarySeries, Series, UserProgress
from . import bp


@dataclass(frozen=True)
class LectureMarks:
    favourite: bool = False
    completed: bool = False


@dataclass
class _Marks:
    lectures: dict[uuid.UUID, LectureMarks]
    series: dict[uuid.UUID, bool]


def _cache() -> _Marks:
    if "library_marks" not in g:
        g.library_marks = _Marks({}, {})
    marks: _Marks = g.library_marks
    return marks


def _loaded_ids(model: type) -> set[uuid.UUID]:
    # The identity keys, not the objects: reading an attribute could refresh an expired one.
    return {key[1][0] for key in db.session.identity_map if key[0] is model}


def _load(user_id: uuid.UUID, lecture_id: uuid.UUID | None, series_id: uuid.UUID | None) -> None:
    cache = _cache()
    lecture_ids = (_loaded_ids(Lecture) | ({lecture_id} - {None})) - cache.lectures.keys()
    series_ids = (_loaded_ids(Series) | ({series_id} - {None})) - cache.series.keys()
    cache.lectures.update(dict.fromkeys(lecture_ids, LectureMarks()))
    cache.series.update(dict.fromkeys(series_ids, False))
    lectures = (
        select(
            literal("lecture").label("kind"),
            Lecture.id,
            Favourite.lecture_id.is_not(None).label("favourite"),
            UserProgress.completed_at.is_not(None).label("completed"),
        )
        .outerjoin(
            Favourite, and_(Favourite.lecture_id == Lecture.id, Favourite.user_id == user_id)
        )
        .outerjoin(
            UserProgress,
            and_(UserProgress.lecture_id == Lecture.id, UserProgress.user_id == user_id),
        )
        .where(Lecture.id.in_(lecture_ids))
    )
    saved = select(literal("series"), LibrarySeries.series_id, literal(True), literal(False)).where(
        LibrarySeries.user_id == user_id, LibrarySeries.series_id.in_(series_ids)
    )
    for kind, key, favourite, completed in db.session.execute(union_all(lectures, saved)):
        if kind == "lecture":
            cache.lectures[key] = LectureMarks(favourite, completed)
        else:
            cache.series[key] = True


@bp.app_template_global()
def lecture_marks(lecture: Any) -> LectureMarks | None:
    """The viewer's marks on `lecture`; None for an anonymous visitor."""
    if not current_user.is_authenticated:
        return None
    if lecture.id not in _cache().lectures:
        _load(current_user.id, lecture.id, None)
    return _cache().lectures[lecture.id]


@bp.app_template_global()
def series_saved(series: Any) -> bool:
    if not current_user.is_authenticated:
        return False
    if series.id not in _cache().series:
        _load(current_user.id, None, series.id)
    return _cache().series[series.id]


def forget() -> None:
    """After a change in this request, look the marks up again."""
    g.pop("library_marks", None)
