"""Reference data: content languages and topics."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, not_blank, pg_enum, slug_check, uuid_pk
from .enums import TextDirection


class Language(Base):
    """A content language, keyed by its BCP 47 code; `direction` drives lang/dir in pages."""

    __tablename__ = "languages"
    __table_args__ = (
        CheckConstraint("code ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'", name="code_is_bcp47"),
    )

    code: Mapped[str] = mapped_column(primary_key=True)
    name_en: Mapped[str]
    name_native: Mapped[str]
    direction: Mapped[TextDirection] = mapped_column(
        pg_enum(TextDirection, "text_direction"), server_default=TextDirection.LTR.value
    )


class Topic(Base):
    __tablename__ = "topics"
    __table_args__ = (
        CheckConstraint(slug_check(), name="slug_format"),
        CheckConstraint(not_blank("name"), name="name_not_blank"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    slug: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    name_ar: Mapped[str | None]
    created_at: Mapped[datetime] = created_at()
