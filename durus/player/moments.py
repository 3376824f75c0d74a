"""Links to a moment in a lecture: ?t=754, ?t=12m34s, ?t=1h2m3s."""

from __future__ import annotations

import re

MOMENT = re.compile(r"^(?:(\d{1,2})h)?(?:(\d{1,4})m)?(?:(\d{1,6})s?)?$")


def parse_moment(value: str | None) -> int | None:
    """Seconds from the start, or None for anything else (ignored rather than an error)."""
    if not value:
        return None
    match = MOMENT.fullmatch(value.strip().lower())
    if not match or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds
