"""Factories: make_<thing>(**overrides) adds a valid row and flushes it."""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import struct
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from durus.extensions import db
from durus.media.probe import probe_audio
from durus.media.store import LocalMediaStore
from durus.models import (
    Lecture,
    MediaAsset,
    MediaKind,
    PublicationState,
    Scholar,
    Series,
    Topic,
    User,
)

_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def _save(row: Any) -> Any:
    db.session.add(row)
    db.session.flush()
    return row


def an_hour_ago() -> datetime:
    return datetime.now(UTC) - timedelta(hours=1)


def make_user(**overrides: Any) -> User:
    n = _n()
    fields: dict[str, Any] = {"email": f"user{n}@example.com", "display_name": f"User {n}"}
    return _save(User(**(fields | overrides)))


def make_audio_asset(**overrides: Any) -> MediaAsset:
    n = _n()
    sha = hashlib.sha256(f"audio-{n}".encode()).hexdigest()
    fields: dict[str, Any] = {
        "kind": MediaKind.AUDIO,
        "storage_key": f"audio/{sha[:2]}/{sha}.mp3",
        "content_type": "audio/mpeg",
        "byte_size": 48_000,
        "duration_seconds": Decimal("600.000"),
        "bitrate": 64_000,
        "sha256": sha,
        "original_filename": f"lecture-{n}.mp3",
    }
    return _save(MediaAsset(**(fields | overrides)))


def make_scholar(**overrides: Any) -> Scholar:
    n = _n()
    fields: dict[str, Any] = {"slug": f"scholar-{n}", "name": f"Scholar {n}"}
    return _save(Scholar(**(fields | overrides)))


def make_series(**overrides: Any) -> Series:
    n = _n()
    if "scholar_id" not in overrides:
        overrides["scholar_id"] = make_scholar().id
    fields: dict[str, Any] = {
        "slug": f"series-{n}",
        "title": f"Series {n}",
        "language_code": "en",
        "state": PublicationState.PUBLISHED,
        "published_at": an_hour_ago(),
    }
    return _save(Series(**(fields | overrides)))


def make_lecture(**overrides: Any) -> Lecture:
    """A published lecture with audio; pass series=... to place it (next free position)."""
    n = _n()
    series: Series | None = overrides.pop("series", None)
    if series is not None:
        overrides.setdefault("series_id", series.id)
        overrides.setdefault("scholar_id", series.scholar_id)
        overrides.setdefault("position", n)
    if "scholar_id" not in overrides:
        overrides["scholar_id"] = make_scholar().id
    if "audio_asset_id" not in overrides:
        overrides["audio_asset_id"] = make_audio_asset().id
    fields: dict[str, Any] = {
        "slug": f"lecture-{n}",
        "title": f"Lecture {n}",
        "language_code": "en",
        "state": PublicationState.PUBLISHED,
        "published_at": an_hour_ago(),
    }
    return _save(Lecture(**(fields | overrides)))


def make_topic(**overrides: Any) -> Topic:
    n = _n()
    return _save(Topic(**({"slug": f"topic-{n}", "name": f"Topic {n}"} | overrides)))


SAMPLE_AUDIO = Path(__file__).resolve().parent.parent / "seeds" / "audio" / "usul-1.mp3"


def make_stored_audio_asset(source: Path = SAMPLE_AUDIO, **overrides: Any) -> MediaAsset:
    """An audio asset whose bytes really are in the media store."""
    info = probe_audio(source)
    with source.open("rb") as handle:
        stored = LocalMediaStore(current_app.config["MEDIA_ROOT"]).put(
            handle, "audio", info.extension
        )
    existing = db.session.scalar(select(MediaAsset).where(MediaAsset.storage_key == stored.key))
    if existing is not None:
        return existing
    fields: dict[str, Any] = {
        "kind": MediaKind.AUDIO,
        "storage_key": stored.key,
        "content_type": info.content_type,
        "byte_size": stored.byte_size,
        "duration_seconds": info.duration_seconds,
        "bitrate": info.bitrate,
        "sha256": stored.sha256,
        "original_filename": source.name,
    }
    return _save(MediaAsset(**(fields | overrides)))


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A small, valid, grey PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    pixels = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


# A 16×16 baseline JPEG (the one in CPython's imghdr test data).
JPEG_BYTES = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsO"
    "CwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ"
    "EBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAA"
    "BwQF/8QAJBAAAQQBBAICAwAAAAAAAAAAAQIDBAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/E"
    "ACMRAAECBQMFAAAAAAAAAAAAAAECEQMEBQYhABIxFRZhgeH/2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPk"
    "JWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXmm3fX5m2nF4GlVxx/HOpx4ks51+MiU/Iaad7UcUo4tILoS4kq"
    "cWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5SWVPuciFKRFLgSrwetnyPIB+Vb4N9mKhQMzo5po9"
    "XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27flGAUgmITjbhSmCg3BYlyeWDkMolvw4KO"
    "p1KM6iCNvngZHwetf//Z"
)


def make_stored_image_asset(data: bytes | None = None, extension: str = "png") -> MediaAsset:
    """An image asset whose bytes really are in the media store."""
    data = png_bytes() if data is None else data
    stored = LocalMediaStore(current_app.config["MEDIA_ROOT"]).put(
        io.BytesIO(data), "image", extension
    )
    existing = db.session.scalar(select(MediaAsset).where(MediaAsset.storage_key == stored.key))
    if existing is not None:
        return existing
    content_type = "image/jpeg" if extension == "jpg" else f"image/{extension}"
    return _save(
        MediaAsset(
            kind=MediaKind.IMAGE,
            storage_key=stored.key,
            content_type=content_type,
            byte_size=stored.byte_size,
            sha256=stored.sha256,
            original_filename=f"photo.{extension}",
        )
    )
