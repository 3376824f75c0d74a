"""Listener-facing queries. Each returns what a page shows in one round trip."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import g
from sqlalchemy import Select, and_, func, inspect, select, true, union_all
from sqlalchemy.orm import contains_eager, selectinload

from ..extensions import db
from ..i18n import current_language
from ..models import (
    Language,
    Lecture,
    LectureTopic,
    MediaAsset,
    PublicationState,
    Scholar,
    Series,
    SlugRedirect,
    Topic,
    UserProgress,
)
from ..models.visibility import (
    lecture_is_visible,
    scholar_is_visible,
    series_is_visible,
    visible_lectures,
    visible_series,
)
from ..templating import language_name, topic_name


def preload_languages() -> None:
    """Put every content language (a few dozen rows) in this request's session, once: the
    `language` of lectures, series and scholars then resolves from the identity map, where
    joining the languages table three times into every listing made most of its planning
    time (10 ms of a 0.4 ms query at 300,000 lectures). Held in `g`: the session's
    identity map keeps objects only while something refers to them."""
    held = g.get("durus_languages")
    if held and held[0] in db.session and not inspect(held[0]).expired:
        return
    g.durus_languages = db.session.scalars(select(Language)).all()


def lecture_rows(stmt: Select[Any]) -> Select[Any]:
    """Load with each visible lecture what a lecture row shows (scholar, series, audio), in
    the same query, and the languages into the session. `stmt` comes from
    visible_lectures()."""
    preload_languages()
    return stmt.outerjoin(MediaAsset, Lecture.audio_asset_id == MediaAsset.id).options(
        contains_eager(Lecture.audio),
        contains_eager(Lecture.scholar),
        contains_eager(Lecture.series),
    )


def newest_lectures(limit: int) -> list[Lecture]:
    stmt = lecture_rows(visible_lectures()).order_by(Lecture.published_at.desc(), Lecture.id.desc())
    return list(db.session.scalars(stmt.limit(limit)).unique())


def lecture_by_slug(slug: str) -> Lecture | None:
    stmt = lecture_rows(visible_lectures()).where(Lecture.slug == slug)
    lecture = db.session.scalars(stmt.options(selectinload(Lecture.topics))).unique().first()
    return lecture


def series_by_slug(slug: str) -> Series | None:
    preload_languages()
    stmt = visible_series().options(contains_eager(Series.scholar)).where(Series.slug == slug)
    return db.session.scalars(stmt).first()


def scholar_by_slug(slug: str) -> Scholar | None:
    preload_languages()
    stmt = (
        select(Scholar)
        .outerjoin(MediaAsset, Scholar.photo_asset_id == MediaAsset.id)
        .options(contains_eager(Scholar.photo))
        .where(Scholar.slug == slug, scholar_is_visible())
    )
    return db.session.scalars(stmt).first()


def current_slug(kind: str, old_slug: str) -> str | None:
    """The current slug of the entity that used to be reachable at `old_slug`."""
    model = {"scholar": Scholar, "series": Series, "lecture": Lecture, "topic": Topic}[kind]
    column = getattr(SlugRedirect, f"{kind}_id")
    stmt = (
        select(model.slug)
        .join(SlugRedirect, column == model.id)
        .where(SlugRedirect.old_slug == old_slug)
    )
    return db.session.scalar(stmt)


def recently_updated_series(limit: int) -> list[Series]:
    preload_languages()
    stmt = (
        visible_series()
        .options(contains_eager(Series.scholar))
        .order_by(Series.updated_at.desc(), Series.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def _visible_lecture_ids() -> Any:
    return visible_lectures(Lecture.id, Lecture.language_code).subquery()


def topics_with_counts() -> list[tuple[Topic, int]]:
    """Every topic with how many visible lectures it has, by name."""
    visible = _visible_lecture_ids()
    stmt = (
        select(Topic, func.count(visible.c.id))
        .outerjoin(LectureTopic, LectureTopic.topic_id == Topic.id)
        .outerjoin(visible, visible.c.id == LectureTopic.lecture_id)
        .group_by(Topic.id)
        .order_by(Topic.name)
    )
    return [(topic, count) for topic, count in db.session.execute(stmt)]


def topic_by_slug(slug: str) -> Topic | None:
    return db.session.scalar(select(Topic).where(Topic.slug == slug))


def languages_with_counts() -> list[tuple[Language, int]]:
    """The languages that have visible lectures, with how many, most first."""
    visible = _visible_lecture_ids()
    stmt = (
        select(Language, func.count(visible.c.id).label("lectures"))
        .join(visible, visible.c.language_code == Language.code)
        .group_by(Language.code)
        .order_by(func.count(visible.c.id).desc(), Language.name_en)
    )
    return [(language, count) for language, count in db.session.execute(stmt)]


def languages_in_use() -> list[Language]:
    """Languages with at least one visible lecture, without reading every lecture (counting
    them, as languages_with_counts does, took 200 ms at 300,000 lectures): the codes present
    by a skip scan of the language index (one probe per language), then for each one visible
    lecture (LATERAL ... LIMIT 1)."""
    first = select(Lecture.language_code).order_by(Lecture.language_code).limit(1)
    codes = first.cte("codes", recursive=True)
    following = (
        select(Lecture.language_code)
        .where(Lecture.language_code > codes.c.language_code)
        .order_by(Lecture.language_code)
        .limit(1)
        .scalar_subquery()
    )
    codes = codes.union_all(select(following).where(codes.c.language_code.is_not(None)))
    one = (
        visible_lectures(Lecture.id)
        .where(Lecture.language_code == Language.code)
        .limit(1)
        .lateral("one_visible")
    )
    stmt = select(Language).join(codes, codes.c.language_code == Language.code).join(one, true())
    return list(db.session.scalars(stmt))


def language_by_code(code: str) -> Language | None:
    return db.session.get(Language, code)


@dataclass(frozen=True)
class ScholarSummary:
    scholar: Scholar
    series_count: int
    lecture_count: int


def scholars_index() -> list[ScholarSummary]:
    """Visible scholars by name, with their numbers of visible series and lectures."""
    lectures = (
        visible_lectures(Lecture.scholar_id, func.count().label("n"))
        .group_by(Lecture.scholar_id)
        .subquery()
    )
    series = (
        visible_series(Series.scholar_id, func.count().label("n"))
        .group_by(Series.scholar_id)
        .subquery()
    )
    preload_languages()
    stmt = (
        select(Scholar, func.coalesce(series.c.n, 0), func.coalesce(lectures.c.n, 0))
        .outerjoin(lectures, lectures.c.scholar_id == Scholar.id)
        .outerjoin(series, series.c.scholar_id == Scholar.id)
        .where(scholar_is_visible())
        .order_by(Scholar.name, Scholar.id)
    )
    return [ScholarSummary(*row) for row in db.session.execute(stmt)]


@dataclass(frozen=True)
class SeriesSummary:
    series: Series
    lecture_count: int
    total_seconds: Decimal


def _series_summaries(*conditions: Any) -> Select[Any]:
    """Visible series with the count and total duration of their visible lectures."""
    preload_languages()
    return (
        select(
            Series,
            func.count(Lecture.id),
            func.coalesce(func.sum(MediaAsset.duration_seconds), 0),
        )
        .select_from(Series)
        .join(Scholar, Series.scholar_id == Scholar.id)
        .outerjoin(Lecture, and_(Lecture.series_id == Series.id, lecture_is_visible()))
        .outerjoin(MediaAsset, MediaAsset.id == Lecture.audio_asset_id)
        .where(series_is_visible(), *conditions)
        .group_by(Series.id)
    )


def scholar_series(scholar: Scholar) -> list[SeriesSummary]:
    stmt = _series_summaries(Series.scholar_id == scholar.id).order_by(Series.title)
    return [SeriesSummary(*row) for row in db.session.execute(stmt)]


def series_summary(series: Series) -> SeriesSummary:
    row = db.session.execute(_series_summaries(Series.id == series.id)).one()
    return SeriesSummary(*row)


@dataclass(frozen=True)
class LectureWithProgress:
    lecture: Lecture
    progress: UserProgress | None

    @property
    def state(self) -> str:
        if self.progress is None:
            return "new"
        return "completed" if self.progress.completed_at else "in-progress"


def series_lecture_rows(
    series: Series, user_id: uuid.UUID | None, after_position: int = 0, limit: int = 100
) -> list[LectureWithProgress]:
    """The series' visible lectures in order, each with the listener's progress."""
    stmt = (
        lecture_rows(visible_lectures())
        .where(Lecture.series_id == series.id, Lecture.position > after_position)
        .order_by(Lecture.position)
        .limit(limit)
    )
    return _with_progress(stmt, user_id)


def _with_progress(stmt: Select[Any], user_id: uuid.UUID | None) -> list[LectureWithProgress]:
    if user_id is None:
        return [LectureWithProgress(lec, None) for lec in db.session.scalars(stmt).unique()]
    stmt = stmt.add_columns(UserProgress).outerjoin(
        UserProgress,
        and_(UserProgress.lecture_id == Lecture.id, UserProgress.user_id == user_id),
    )
    return [LectureWithProgress(lec, prog) for lec, prog in db.session.execute(stmt).unique()]


def series_preview_rows(
    series: Series, user_id: uuid.UUID | None, limit: int = 500
) -> list[LectureWithProgress]:
    """For an editor's preview: the lectures listeners would see in the series if it were
    published now (its published lectures whose time has come, in order), whatever the
    series' own state or its scholar's status."""
    stmt = (
        select(Lecture)
        .select_from(Lecture)
        .join(Scholar, Lecture.scholar_id == Scholar.id)
        .outerjoin(Series, Lecture.series_id == Series.id)
        .where(
            Lecture.series_id == series.id,
            Lecture.state == PublicationState.PUBLISHED,
            Lecture.published_at <= func.now(),
        )
    )
    return _with_progress(lecture_rows(stmt).order_by(Lecture.position).limit(limit), user_id)


def neighbours(lecture: Lecture) -> tuple[Lecture | None, Lecture | None]:
    """The visible lectures just before and after `lecture` in its series."""
    if lecture.series_id is None:
        return None, None
    base = visible_lectures().where(Lecture.series_id == lecture.series_id)
    before = base.where(Lecture.position < lecture.position).order_by(Lecture.position.desc())
    later = base.where(Lecture.position > lecture.position).order_by(Lecture.position)
    both = union_all(before.limit(1).subquery().select(), later.limit(1).subquery().select())
    rows = db.session.scalars(select(Lecture).from_statement(both)).all()
    previous = next((r for r in rows if r.position < lecture.position), None)
    following = next((r for r in rows if r.position > lecture.position), None)
    return previous, following


def filter_choices(scholar_slug: str | None) -> dict[str, list[tuple[str, str]]]:
    """Options of the browse filters: only what has something visible behind it. Series are
    offered once a scholar is chosen (a list of every series would be unusably long)."""
    scholars = db.session.execute(
        select(Scholar.slug, Scholar.name).where(scholar_is_visible()).order_by(Scholar.name)
    ).all()
    series: list[Any] = []
    if scholar_slug:
        series = db.session.execute(
            visible_series(Series.slug, Series.title)
            .where(Scholar.slug == scholar_slug)
            .order_by(Series.title)
        ).all()
    # Topics and languages are named in the interface language (Arabic names in Arabic).
    ordered = db.session.scalars(select(Topic).order_by(Topic.name))
    topics = [(topic.slug, topic_name(topic)) for topic in ordered]
    if current_language() != "en":
        topics.sort(key=lambda choice: choice[1])
    languages = sorted(
        ((lang.code, language_name(lang)) for lang in languages_in_use()),
        key=lambda choice: choice[1],
    )
    return {
        "scholars": [tuple(r) for r in scholars],
        "series": [tuple(r) for r in series],
        "topics": topics,
        "languages": languages,
    }


def progress_of(user_id: uuid.UUID | None, lecture_id: uuid.UUID) -> UserProgress | None:
    if user_id is None:
        return None
    return db.session.get(UserProgress, (user_id, lecture_id))
