"""Listener-facing queries. Each returns what a page shows in one round trip."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased, contains_eager, selectinload

from ..extensions import db
from ..models import Language, Lecture, MediaAsset, Scholar, Series, SlugRedirect
from ..models.visibility import scholar_is_visible, visible_lectures, visible_series

LectureLanguage = aliased(Language, name="lecture_language")
SeriesLanguage = aliased(Language, name="series_language")
ScholarLanguage = aliased(Language, name="scholar_language")


def lecture_rows(stmt: Select[Any]) -> Select[Any]:
    """Load with each visible lecture what a lecture row shows (scholar, series, languages,
    audio), in the same query. `stmt` comes from visible_lectures()."""
    return (
        stmt.join(LectureLanguage, Lecture.language_code == LectureLanguage.code)
        .outerjoin(MediaAsset, Lecture.audio_asset_id == MediaAsset.id)
        .outerjoin(ScholarLanguage, Scholar.name_original_language == ScholarLanguage.code)
        .outerjoin(SeriesLanguage, Series.language_code == SeriesLanguage.code)
        .options(
            contains_eager(Lecture.language.of_type(LectureLanguage)),
            contains_eager(Lecture.audio),
            contains_eager(Lecture.scholar).contains_eager(
                Scholar.original_language.of_type(ScholarLanguage)
            ),
            contains_eager(Lecture.series).contains_eager(Series.language.of_type(SeriesLanguage)),
        )
    )


def newest_lectures(limit: int) -> list[Lecture]:
    stmt = lecture_rows(visible_lectures()).order_by(Lecture.published_at.desc(), Lecture.id.desc())
    return list(db.session.scalars(stmt.limit(limit)).unique())


def lecture_by_slug(slug: str) -> Lecture | None:
    stmt = lecture_rows(visible_lectures()).where(Lecture.slug == slug)
    lecture = db.session.scalars(stmt.options(selectinload(Lecture.topics))).unique().first()
    return lecture


def series_by_slug(slug: str) -> Series | None:
    stmt = (
        visible_series()
        .join(SeriesLanguage, Series.language_code == SeriesLanguage.code)
        .outerjoin(ScholarLanguage, Scholar.name_original_language == ScholarLanguage.code)
        .options(
            contains_eager(Series.language.of_type(SeriesLanguage)),
            contains_eager(Series.scholar).contains_eager(
                Scholar.original_language.of_type(ScholarLanguage)
            ),
        )
        .where(Series.slug == slug)
    )
    return db.session.scalars(stmt).first()


def series_lectures(series: Series) -> list[Lecture]:
    stmt = lecture_rows(visible_lectures()).where(Lecture.series_id == series.id)
    return list(db.session.scalars(stmt.order_by(Lecture.position)).unique())


def scholar_by_slug(slug: str) -> Scholar | None:
    stmt = (
        select(Scholar)
        .outerjoin(ScholarLanguage, Scholar.name_original_language == ScholarLanguage.code)
        .options(contains_eager(Scholar.original_language.of_type(ScholarLanguage)))
        .where(Scholar.slug == slug, scholar_is_visible())
    )
    return db.session.scalars(stmt).first()


def scholar_series(scholar: Scholar) -> list[Series]:
    stmt = (
        visible_series()
        .join(SeriesLanguage, Series.language_code == SeriesLanguage.code)
        .options(contains_eager(Series.language.of_type(SeriesLanguage)))
        .where(Series.scholar_id == scholar.id)
        .order_by(Series.title)
    )
    return list(db.session.scalars(stmt))


def scholar_single_lectures(scholar: Scholar) -> list[Lecture]:
    """The scholar's visible lectures outside any series, newest first."""
    stmt = lecture_rows(visible_lectures()).where(
        Lecture.scholar_id == scholar.id, Lecture.series_id.is_(None)
    )
    return list(db.session.scalars(stmt.order_by(Lecture.published_at.desc())).unique())


def current_slug(kind: str, old_slug: str) -> str | None:
    """The current slug of the entity that used to be reachable at `old_slug`."""
    model = {"scholar": Scholar, "series": Series, "lecture": Lecture}[kind]
    column = getattr(SlugRedirect, f"{kind}_id")
    stmt = (
        select(model.slug)
        .join(SlugRedirect, column == model.id)
        .where(SlugRedirect.old_slug == old_slug)
    )
    return db.session.scalar(stmt)
