"""Factories: make_<thing>(**overrides) adds a valid row and flushes it."""

from __future__ import annotations

import hashlib
import itertools
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
