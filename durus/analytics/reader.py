"""Reports from the analytics log, computed with DuckDB over the day segments of a range.

Definitions (all times UTC; a range is the days [start, end)):

- A *playback* is the events sharing a playback id (one load of a lecture in the player).
- Its *listened seconds* are the forward moves of the position between consecutive events,
  each capped by the wall-clock time between them at the fastest playback rate (3×), and not
  counting a move that ends in a `seek` or `play_start` event (a jump, not listening).
- A *play* is a playback with at least 60 listened seconds. *Listeners* are the distinct
  listener keys with at least one play. *Completions* are playbacks with a `complete` event.
  *Hours* are all listened seconds, plays or not, divided by 3600.
- A playback belongs to the day of its first event in the range.

A malformed line (not JSON, or missing or invalid fields) is skipped and counted. Nothing here
raises for a missing or unreadable folder: the report says "unavailable" instead.
"""

from __future__ import annotations

import logging
import math
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Generic, Literal, TypeVar

import duckdb

from . import EVENT_KINDS
from .log import segment_name

PLAY_SECONDS = 60
MAX_RATE = 3.0
FIELDS = (
    "ts",
    "kind",
    "lecture_id",
    "scholar_id",
    "series_id",
    "position",
    "playback_id",
    "listener",
)
DIMENSIONS = {"lecture": "lecture_id", "series": "series_id", "scholar": "scholar_id"}
Status = Literal["ok", "empty", "unavailable"]
Row = TypeVar("Row")
logger = logging.getLogger(__name__)

RAW = (
    "CREATE TEMP TABLE raw AS SELECT * FROM read_json($files, format='newline_delimited', "
    "ignore_errors=true, columns={" + ", ".join(f"{name}: 'VARCHAR'" for name in FIELDS) + "})"
)
KIND_LIST = ", ".join(f"'{kind}'" for kind in EVENT_KINDS)
VALID = f"""
CREATE TEMP TABLE events AS
SELECT * FROM (
    SELECT CASE WHEN ts LIKE '%Z' THEN try_cast(ts AS TIMESTAMP) END AS ts, kind,
           try_cast(lecture_id AS UUID) AS lecture_id, try_cast(scholar_id AS UUID) AS scholar_id,
           try_cast(series_id AS UUID) AS series_id, series_id IS NULL AS no_series,
           try_cast(position AS DOUBLE) AS position, playback_id, listener
    FROM raw
)
WHERE ts IS NOT NULL AND kind IN ({KIND_LIST}) AND lecture_id IS NOT NULL
  AND scholar_id IS NOT NULL AND (no_series OR series_id IS NOT NULL)
  AND isfinite(position) AND position >= 0 AND playback_id IS NOT NULL AND listener IS NOT NULL
"""
PLAYBACKS = f"""
CREATE TEMP TABLE playbacks AS
WITH steps AS (
    SELECT *, position - lag(position) OVER w AS moved, epoch(ts - lag(ts) OVER w) AS elapsed
    FROM events WHERE ts >= $start AND ts < $end
    WINDOW w AS (PARTITION BY playback_id, lecture_id ORDER BY ts, position)
)
SELECT playback_id, lecture_id, any_value(scholar_id) AS scholar_id,
       any_value(series_id) AS series_id, arg_min(listener, ts) AS listener,
       min(ts)::DATE AS day, bool_or(kind = 'complete') AS completed,
       arg_max(position, ts) AS last_position,
       coalesce(sum(least(moved, elapsed * {MAX_RATE}))
                FILTER (WHERE moved > 0 AND kind NOT IN ('seek', 'play_start')), 0) AS listened
FROM steps GROUP BY playback_id, lecture_id
"""
METRICS = f"""
count(*) FILTER (WHERE listened >= {PLAY_SECONDS}) AS plays,
count(DISTINCT listener) FILTER (WHERE listened >= {PLAY_SECONDS}) AS listeners,
count(*) FILTER (WHERE completed) AS completions,
coalesce(sum(listened), 0) / 3600 AS hours
"""


@dataclass(frozen=True)
class Report(Generic[Row]):
    """Rows of a report; `status` tells no data ("empty") from no log ("unavailable")."""

    rows: list[Row] = field(default_factory=list)
    status: Status = "ok"
    skipped_lines: int = 0


@dataclass(frozen=True)
class Metrics:
    plays: int = 0
    listeners: int = 0
    completions: int = 0
    hours: float = 0.0


@dataclass(frozen=True)
class DayMetrics(Metrics):
    day: date = date.min


@dataclass(frozen=True)
class TopRow:
    id: uuid.UUID
    plays: int
    hours: float


@dataclass(frozen=True)
class Bucket:
    """Playbacks whose last position was in [start, end) seconds (the last bucket includes
    its end)."""

    start: float
    end: float
    playbacks: int


def segment_files(directory: Path, start: date, end: date) -> list[str] | None:
    """The segment files of the days in [start, end); None when the folder cannot be read."""
    if not directory.is_dir() or not os.access(directory, os.R_OK | os.X_OK):
        return None
    days = (start + timedelta(days=n) for n in range(max((end - start).days, 0)))
    return [str(p) for p in (directory / segment_name(day) for day in days) if p.is_file()]


@contextmanager
def _playbacks(
    directory: str | Path, start: date, end: date
) -> Iterator[tuple[duckdb.DuckDBPyConnection | None, Status, int]]:
    """A connection holding the range's `playbacks` table, the status and skipped lines."""
    files = segment_files(Path(directory), start, end)
    if files is None:
        yield None, "unavailable", 0
        return
    if not files:
        yield None, "empty", 0
        return
    connection = duckdb.connect(":memory:")
    try:
        try:
            connection.execute(RAW, {"files": files})
            connection.execute(VALID)
            connection.execute(PLAYBACKS, {"start": start, "end": end})
            total, valid, playbacks = connection.execute(
                "SELECT (SELECT count(*) FROM raw), (SELECT count(*) FROM events), "
                "(SELECT count(*) FROM playbacks)"
            ).fetchone()  # type: ignore[misc]
        except (duckdb.Error, OSError) as error:
            logger.warning("analytics: could not read %s: %s", directory, error)
            yield None, "unavailable", 0
            return
        yield connection, "ok" if playbacks else "empty", total - valid
    finally:
        connection.close()


def summary(directory: str | Path, start: date, end: date) -> Report[Metrics]:
    """Plays, listeners, completions and hours over the range: always one row."""
    with _playbacks(directory, start, end) as (connection, status, skipped):
        if connection is None or status != "ok":
            return Report([Metrics()], status, skipped)
        plays, listeners, completions, hours = connection.execute(
            f"SELECT {METRICS} FROM playbacks"
        ).fetchone()  # type: ignore[misc]
        return Report([Metrics(plays, listeners, completions, float(hours))], status, skipped)


def by_day(directory: str | Path, start: date, end: date) -> Report[DayMetrics]:
    """The summary's metrics for every day of the range (days without plays show zeros)."""
    with _playbacks(directory, start, end) as (connection, status, skipped):
        if connection is None or status != "ok":
            return Report([], status, skipped)
        found = {
            day: DayMetrics(plays, listeners, completions, float(hours), day)
            for day, plays, listeners, completions, hours in connection.execute(
                f"SELECT day, {METRICS} FROM playbacks GROUP BY day"
            ).fetchall()
        }
    days = (start + timedelta(days=n) for n in range((end - start).days))
    return Report([found.get(day, DayMetrics(day=day)) for day in days], status, skipped)


def top(
    directory: str | Path, start: date, end: date, dimension: str, limit: int = 10
) -> Report[TopRow]:
    """Lectures, series or scholars by plays, then hours."""
    column = DIMENSIONS.get(dimension)
    if column is None:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}, not {dimension!r}")
    with _playbacks(directory, start, end) as (connection, status, skipped):
        if connection is None or status != "ok":
            return Report([], status, skipped)
        rows = connection.execute(
            f"SELECT {column}, count(*) FILTER (WHERE listened >= {PLAY_SECONDS}) AS plays, "
            f"sum(listened) / 3600 AS hours FROM playbacks WHERE {column} IS NOT NULL "
            f"GROUP BY 1 ORDER BY plays DESC, hours DESC, 1 LIMIT $limit",
            {"limit": max(int(limit), 0)},
        ).fetchall()
    return Report([TopRow(id_, plays, float(hours)) for id_, plays, hours in rows], status, skipped)


def drop_off(
    directory: str | Path,
    start: date,
    end: date,
    lecture_id: uuid.UUID,
    buckets: int = 20,
    duration: float | None = None,
) -> Report[Bucket]:
    """How many playbacks of a lecture ended (last event) in each slice of its length.

    With `duration` (seconds) the slices divide the lecture; without it, they divide the
    furthest last position seen, in whole seconds."""
    if buckets < 1:
        raise ValueError("buckets must be at least 1")
    with _playbacks(directory, start, end) as (connection, status, skipped):
        if connection is None or status != "ok":
            return Report([], status, skipped)
        positions = [
            row[0]
            for row in connection.execute(
                "SELECT last_position FROM playbacks WHERE lecture_id = $lecture",
                {"lecture": lecture_id},
            ).fetchall()
        ]
    if not positions:
        return Report([], "empty", skipped)
    return Report(_histogram(positions, buckets, duration), status, skipped)


def _histogram(positions: list[float], buckets: int, duration: float | None) -> list[Bucket]:
    if duration is not None and duration > 0:
        width = duration / buckets
    else:
        width = float(max(math.ceil(max(positions) / buckets), 1))
    counts = [0] * buckets
    for position in positions:
        counts[min(int(position // width), buckets - 1)] += 1
    return [Bucket(i * width, (i + 1) * width, count) for i, count in enumerate(counts)]
