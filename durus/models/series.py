"""A scholar's ordered grouping of lectures."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint, text
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
from .reference import Language
from .scholars import Scholar


class Series(Base):
    __tablename__ = "series"
    __table_args__ = (
        # Target of the lectures' composite foreign key (series_id, scholar_id).
        UniqueConstraint("id", "scholar_id"),
        CheckConstraint(slug_check(), name="slug_format"),
        CheckConstraint(not_blank("title"), name="title_not_blank"),
        CheckConstraint(
            "state <> 'published' OR published_at IS NOT NULL", name="published_has_date"
        ),
        Index(
            "ix_series_published",
            text("published_at DESC"),
            postgresql_where=text("state = 'published'"),
        ),
        Index("ix_series_updated_at", text("updated_at DESC")),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    scholar_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scholars.id", ondelete="RESTRICT"), index=True
    )
    slug: Mapped[str] = mapped_column(unique=True)
    title: Mapped[str]
    description: Mapped[str] = mapped_column(server_default="")
    search_document, search_trigrams, search_titles = search_columns()
    language_code: Mapped[str] = mapped_column(ForeignKey("languages.code"), index=True)
    state: Mapped[PublicationState] = publication_state()
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    scholar: Mapped[Scholar] = relationship(lazy="raise_on_sql")
    language: Mapped[Language] = relationship(lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"<Series {self.slug}>"
