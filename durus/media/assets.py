"""The database reference of a stored file: one row per stored key, never updated."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import MediaAsset, MediaKind
from .store import StoredFile


def asset_for(
    session: Session,
    stored: StoredFile,
    kind: MediaKind,
    content_type: str,
    *,
    filename: str | None,
    created_by_id: uuid.UUID | None = None,
    duration_seconds: Decimal | None = None,
    bitrate: int | None = None,
) -> tuple[MediaAsset, bool]:
    """(the asset of `stored`, whether it is new). The same bytes are one asset, since their
    content-derived key is the same."""
    existing = session.scalar(select(MediaAsset).where(MediaAsset.storage_key == stored.key))
    if existing is not None:
        return existing, False
    asset = MediaAsset(
        kind=kind,
        storage_key=stored.key,
        content_type=content_type,
        byte_size=stored.byte_size,
        duration_seconds=duration_seconds,
        bitrate=bitrate,
        sha256=stored.sha256,
        original_filename=(filename or "")[:255] or None,
        created_by_id=created_by_id,
    )
    session.add(asset)
    session.flush()
    return asset, True
