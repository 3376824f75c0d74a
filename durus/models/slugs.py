"""Former slugs, so that an old public URL answers 301 to the current one."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, slug_check, uuid_pk

SLUGGED = ("scholar", "series", "lecture", "topic")


def _unique_per_type(kind: str) -> Index:
    column = f"{kind}_id"
    return Index(
        f"uq_slug_redirects_{kind}_old_slug",
        "old_slug",
        unique=True,
        postgresql_where=text(f"{column} IS NOT NULL"),
    )


class SlugRedirect(Base):
    __tablename__ = "slug_redirects"
    __table_args__ = (
        CheckConstraint(
            "num_nonnulls(scholar_id, series_id, lecture_id, topic_id) = 1",
            name="exactly_one_subject",
        ),
        CheckConstraint(slug_check("old_slug"), name="old_slug_format"),
        *(_unique_per_type(kind) for kind in SLUGGED),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    old_slug: Mapped[str]
    scholar_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("scholars.id", ondelete="CASCADE"), index=True
    )
    series_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("series.id", ondelete="CASCADE"), index=True
    )
    lecture_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at()
