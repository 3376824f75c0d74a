"""Reports from the analytics log, computed with DuckDB over the day segments of a range.

Definitions (all times UTC; a range is the days [start, end)):

- A *playback* is the events sharing a playback id (one load of a lecture in the player).
- Its *listened seconds* are the forward moves of the position between consecutive events,
  each capped by the wall-clock time between them at the fastest playback rate (3×), and not
  counting a move that ends in a `seek` or `play_start` event (a jump, not listening).
- A *play* is a playback with at least 60 listened seconds, or a completed playback of a
  recording shorter than that, listened for most of it: its `complete` event's position (the
  recording's length, as the player saw it) is under 60 s and at least 80 % of it was
  listened. (Skipping to the end of a short recording is no play.)
- *Listeners* are the distinct listener keys with at least one play. *Completions* are
  playbacks with a `complete` event. *Hours* are all listened seconds, plays or not, / 3600.
- A playback belongs to the day of its first event in the range.

`open_range` reads the range's segments once, in one DuckDB query that parses, validates and
folds the events into playbacks; its summary, days, tops and drop-off are then small queries
over those playbacks. The module-level functions are the same reports, each reading on its
own. DuckDB works within `MEMORY_LIMIT` and spills to a temporary folder beyond it.

A malformed line (not JSON, or missing or invalid fields) is skipped and counted. Nothing here
raises for a missing or unreadable folder: the report says "unavailable" instead.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Literal, TypeVar

from . import EVENT_KINDS
from .log import segment_name

if TYPE_CHECKING:
    import duckdb

PLAY_SECONDS = 60
SHORT_PLAY_SHARE = 0.8
MAX_RATE = 3.0
MEMORY_LIMIT = "512MB"
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

KIND_LIST = ", ".join(f"'{kind}'" for kind in EVENT_KINDS)
COLUMNS = "{" + ", ".join(f"{name}: 'VARCHAR'" for name in FIELDS) + "}"
# Every line of the files becomes a row (a malformed one of NULLs, or with fields that do not
# cast): the invalid rows are kept apart (`valid` false) only to be counted. Ids are hashed to
# 64 bits, which keeps the window's sort narrow; a collision among a range's playbacks or
# listeners is vanishingly unlikely.
PLAYBACKS = f"""
CREATE TEMP TABLE playbacks AS
WITH parsed AS (
    SELECT CASE WHEN ts LIKE '%Z' THEN try_cast(ts AS TIMESTAMP) END AS ts, kind,
           try_cast(lecture_id AS UUID) AS lecture_id, try_cast(scholar_id AS UUID) AS scholar_id,
           try_cast(series_id AS UUID) AS series_id, series_id IS NULL AS no_series,
           try_cast(position AS DOUBLE) AS position, playback_id, listener
    FROM read_json($files, format='newline_delimited', ignore_errors=true, columns={COLUMNS})
), checked AS (
    SELECT ts, kind, lecture_id, scholar_id, series_id, position,
           hash(playback_id) AS playback, hash(listener) AS listener,
           coalesce(ts IS NOT NULL AND kind IN ({KIND_LIST}) AND lecture_id IS NOT NULL
                    AND scholar_id IS NOT NULL AND (no_series OR series_id IS NOT NULL)
                    AND isfinite(position) AND position >= 0
                    AND playback_id IS NOT NULL AND listener IS NOT NULL, false) AS valid
    FROM parsed
), steps AS (
    SELECT *, position - lag(position) OVER w AS moved, epoch(ts - lag(ts) OVER w) AS elapsed
    FROM checked
    WHERE NOT valid OR (ts >= $start AND ts < $end AND ($lecture IS NULL OR lecture_id = $lecture))
    WINDOW w AS (PARTITION BY valid, playback, lecture_id ORDER BY ts, position, kind)
), folded AS (
    SELECT valid, count(*) AS events, lecture_id, any_value(scholar_id) AS scholar_id,
           any_value(series_id) AS series_id, arg_min(listener, (ts, listener)) AS listener,
           min(ts)::DATE AS day, bool_or(kind = 'complete') AS completed,
           max(position) FILTER (WHERE kind = 'complete') AS length,
           arg_max(position, (ts, position)) AS last_position,
           coalesce(sum(least(moved, elapsed * {MAX_RATE}))
                    FILTER (WHERE moved > 0 AND kind NOT IN ('seek', 'play_start')), 0) AS listened
    FROM steps GROUP BY valid, playback, lecture_id
)
SELECT *, listened >= {PLAY_SECONDS}
          OR (completed AND length > 0 AND length < {PLAY_SECONDS}
              AND listened >= {SHORT_PLAY_SHARE} * length) AS play
FROM folded
"""
METRICS = """
count(*) FILTER (WHERE play) AS plays,
count(DISTINCT listener) FILTER (WHERE play) AS listeners,
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


def _column(dimension: str) -> str:
    column = DIMENSIONS.get(dimension)
    if column is None:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}, not {dimension!r}")
    return column


def segment_files(directory: Path, start: date, end: date) -> list[str] | None:
    """The segment files of the days in [start, end); None when the folder cannot be read."""
    if not directory.is_dir() or not os.access(directory, os.R_OK | os.X_OK):
        return None
    days = (start + timedelta(days=n) for n in range(max((end - start).days, 0)))
    return [str(p) for p in (directory / segment_name(day) for day in days) if p.is_file()]


@dataclass
class Range:
    """The playbacks of the days [start, end), read once; every report is computed from them.

    Use it inside the `open_range` block that made it (its connection closes at the end)."""

    start: date
    end: date
    status: Status
    skipped_lines: int = 0
    connection: duckdb.DuckDBPyConnection | None = None

    def _report(self, rows: list[Row]) -> Report[Row]:
        return Report(rows, self.status, self.skipped_lines)

    @property
    def _ready(self) -> bool:
        return self.connection is not None and self.status == "ok"

    def summary(self) -> Report[Metrics]:
        """Plays, listeners, completions and hours over the range: always one row."""
        if not self._ready:
            return self._report([Metrics()])
        plays, listeners, completions, hours = self._one(f"SELECT {METRICS} FROM playbacks")
        return self._report([Metrics(plays, listeners, completions, float(hours))])

    def by_day(self) -> Report[DayMetrics]:
        """The summary's metrics for every day of the range (days without plays show zeros)."""
        if not self._ready:
            return self._report([])
        found = {
            day: DayMetrics(plays, listeners, completions, float(hours), day)
            for day, plays, listeners, completions, hours in self._all(
                f"SELECT day, {METRICS} FROM playbacks GROUP BY day"
            )
        }
        days = (self.start + timedelta(days=n) for n in range((self.end - self.start).days))
        return self._report([found.get(day, DayMetrics(day=day)) for day in days])

    def top(self, dimension: str, limit: int = 10) -> Report[TopRow]:
        """Lectures, series or scholars by plays, then hours."""
        column = _column(dimension)
        if not self._ready:
            return self._report([])
        rows = self._all(
            f"SELECT {column}, count(*) FILTER (WHERE play) AS plays, "
            f"sum(listened) / 3600 AS hours FROM playbacks WHERE {column} IS NOT NULL "
            f"GROUP BY 1 ORDER BY plays DESC, hours DESC, 1 LIMIT $limit",
            {"limit": max(int(limit), 0)},
        )
        return self._report([TopRow(id_, plays, float(hours)) for id_, plays, hours in rows])

    def drop_off(
        self, lecture_id: uuid.UUID, buckets: int = 20, duration: float | None = None
    ) -> Report[Bucket]:
        """How many playbacks of a lecture ended (last event) in each slice of its length.

        With `duration` (seconds) the slices divide the lecture; without it, they divide the
        furthest last position seen, in whole seconds."""
        if buckets < 1:
            raise ValueError("buckets must be at least 1")
        if not self._ready:
            return self._report([])
        positions = [
            row[0]
            for row in self._all(
                "SELECT last_position FROM playbacks WHERE lecture_id = $lecture",
                {"lecture": lecture_id},
            )
        ]
        if not positions:
            return Report([], "empty", self.skipped_lines)
        return self._report(_histogram(positions, buckets, duration))

    def _all(self, query: str, parameters: dict | None = None) -> list[tuple]:
        assert self.connection is not None
        return self.connection.execute(query, parameters or {}).fetchall()

    def _one(self, query: str) -> tuple:
        [row] = self._all(query)
        return row


@contextmanager
def open_range(
    directory: str | Path,
    start: date,
    end: date,
    *,
    lecture_id: uuid.UUID | None = None,
    memory_limit: str = MEMORY_LIMIT,
    threads: int | None = None,
) -> Iterator[Range]:
    """The range [start, end) of the log in `directory`, read once (only its days' segments).

    With `lecture_id`, only that lecture's playbacks are kept (its reports are the lecture's);
    malformed lines are counted over the whole range all the same. `threads` defaults to
    DuckDB's (the machine's cores)."""
    files = segment_files(Path(directory), start, end)
    if files is None:
        yield Range(start, end, "unavailable")
        return
    if not files:
        yield Range(start, end, "empty")
        return
    import duckdb  # loaded on the first report, not by every worker at start (~40 MiB)

    connection = None
    spill = None
    try:
        try:
            spill = tempfile.TemporaryDirectory(prefix="durus-reader-")
            connection = duckdb.connect(":memory:")
            _configure(connection, spill.name, memory_limit, threads)
            skipped, playbacks = _fold(connection, files, start, end, lecture_id)
        except (duckdb.Error, OSError) as error:
            logger.warning("analytics: could not read %s: %s", directory, error)
            yield Range(start, end, "unavailable")
            return
        yield Range(start, end, "ok" if playbacks else "empty", skipped, connection)
    finally:
        if connection is not None:
            connection.close()
        if spill is not None:
            spill.cleanup()


def _configure(
    connection: duckdb.DuckDBPyConnection, spill: str, memory_limit: str, threads: int | None
) -> None:
    connection.execute("SET enable_progress_bar = false")
    connection.execute("SET preserve_insertion_order = false")
    connection.execute("SET memory_limit = $limit", {"limit": memory_limit})
    connection.execute("SET temp_directory = $spill", {"spill": spill})
    if threads is not None:
        connection.execute("SET threads = $threads", {"threads": int(threads)})


def _fold(
    connection: duckdb.DuckDBPyConnection,
    files: list[str],
    start: date,
    end: date,
    lecture_id: uuid.UUID | None,
) -> tuple[int, int]:
    """Build the `playbacks` table; returns (skipped lines, playbacks)."""
    # Pushed below the projection, the validity test would cast every field twice (a quarter
    # of the time of a long range); the filter cannot reach into read_json anyway.
    connection.execute("SET disabled_optimizers = 'filter_pushdown'")
    connection.execute(
        PLAYBACKS, {"files": files, "start": start, "end": end, "lecture": lecture_id}
    )
    connection.execute("RESET disabled_optimizers")
    skipped, playbacks = connection.execute(
        "SELECT coalesce(sum(events) FILTER (WHERE NOT valid), 0), "
        "count(*) FILTER (WHERE valid) FROM playbacks"
    ).fetchone()  # type: ignore[misc]
    connection.execute("DELETE FROM playbacks WHERE NOT valid")
    return int(skipped), int(playbacks)


def summary(directory: str | Path, start: date, end: date) -> Report[Metrics]:
    """Plays, listeners, completions and hours over the range: always one row."""
    with open_range(directory, start, end) as period:
        return period.summary()


def by_day(directory: str | Path, start: date, end: date) -> Report[DayMetrics]:
    """The summary's metrics for every day of the range (days without plays show zeros)."""
    with open_range(directory, start, end) as period:
        return period.by_day()


def top(
    directory: str | Path, start: date, end: date, dimension: str, limit: int = 10
) -> Report[TopRow]:
    """Lectures, series or scholars by plays, then hours."""
    _column(dimension)
    with open_range(directory, start, end) as period:
        return period.top(dimension, limit)


def drop_off(
    directory: str | Path,
    start: date,
    end: date,
    lecture_id: uuid.UUID,
    buckets: int = 20,
    duration: float | None = None,
) -> Report[Bucket]:
    """How many playbacks of a lecture ended (last event) in each slice of its length."""
    if buckets < 1:
        raise ValueError("buckets must be at least 1")
    with open_range(directory, start, end, lecture_id=lecture_id) as period:
        return period.drop_off(lecture_id, buckets, duration)


def _histogram(positions: list[float], buckets: int, duration: float | None) -> list[Bucket]:
    if duration is not None and duration > 0:
        width = duration / buckets
    else:
        width = float(max(math.ceil(max(positions) / buckets), 1))
    counts = [0] * buckets
    for position in positions:
        counts[min(int(position // width), buckets - 1)] += 1
    return [Bucket(i * width, (i + 1) * width, count) for i, count in enumerate(counts)]
