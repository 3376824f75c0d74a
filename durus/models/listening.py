"""A listener's own state: progress per lecture, favourites, saved series."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Double, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, updated_at


class UserProgress(Base):
    """Where a listener is in a lecture. `observed_at` is the client's time of the position:
    a write applies only when it is newer than the stored one. `dismissed_at`: the listener
    removed the lecture from "continue listening"; an observation newer than it undoes that."""

    __tablename__ = "user_progress"
    __table_args__ = (
        CheckConstraint("position_seconds >= 0", name="position_not_negative"),
        Index("ix_user_progress_user_id_updated_at", "user_id", text("updated_at DESC")),
        Index(
            "ix_user_progress_user_id_completed_at",
            "user_id",
            text("completed_at DESC"),
            postgresql_where=text("completed_at IS NOT NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    lecture_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position_seconds: Mapped[float] = mapped_column(Double)
    completed_at: Mapped[datetime | None]
    observed_at: Mapped[datetime]
    dismissed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = updated_at()


class Favourite(Base):
    __tablename__ = "favourites"
    __table_args__ = (
        Index("ix_favourites_user_id_created_at", "user_id", text("created_at DESC")),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    lecture_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = created_at()


class LibrarySeries(Base):
    __tablename__ = "library_series"
    __table_args__ = (
        Index("ix_library_series_user_id_created_at", "user_id", text("created_at DESC")),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    series_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("series.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = created_at()
