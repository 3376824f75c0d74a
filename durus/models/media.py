"""References to files in the media store. A row is never updated after insert."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, pg_enum, uuid_pk
from .enums import MediaKind


class MediaAsset(Base):
    __tablename__ = "media_assets"
    __table_args__ = (
        CheckConstraint("byte_size >= 0", name="byte_size_not_negative"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        CheckConstraint(
            "kind <> 'audio' OR (duration_seconds IS NOT NULL AND duration_seconds > 0)",
            name="audio_has_duration",
        ),
        CheckConstraint("bitrate IS NULL OR bitrate > 0", name="bitrate_positive"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[MediaKind] = mapped_column(pg_enum(MediaKind, "media_kind"))
    storage_key: Mapped[str] = mapped_column(unique=True)
    content_type: Mapped[str]
    byte_size: Mapped[int] = mapped_column(BigInteger)
    duration_seconds: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    bitrate: Mapped[int | None]
    sha256: Mapped[str] = mapped_column(index=True)
    original_filename: Mapped[str | None]
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = created_at()
