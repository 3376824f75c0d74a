"""Internal notes on a scholar, series or lecture, seen only by editors in scope and admins."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, not_blank, updated_at, uuid_pk


class EditorialNote(Base):
    __tablename__ = "editorial_notes"
    __table_args__ = (
        # Real foreign keys, one of them set, rather than an unchecked (type, id) pair.
        CheckConstraint(
            "num_nonnulls(scholar_id, series_id, lecture_id) = 1", name="exactly_one_subject"
        ),
        CheckConstraint(not_blank("body"), name="body_not_blank"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    scholar_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("scholars.id", ondelete="CASCADE"), index=True
    )
    series_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("series.id", ondelete="CASCADE"), index=True
    )
    lecture_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
