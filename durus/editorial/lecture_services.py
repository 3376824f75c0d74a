"""Writing lectures: each function makes one change and its audit row in the caller's
transaction (the view commits)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, text, update

from .. import audit
from ..extensions import db
from ..models import Lecture, LectureTopic, MediaAsset, PublicationState
from . import slugs


@dataclass(frozen=True)
class LectureData:
    title: str
    description: str
    language_code: str
    recorded_on: date | None
    topic_ids: list[uuid.UUID]
    series_id: uuid.UUID | None
    position: int | None


class DeleteRefused(ValueError):
    pass


def snapshot(lecture: Lecture) -> dict[str, Any]:
    return {
        "title": lecture.title,
        "slug": lecture.slug,
        "description": lecture.description,
        "language": lecture.language_code,
        "recorded_on": lecture.recorded_on.isoformat() if lecture.recorded_on else None,
        "topics": sorted(str(t) for t in topic_ids(lecture.id)),
        "series_id": str(lecture.series_id) if lecture.series_id else None,
        "position": lecture.position,
        "audio_asset_id": str(lecture.audio_asset_id) if lecture.audio_asset_id else None,
        "state": lecture.state.value,
    }


def create_lecture(
    scholar_id: uuid.UUID, data: LectureData, asset: MediaAsset, *, actor_id: uuid.UUID
) -> Lecture:
    lecture = Lecture(
        scholar_id=scholar_id,
        slug=slugs.unique_slug(Lecture, data.title),
        title=data.title.strip(),
        description=data.description.strip(),
        language_code=data.language_code,
        recorded_on=data.recorded_on,
        audio_asset_id=asset.id,
        state=PublicationState.DRAFT,
    )
    db.session.add(lecture)
    db.session.flush()
    _set_topics(lecture.id, data.topic_ids)
    place(lecture, data.series_id, data.position)
    audit.record(
        "lecture.created", "lecture", lecture.id, actor_id=actor_id, after=snapshot(lecture)
    )
    return lecture


def update_lecture(lecture: Lecture, data: LectureData, slug: str, *, actor_id: uuid.UUID) -> None:
    before = snapshot(lecture)
    lecture.title = data.title.strip()
    lecture.description = data.description.strip()
    lecture.language_code = data.language_code
    lecture.recorded_on = data.recorded_on
    slugs.rename(lecture, slug)
    _set_topics(lecture.id, data.topic_ids)
    place(lecture, data.series_id, data.position)
    lecture.updated_at = func.now()  # also when only the topics changed
    db.session.flush()
    db.session.refresh(lecture)
    after = snapshot(lecture)
    if after != before:
        audit.record("lecture.updated", "lecture", lecture.id, actor_id=actor_id,
                     before=before, after=after)  # fmt: skip


def replace_audio(lecture: Lecture, asset: MediaAsset, *, actor_id: uuid.UUID) -> None:
    """The lecture plays the new asset; the old one stays in the store and the table."""
    before = {"audio_asset_id": str(lecture.audio_asset_id) if lecture.audio_asset_id else None}
    lecture.audio_asset_id = asset.id
    audit.record(
        "lecture.audio_replaced",
        "lecture",
        lecture.id,
        actor_id=actor_id,
        before=before,
        after={"audio_asset_id": str(asset.id)},
    )


def delete_lecture(lecture: Lecture, *, actor_id: uuid.UUID) -> None:
    if lecture.state is not PublicationState.DRAFT:
        if lecture.state is PublicationState.ARCHIVED:
            raise DeleteRefused(_("An archived lecture cannot be deleted: only drafts can."))
        raise DeleteRefused(
            _(
                "A published lecture cannot be deleted: only drafts can. "
                "Unpublish it first, or archive it."
            )
        )
    before = snapshot(lecture)
    place(lecture, None, None)
    audit.record("lecture.deleted", "lecture", lecture.id, actor_id=actor_id, before=before)
    db.session.delete(lecture)
    db.session.flush()


def place(lecture: Lecture, series_id: uuid.UUID | None, position: int | None) -> None:
    """Put `lecture` at `position` of `series_id` (the end when None), or in no series; the
    positions of both series stay 1..n without gaps."""
    if lecture.series_id == series_id and (position is None or position == lecture.position):
        return
    db.session.execute(text("SET CONSTRAINTS uq_lectures_series_id_position DEFERRED"))
    old_series, old_position = lecture.series_id, lecture.position
    if old_series is not None:
        lecture.series_id, lecture.position = None, None
        db.session.flush()
        _shift(old_series, old_position or 0, -1)
    if series_id is not None:
        count = db.session.scalar(
            select(func.count()).select_from(Lecture).where(Lecture.series_id == series_id)
        )
        last = (count or 0) + 1
        target = last if position is None else min(max(position, 1), last)
        _shift(series_id, target - 1, +1)
        lecture.series_id, lecture.position = series_id, target
        db.session.flush()


def _shift(series_id: uuid.UUID, after: int, by: int) -> None:
    db.session.execute(
        update(Lecture)
        .where(Lecture.series_id == series_id, Lecture.position > after)
        .values(position=Lecture.position + by)
        .execution_options(synchronize_session="fetch")
    )


def topic_ids(lecture_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        db.session.scalars(
            select(LectureTopic.topic_id).where(LectureTopic.lecture_id == lecture_id)
        )
    )


def _set_topics(lecture_id: uuid.UUID, wanted_ids: list[uuid.UUID]) -> None:
    wanted = set(wanted_ids)
    current = set(topic_ids(lecture_id))
    if current - wanted:
        db.session.execute(
            delete(LectureTopic).where(
                LectureTopic.lecture_id == lecture_id,
                LectureTopic.topic_id.in_(current - wanted),
            )
        )
    for topic_id in wanted - current:
        db.session.add(LectureTopic(lecture_id=lecture_id, topic_id=topic_id))
    db.session.flush()
