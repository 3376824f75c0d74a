"""The analytics log: what listeners do (play, progress, pause, seek, complete), kept apart
from PostgreSQL in append-only NDJSON files under ANALYTICS_DIR.

The log may lose events and the site never depends on it: `record_event` never raises and
drops the event when the folder is missing and cannot be made, read-only or full. Nothing
identifying is stored: listeners are pseudonymous keys, devices a coarse class, no IP address,
email or user agent. `reader` computes reports from the files with DuckDB.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app

from .log import Drops, append

EVENT_KINDS = ("play_start", "progress", "pause", "seek", "complete")
DEVICE_CLASSES = ("mobile", "desktop")
KEY_LENGTH = 32
PLAYBACK_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LISTENER_KEY = re.compile(rf"^(anon:)?[0-9a-f]{{{KEY_LENGTH}}}$")
MOBILE_AGENT = re.compile(
    r"Mobi|Android|iPhone|iPad|iPod|Opera Mini|IEMobile|Windows Phone|BlackBerry", re.IGNORECASE
)
EXTENSION = "durus.analytics"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Drops()
    from .cli import analytics

    app.cli.add_command(analytics)


def _drops() -> Drops:
    return current_app.extensions.setdefault(EXTENSION, Drops())


def dropped_events() -> int:
    """Events this process (this application) could not write since it started."""
    return _drops().count


def _valid(kind: str, position: float, playback_id: str, listener: str, device: str) -> bool:
    return (
        kind in EVENT_KINDS
        and math.isfinite(position)
        and position >= 0
        and PLAYBACK_ID.match(playback_id) is not None
        and LISTENER_KEY.match(listener) is not None
        and device in DEVICE_CLASSES
    )


def _uuid(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(uuid.UUID(str(value)))


def _timestamp(now: datetime) -> str:
    """ISO 8601 in UTC with milliseconds: 2026-11-21T09:05:07.250Z."""
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def record_event(
    kind: str,
    *,
    lecture_id: uuid.UUID,
    scholar_id: uuid.UUID,
    series_id: uuid.UUID | None,
    position: float,
    playback_id: str,
    listener_key: str,
    device: str,
) -> bool:
    """Append one event to today's segment; True if written. Never raises, never blocks long.

    An invalid event (unknown kind, bad id, key or position) is not written. A folder that
    cannot be written drops the event, counts it, and warns once per kind of failure."""
    now = datetime.now(UTC)
    try:
        position = float(position)
        if not _valid(kind, position, playback_id, listener_key, device):
            return False
        event = {
            "ts": _timestamp(now),
            "kind": kind,
            "lecture_id": _uuid(lecture_id),
            "scholar_id": _uuid(scholar_id),
            "series_id": _uuid(series_id),
            "position": round(position, 1),
            "playback_id": playback_id,
            "listener": listener_key,
            "device": device,
        }
    except (TypeError, ValueError, AttributeError):
        return False
    line = (json.dumps(event, separators=(",", ":")) + "\n").encode()
    try:
        failure = append(Path(current_app.config["ANALYTICS_DIR"]), now.date(), line)
        if failure is None:
            return True
        if _drops().add(failure):
            current_app.logger.warning(
                "analytics: events are being dropped (%s: %s); the site carries on without them",
                failure,
                current_app.config["ANALYTICS_DIR"],
            )
    except Exception:  # the log must never break a request
        return False
    return False


def _secret() -> bytes:
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else bytes(key)
    return hmac.new(key, b"durus.analytics", hashlib.sha256).digest()


def _key(message: str) -> str:
    return hmac.new(_secret(), message.encode(), hashlib.sha256).hexdigest()[:KEY_LENGTH]


def listener_key_for_user(user_id: uuid.UUID) -> str:
    """Pseudonymous key of an account: HMAC-SHA256 of the user id, keyed with a secret derived
    from SECRET_KEY (so it changes when SECRET_KEY does), hex, 32 characters."""
    return _key(str(user_id))


def listener_key_for_browser(browser_id: str) -> str | None:
    """Key of an anonymous listener from the random browser id the player keeps: 'anon:' and
    an HMAC of the id as for accounts. None unless the id is a UUID."""
    try:
        normalised = uuid.UUID(browser_id.strip())
    except (AttributeError, TypeError, ValueError):
        return None
    return "anon:" + _key(f"anon:{normalised}")


def device_class(user_agent: str | None) -> str:
    """'mobile' or 'desktop' from the user agent (which is never stored)."""
    return "mobile" if user_agent and MOBILE_AGENT.search(user_agent) else "desktop"
