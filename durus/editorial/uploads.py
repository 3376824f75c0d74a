"""Saving an uploaded audio file: decided by its content, stored once, recorded as an asset.

The upload is streamed to a temporary file outside the media store and probed there; only a
file that is audio (and complete) goes into the store. A refused file leaves nothing behind:
no row, no file in MEDIA_ROOT.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import number
from ..media import get_store
from ..media.assets import asset_for
from ..media.probe import AudioInfo, NotAudio, probe_audio
from ..models import MediaAsset, MediaKind

CHUNK = 1024 * 1024
# A file much shorter than its own headers announce was cut off (an interrupted copy).
COMPLETE_FRACTION = 0.9


class UploadRefused(ValueError):
    """The file cannot be a lecture's audio; the message says why, for the editor."""


class UploadTooLarge(UploadRefused):
    pass


def max_upload_bytes() -> int:
    return int(current_app.config["MAX_AUDIO_UPLOAD_MB"]) * 1024 * 1024


def too_large_message() -> str:
    limit = number(current_app.config["MAX_AUDIO_UPLOAD_MB"])
    return _(
        "The audio file is too large: files of up to %(limit)s MB can be uploaded.", limit=limit
    )


def save_audio_upload(
    source: BinaryIO, filename: str | None, *, actor_id: uuid.UUID | None
) -> MediaAsset:
    """Probe `source` and store it as an audio asset (the existing one for the same bytes).
    Raises UploadRefused; the caller commits."""
    with tempfile.NamedTemporaryFile(prefix="durus-upload-") as temp:
        copy_limited(source, temp, max_upload_bytes(), too_large_message())
        path = Path(temp.name)
        info = _probe(path)
        temp.seek(0)
        stored = get_store().put(temp, "audio", info.extension)
    asset, _created = asset_for(
        db.session,
        stored,
        MediaKind.AUDIO,
        info.content_type,
        filename=filename,
        created_by_id=actor_id,
        duration_seconds=info.duration_seconds,
        bitrate=info.bitrate,
    )
    return asset


def copy_limited(source: BinaryIO, target: BinaryIO, limit: int, too_large: str) -> None:
    """Copy an upload into `target`, refusing it past `limit` bytes or when it is empty."""
    size = 0
    while chunk := source.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise UploadTooLarge(too_large)
        target.write(chunk)
    if size == 0:
        raise UploadRefused(_("The file is empty."))
    target.flush()


def _probe(path: Path) -> AudioInfo:
    try:
        info = probe_audio(path)
    except NotAudio as exc:
        raise UploadRefused(_not_audio_message(exc)) from exc
    if not _complete(path, info):
        raise UploadRefused(
            _(
                "This file cannot be used as audio: it is shorter than its own header says "
                "(it seems cut off or damaged). Please upload the complete file."
            )
        )
    return info


def _not_audio_message(exc: NotAudio) -> str:
    if exc.reason == "unreadable":
        return _(
            "This file cannot be used as audio: the file could not be read as audio (%(error)s).",
            error=exc.detail,
        )
    if exc.reason == "silent":
        return _("This file cannot be used as audio: the audio has no playable length.")
    return _(
        "This file cannot be used as audio: the file is not in a supported audio format "
        "(MP3, M4A, Ogg, FLAC, WAV)."
    )


def _complete(path: Path, info: AudioInfo) -> bool:
    """The file holds at least (nearly) the audio its duration and bitrate promise."""
    if not info.bitrate:
        return True
    expected = float(info.duration_seconds) * info.bitrate / 8
    return path.stat().st_size >= COMPLETE_FRACTION * expected
