"""A month of made-up listening for the demo site, written as the application writes events.

`write_demo_month` invents a few dozen listeners with habits of their own (daily listeners,
weekend listeners, occasional visitors, people who sample and rarely finish), more listening
on Fridays and at the weekend and a little more each week, popular lectures played far more
than others, and listeners coming back to carry on where they stopped. A playback is what the
player sends: `play_start`, `progress` every 15 s, `seek`, `pause` (and `play_start` again on
resuming), `complete` at the end.

The same lectures, day and seed always give the same events (one `random.Random`). Real events
are never touched: a day's segment is written only when the day has no segment yet, through a
temporary file in the same folder that is linked into place (which fails rather than replace a
file that appeared meanwhile). Running it again writes nothing new.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from . import KEY_LENGTH, _timestamp
from .log import FILE_MODE, segment_name

SEED = 20_26
DAYS = 30
LISTENERS = 40
PING_SECONDS = 15
WEEKDAY_FACTOR = {4: 1.5, 5: 1.35, 6: 1.2}  # Friday, Saturday, Sunday; other days 1
RATES = (1.0, 1.0, 1.0, 1.25, 1.5)


@dataclass(frozen=True)
class DemoLecture:
    id: uuid.UUID
    scholar_id: uuid.UUID
    series_id: uuid.UUID | None
    duration_seconds: float


@dataclass(frozen=True)
class Habit:
    """How often a kind of listener comes (chance per day), how many lectures a visit, how
    likely they are to finish one, and when in the day they listen (UTC hours)."""

    chance: float
    visits: tuple[int, int]
    finishes: float
    hours: tuple[int, int]
    weekend_only: bool = False


HABITS = {
    "daily": Habit(0.75, (1, 3), 0.85, (5, 8)),
    "evening": Habit(0.45, (1, 4), 0.75, (18, 22)),
    "weekend": Habit(0.8, (2, 5), 0.8, (8, 20), weekend_only=True),
    "occasional": Habit(0.15, (1, 2), 0.6, (9, 21)),
    "sampler": Habit(0.35, (2, 5), 0.3, (10, 22)),
}
HABIT_SHARES = (("daily", 6), ("evening", 10), ("weekend", 8), ("occasional", 10), ("sampler", 6))


@dataclass
class Listener:
    key: str
    habit: Habit
    device: str
    rate: float
    joined: int  # the month's day on which they first come
    stopped: dict[int, float] = field(default_factory=dict)  # lecture index → position


@dataclass(frozen=True)
class Written:
    events: int = 0
    days: int = 0
    kept_days: int = 0  # days that had a segment already, left as they were


def write_demo_month(
    directory: Path,
    lectures: Sequence[DemoLecture],
    today: date | None = None,
    seed: int = SEED,
) -> Written:
    """Write the demo's listening for the DAYS days before `today` (UTC) into `directory`."""
    today = today or datetime.now(UTC).date()
    first = today - timedelta(days=DAYS)
    by_day: dict[date, list[str]] = defaultdict(list)
    for event in demo_events(lectures, first, seed):
        day = date.fromisoformat(event["ts"][:10])
        if first <= day < today:
            by_day[day].append(json.dumps(event, separators=(",", ":")))
    if not by_day:
        return Written()
    directory.mkdir(parents=True, exist_ok=True)
    events = days = kept = 0
    for day in sorted(by_day):
        if _write_new(directory / segment_name(day), by_day[day]):
            events += len(by_day[day])
            days += 1
        else:
            kept += 1
    return Written(events, days, kept)


def demo_events(lectures: Sequence[DemoLecture], first: date, seed: int = SEED) -> Iterator[dict]:
    """Every event of the month that starts on `first`, in time order within each playback."""
    usable = [lecture for lecture in lectures if lecture.duration_seconds > 0]
    if not usable:
        return
    rng = random.Random(seed)  # noqa: S311 - made-up data, not a secret
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(usable))]
    popularity = rng.sample(range(len(usable)), len(usable))  # which lecture gets which weight
    listeners = _listeners(rng)
    for n in range(DAYS):
        day = first + timedelta(days=n)
        busy = WEEKDAY_FACTOR.get(day.weekday(), 1.0) * (0.8 + 0.4 * n / DAYS)
        visits = []
        for listener in listeners:
            habit = listener.habit
            if n < listener.joined or (habit.weekend_only and day.weekday() < 4):
                continue
            if rng.random() < min(habit.chance * busy, 0.95):
                visits.append((rng.uniform(*habit.hours), listener))
        for hour, listener in sorted(visits, key=lambda visit: visit[0]):
            start = datetime.combine(day, time()) + timedelta(hours=hour)
            for _ in range(rng.randint(*listener.habit.visits)):
                choice = _choose(rng, listener, popularity, weights)
                start, events = _playback(rng, listener, choice, usable[choice], start)
                yield from events


def _listeners(rng: random.Random) -> list[Listener]:
    kinds = [kind for kind, share in HABIT_SHARES for _ in range(share)]
    listeners = []
    for n in range(LISTENERS):
        kind = kinds[n % len(kinds)]
        key = f"{rng.getrandbits(KEY_LENGTH * 4):0{KEY_LENGTH}x}"
        listeners.append(
            Listener(
                key=("anon:" + key) if rng.random() < 0.35 else key,
                habit=HABITS[kind],
                device="mobile" if rng.random() < 0.6 else "desktop",
                rate=rng.choice(RATES),
                # most were listening already; some arrive during the month (growth)
                joined=0 if rng.random() < 0.7 else rng.randrange(1, DAYS - 3),
            )
        )
    return listeners


def _choose(
    rng: random.Random, listener: Listener, popularity: list[int], weights: list[float]
) -> int:
    """Carry on with a lecture left unfinished, or pick one (popular ones more often)."""
    if listener.stopped and rng.random() < 0.5:
        return rng.choice(sorted(listener.stopped))
    return rng.choices(popularity, weights)[0]


def _playback(
    rng: random.Random, listener: Listener, index: int, lecture: DemoLecture, start: datetime
) -> tuple[datetime, list[dict]]:
    """One playback from where the listener stopped; returns when it ended, and its events."""
    duration = lecture.duration_seconds
    playback = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    position = listener.stopped.pop(index, 0.0)
    if position and duration - position < 60 and rng.random() < 0.5:
        position = 0.0  # near the end of something short: starts it again
    if rng.random() < listener.habit.finishes:
        stop_at = duration
    else:
        stop_at = min(max(position + 3, rng.uniform(0.2, 0.9) * duration), duration)
    at = start
    events = []

    def emit(kind: str) -> None:
        events.append(_event(kind, lecture, playback, listener, at, position))

    emit("play_start")
    while True:
        step = min(PING_SECONDS * listener.rate, stop_at - position)
        roll = rng.random()
        if roll < 0.05 and position + 30 < stop_at:  # skips ahead a little
            at += timedelta(seconds=rng.uniform(1, 3))
            position += rng.uniform(5, 20)
            emit("seek")
        elif roll < 0.1 and step > 5:  # pauses, and carries on a while later
            part = rng.uniform(1, step - 1)
            at += timedelta(seconds=part / listener.rate)
            position += part
            emit("pause")
            at += timedelta(seconds=rng.uniform(20, 300))
            emit("play_start")
        else:
            at += timedelta(seconds=step / listener.rate)
            position += step
            if position >= duration:
                emit("complete")
                break
            if position >= stop_at:
                emit("pause")
                listener.stopped[index] = position
                break
            emit("progress")
    return at + timedelta(seconds=rng.uniform(2, 40)), events


def _event(
    kind: str,
    lecture: DemoLecture,
    playback: str,
    listener: Listener,
    at: datetime,
    position: float,
) -> dict:
    """The fields, in the order and format of `record_event`."""
    return {
        "ts": _timestamp(at),
        "kind": kind,
        "lecture_id": str(lecture.id),
        "scholar_id": str(lecture.scholar_id),
        "series_id": None if lecture.series_id is None else str(lecture.series_id),
        "position": round(min(position, lecture.duration_seconds), 1),
        "playback_id": playback,
        "listener": listener.key,
        "device": listener.device,
    }


def _write_new(path: Path, lines: list[str]) -> bool:
    """Write the segment unless it exists; False (nothing written) when it does."""
    if path.exists():
        return False
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - linked into place below
        "w", dir=path.parent, prefix=".demo-", suffix=".tmp", delete=False, encoding="utf-8"
    )
    temporary = Path(handle.name)
    try:
        with handle:
            handle.write("".join(f"{line}\n" for line in lines))
        temporary.chmod(FILE_MODE)
        try:
            os.link(temporary, path)  # atomic, and never replaces a file
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            if path.exists():
                return False
            os.replace(temporary, path)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
