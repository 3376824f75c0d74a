"""Days of listening by the synthetic accounts, written as the application writes events.

Playbacks are the demo's (`durus.analytics.demo`): play_start, progress every 15 s, seek,
pause, complete, listeners resuming where they stopped. A day's segment is written only when
the day has none (atomically, so an interrupted run leaves whole days), so a re-run writes
only the days that are missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ..analytics.demo import (
    HABIT_SHARES,
    HABITS,
    RATES,
    WEEKDAY_FACTOR,
    DemoLecture,
    Listener,
    Written,
    _playback,
    _write_new,
)
from ..analytics.log import segment_name
from .plan import rng_for

LectureRow = tuple[str, str, str | None, float]  # id, scholar id, series id, duration


def write_listening(
    directory: Path,
    lectures: Sequence[LectureRow],
    user_ids: Sequence[str],
    listener_key: Callable[[str], str],
    *,
    today: date,
    days: int,
    plays_per_day: int,
    seed: int,
    progress: Callable[[str, int], Any],
) -> Written:
    """Playbacks on the `days` days before `today`; `lectures` most popular first."""
    first = today - timedelta(days=days)
    wanted = [first + timedelta(days=n) for n in range(days)]
    missing = [day for day in wanted if not (directory / segment_name(day)).exists()]
    if not missing or not lectures:
        return Written(kept_days=len(wanted))
    directory.mkdir(parents=True, exist_ok=True)
    rng = rng_for(seed, "analytics")
    kinds = [HABITS[kind] for kind, share in HABIT_SHARES for _ in range(share)]
    listeners: dict[int, Listener] = {}
    events = written_days = 0
    pending: dict[date, list[str]] = {}
    size = len(lectures)
    with progress("analytics", days) as bar:
        for n, day in enumerate(wanted):
            busy = WEEKDAY_FACTOR.get(day.weekday(), 1.0) * (0.8 + 0.4 * n / days)
            plays = []
            for _ in range(int(plays_per_day * busy)):
                user = int(len(user_ids) * rng.random() ** 2)  # some listen far more often
                listener = listeners.get(user)
                if listener is None:
                    listener = listeners[user] = Listener(
                        key=listener_key(user_ids[user]),
                        habit=kinds[user % len(kinds)],
                        device="mobile" if rng.random() < 0.6 else "desktop",
                        rate=rng.choice(RATES),
                        joined=0,
                    )
                plays.append((rng.uniform(*listener.habit.hours), user))
            for hour, user in sorted(plays):
                listener = listeners[user]
                start = datetime.combine(day, time(), UTC) + timedelta(hours=hour)
                if listener.stopped and rng.random() < 0.5:
                    index = rng.choice(sorted(listener.stopped))
                else:
                    index = int(size * rng.random() ** 2)
                lecture_id, scholar_id, series_id, duration = lectures[index]
                lecture = DemoLecture(lecture_id, scholar_id, series_id, duration)  # type: ignore[arg-type]
                _, played = _playback(rng, listener, index, lecture, start)
                for event in played:
                    at = date.fromisoformat(event["ts"][:10])
                    pending.setdefault(at, []).append(json.dumps(event, separators=(",", ":")))
            for ready in sorted(
                d for d in pending if d <= day - timedelta(days=1) or n == days - 1
            ):
                lines = pending.pop(ready)
                if ready in missing and _write_new(directory / segment_name(ready), lines):
                    events += len(lines)
                    written_days += 1
            bar.update(1)
    return Written(events, written_days, len(wanted) - len(missing))
