"""Lectures: a scholar's recorded talk, optionally at a position within one of their series."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    Base,
    created_at,
    not_blank,
    publication_state,
    search_columns,
    slug_check,
    updated_at,
    uuid_pk,
)
from .enums import PublicationState
from .media import MediaAsset
from .reference import Language, Topic
from .scholars import Scholar
from .series import Series


class Lecture(Base):
    __tablename__ = "lectures"
    __table_args__ = (
        # A lecture's series belongs to the lecture's own scholar.
        ForeignKeyConstraint(
            ["series_id", "scholar_id"],
            ["series.id", "series.scholar_id"],
            name="fk_lectures_series_same_scholar",
            ondelete="RESTRICT",
        ),
        # Deferrable so that reordering a series can swap positions inside one transaction.
        UniqueConstraint("series_id", "position", deferrable=True, initially="IMMEDIATE"),
        CheckConstraint(
            "(series_id IS NULL) = (position IS NULL)", name="series_and_position_together"
        ),
        CheckConstraint("position IS NULL OR position >= 1", name="position_positive"),
        CheckConstraint(
            "state <> 'published' OR (audio_asset_id IS NOT NULL AND published_at IS NOT NULL)",
            name="published_has_audio_and_date",
        ),
        CheckConstraint(slug_check(), name="slug_format"),
        CheckConstraint(not_blank("title"), name="title_not_blank"),
        Index("ix_lectures_updated_at", text("updated_at DESC"), text("id DESC")),
        Index(
            "ix_lectures_published",
            text("published_at DESC"),
            text("id DESC"),
            postgresql_where=text("state = 'published'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    scholar_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scholars.id", ondelete="RESTRICT"), index=True
    )
    series_id: Mapped[uuid.UUID | None]
    position: Mapped[int | None]
    slug: Mapped[str] = mapped_column(unique=True)
    title: Mapped[str]
    description: Mapped[str] = mapped_column(server_default="")
    search_document, search_trigrams, search_titles = search_columns()
    language_code: Mapped[str] = mapped_column(ForeignKey("languages.code"), index=True)
    state: Mapped[PublicationState] = publication_state()
    published_at: Mapped[datetime | None]
    recorded_on: Mapped[date | None]
    audio_asset_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("media_assets.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    scholar: Mapped[Scholar] = relationship(lazy="raise_on_sql")
    series: Mapped[Series | None] = relationship(
        lazy="raise_on_sql",
        primaryjoin="Lecture.series_id == Series.id",
        foreign_keys="Lecture.series_id",
    )
    language: Mapped[Language] = relationship(lazy="raise_on_sql")
    audio: Mapped[MediaAsset | None] = relationship(lazy="raise_on_sql")
    topics: Mapped[list[Topic]] = relationship(
        secondary="lecture_topics", lazy="raise_on_sql", order_by="Topic.name"
    )

    def __repr__(self) -> str:
        return f"<Lecture {self.slug}>"


class LectureTopic(Base):
    __tablename__ = "lecture_topics"

    lecture_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("topics.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
