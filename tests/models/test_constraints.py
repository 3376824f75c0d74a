"""The database itself refuses invalid data, each refusal by a named constraint."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from durus.extensions import db
from durus.models import (
    EditorialNote,
    Lecture,
    MediaAsset,
    PublicationState,
    Scholar,
    User,
    UserProgress,
)
from tests.factories import (
    make_audio_asset,
    make_lecture,
    make_scholar,
    make_series,
    make_topic,
    make_user,
)

pytestmark = pytest.mark.usefixtures("db_session")


def refused_by(constraint: str, action: Callable[[], Any]) -> None:
    with pytest.raises(DBAPIError) as info:
        action()
        db.session.flush()
    assert info.value.orig.diag.constraint_name == constraint


def test_lecture_series_must_belong_to_the_lectures_scholar() -> None:
    series = make_series()
    other = make_scholar()
    refused_by(
        "fk_lectures_series_same_scholar",
        lambda: make_lecture(series_id=series.id, position=1, scholar_id=other.id),
    )


def test_two_lectures_cannot_share_a_position_in_a_series() -> None:
    series = make_series()
    make_lecture(series=series, position=3)
    refused_by("uq_lectures_series_id_position", lambda: make_lecture(series=series, position=3))


def test_positions_can_be_swapped_inside_one_transaction() -> None:
    series = make_series()
    first = make_lecture(series=series, position=1)
    second = make_lecture(series=series, position=2)
    db.session.execute(text("SET CONSTRAINTS uq_lectures_series_id_position DEFERRED"))
    db.session.execute(update(Lecture).where(Lecture.id == first.id).values(position=2))
    db.session.execute(update(Lecture).where(Lecture.id == second.id).values(position=1))
    db.session.flush()
    db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # checks now: passes
    db.session.refresh(first)
    assert first.position == 2


@pytest.mark.parametrize(
    "fields",
    [{"position": 1}, {"with_series": True, "position": None}],
    ids=["position-without-series", "series-without-position"],
)
def test_position_and_series_go_together(fields: dict[str, Any]) -> None:
    scholar = make_scholar()
    series_id = make_series(scholar_id=scholar.id).id if fields.pop("with_series", False) else None
    refused_by(
        "ck_lectures_series_and_position_together",
        lambda: make_lecture(scholar_id=scholar.id, series_id=series_id, **fields),
    )


@pytest.mark.parametrize(
    "fields",
    [{"audio_asset_id": None}, {"published_at": None}],
    ids=["without-audio", "without-published-at"],
)
def test_published_lecture_needs_audio_and_a_publication_time(fields: dict[str, Any]) -> None:
    refused_by("ck_lectures_published_has_audio_and_date", lambda: make_lecture(**fields))


def test_draft_lecture_may_lack_audio_and_publication_time() -> None:
    lecture = make_lecture(state=PublicationState.DRAFT, audio_asset_id=None, published_at=None)
    assert lecture.id is not None


def test_published_series_needs_a_publication_time() -> None:
    refused_by("ck_series_published_has_date", lambda: make_series(published_at=None))


def test_progress_position_cannot_be_negative() -> None:
    user, lecture = make_user(), make_lecture()
    refused_by(
        "ck_user_progress_position_not_negative",
        lambda: db.session.add(
            UserProgress(
                user_id=user.id,
                lecture_id=lecture.id,
                position_seconds=-1.0,
                observed_at=datetime.now(UTC),
            )
        ),
    )


@pytest.mark.parametrize("rate", ["0.49", "3.01"])
def test_playback_rate_stays_between_half_and_triple(rate: str) -> None:
    refused_by("ck_users_playback_rate_range", lambda: make_user(playback_rate=Decimal(rate)))


@pytest.mark.parametrize("rate", ["0.50", "3.00"])
def test_playback_rate_limits_are_allowed(rate: str) -> None:
    assert make_user(playback_rate=Decimal(rate)).playback_rate == Decimal(rate)


def test_emails_differing_only_by_case_are_one_account() -> None:
    make_user(email="Amina@Example.com")
    refused_by("uq_users_email_lower", lambda: make_user(email="amina@example.COM"))


@pytest.mark.parametrize(
    ("factory", "constraint"),
    [
        (make_scholar, "uq_scholars_slug"),
        (make_series, "uq_series_slug"),
        (make_lecture, "uq_lectures_slug"),
        (make_topic, "uq_topics_slug"),
    ],
    ids=["scholars", "series", "lectures", "topics"],
)
def test_slugs_are_unique_per_entity_type(factory: Callable[..., Any], constraint: str) -> None:
    factory(slug="the-same-slug")
    refused_by(constraint, lambda: factory(slug="the-same-slug"))


def test_the_same_slug_may_name_entities_of_different_types() -> None:
    make_scholar(slug="al-fatihah")
    make_series(slug="al-fatihah")
    make_topic(slug="al-fatihah")


def test_slugs_must_be_url_clean() -> None:
    refused_by("ck_scholars_slug_format", lambda: make_scholar(slug="Not A Slug"))


def test_a_scholar_with_series_cannot_be_deleted() -> None:
    scholar = make_scholar()
    make_series(scholar_id=scholar.id)
    refused_by(
        "fk_series_scholar_id_scholars",
        lambda: db.session.execute(delete(Scholar).where(Scholar.id == scholar.id)),
    )


def test_a_scholar_with_lectures_cannot_be_deleted() -> None:
    scholar = make_scholar()
    make_lecture(scholar_id=scholar.id)
    refused_by(
        "fk_lectures_scholar_id_scholars",
        lambda: db.session.execute(delete(Scholar).where(Scholar.id == scholar.id)),
    )


def test_a_scholar_without_content_can_be_deleted() -> None:
    scholar = make_scholar()
    db.session.execute(delete(Scholar).where(Scholar.id == scholar.id))
    assert db.session.get(Scholar, scholar.id) is None


def test_a_referenced_media_asset_cannot_be_deleted() -> None:
    lecture = make_lecture()
    refused_by(
        "fk_lectures_audio_asset_id_media_assets",
        lambda: db.session.execute(
            delete(MediaAsset).where(MediaAsset.id == lecture.audio_asset_id)
        ),
    )


def test_a_media_asset_is_never_updated() -> None:
    asset = make_audio_asset()
    refused_by(
        "media_assets_immutable",
        lambda: db.session.execute(
            update(MediaAsset).where(MediaAsset.id == asset.id).values(byte_size=1)
        ),
    )


def test_deleting_the_uploader_keeps_the_asset() -> None:
    uploader = make_user()
    asset = make_audio_asset(created_by_id=uploader.id)
    db.session.execute(delete(User).where(User.id == uploader.id))
    db.session.expire_all()
    assert db.session.get(MediaAsset, asset.id).created_by_id is None


def test_an_editorial_note_is_about_exactly_one_thing() -> None:
    lecture = make_lecture()
    refused_by(
        "ck_editorial_notes_exactly_one_subject",
        lambda: db.session.add(
            EditorialNote(scholar_id=lecture.scholar_id, lecture_id=lecture.id, body="Check audio")
        ),
    )
