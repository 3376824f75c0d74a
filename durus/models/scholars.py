"""Scholars and the editors allowed to manage them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, created_at, not_blank, search_columns, slug_check, updated_at, uuid_pk
from .media import MediaAsset
from .reference import Language


class Scholar(Base):
    __tablename__ = "scholars"
    __table_args__ = (
        CheckConstraint(slug_check(), name="slug_format"),
        CheckConstraint(not_blank("name"), name="name_not_blank"),
        CheckConstraint(
            "name_original IS NULL OR name_original_language IS NOT NULL",
            name="name_original_has_language",
        ),
        Index("ix_scholars_name", "name"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    name_original: Mapped[str | None]
    name_original_language: Mapped[str | None] = mapped_column(
        ForeignKey("languages.code"), index=True
    )
    biography: Mapped[str] = mapped_column(server_default="")
    search_document, search_trigrams, search_titles = search_columns()
    photo_asset_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("media_assets.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(server_default=text("true"))
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    original_language: Mapped[Language | None] = relationship(lazy="raise_on_sql")
    photo: Mapped[MediaAsset | None] = relationship(lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"<Scholar {self.slug}>"


class EditorScope(Base):
    """An editor may manage this scholar's series and lectures."""

    __tablename__ = "editor_scopes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    scholar_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scholars.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = created_at()
