"""What an uploaded file really is, read from its content (never from its name)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import mutagen
from mutagen.flac import FLAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

# mutagen class → (content type, file extension)
AUDIO_TYPES: dict[type, tuple[str, str]] = {
    MP3: ("audio/mpeg", "mp3"),
    MP4: ("audio/mp4", "m4a"),
    OggOpus: ("audio/ogg", "opus"),
    OggVorbis: ("audio/ogg", "ogg"),
    FLAC: ("audio/flac", "flac"),
    WAVE: ("audio/wav", "wav"),
}


class NotAudio(ValueError):
    """The file is not audio Durus can serve, or it is damaged. `reason` says which, for a
    message in the reader's language: "unreadable" (with `detail`), "unsupported", "silent"."""

    def __init__(self, message: str, reason: str, detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class AudioInfo:
    content_type: str
    extension: str
    duration_seconds: Decimal
    bitrate: int | None


def probe_audio(path: Path) -> AudioInfo:
    try:
        audio = mutagen.File(path)
    except mutagen.MutagenError as exc:
        message = f"the file could not be read as audio ({exc})"
        raise NotAudio(message, "unreadable", str(exc)) from exc
    kind = AUDIO_TYPES.get(type(audio))
    if audio is None or kind is None:
        raise NotAudio(
            "the file is not in a supported audio format (MP3, M4A, Ogg, FLAC, WAV)", "unsupported"
        )
    length = getattr(audio.info, "length", 0) or 0
    if length <= 0:
        raise NotAudio("the audio has no playable length", "silent")
    bitrate = getattr(audio.info, "bitrate", None) or None
    return AudioInfo(kind[0], kind[1], Decimal(str(round(length, 3))), bitrate)
