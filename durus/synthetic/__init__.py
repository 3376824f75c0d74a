"""`flask seed synthetic`: a catalogue, its listeners and their listening at a large site's size.

Stages run in order, each in one transaction of its own: an interrupted stage leaves nothing,
and a re-run finds the finished ones by counting rows in their id range (ids derive from the
seed) and skips them. The first stage whose count differs is redone from a clean slate, with
every stage after it (they may point at its rows). Rows go in through COPY; the tables'
non-unique indexes are dropped and rebuilt inside the same transaction (a build after the
load is several times faster than updating them row by row, and a rollback restores them).

Audio: the demo's recordings in seeds/audio are put once into the media store; every lecture
shares one of their media_assets rows, so the site serves real audio without 300,000 files.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

from ..media.probe import probe_audio
from ..media.store import LocalMediaStore
from . import plan, rows
from .analytics import write_listening
from .plan import LECTURE, SCHOLAR, SERIES, USER, Clock, id_range

DEFAULT_SEED = 1447
BATCH = 20_000
SYNTHETIC_PASSWORD = "synthetic listener"  # noqa: S105 - every synthetic account's password (benchmarks)


@dataclass(frozen=True)
class Sizes:
    scholars: int = 300
    series: int = 10_000
    lectures: int = 300_000
    users: int = 200_000
    progress: int = 10_000_000
    favourites: int = 2_000_000
    analytics_days: int = 90
    plays_per_day: int = 10_000

    def scaled(self, factor: float) -> Sizes:
        counts = {
            name: max(1, round(getattr(self, name) * factor))
            for name in ("scholars", "series", "lectures", "users", "progress", "favourites")
        }
        counts["plays_per_day"] = max(1, round(self.plays_per_day * factor))
        return replace(self, **counts)

    @property
    def editors(self) -> int:
        return min(max(1, self.scholars // rows.EDITOR_SCHOLARS), self.users - 1)


class SizeError(ValueError):
    """Sizes that cannot fit together (a one-line message for the command)."""


def check(sizes: Sizes, visible: int | None = None) -> None:
    if min(sizes.scholars, sizes.series, sizes.lectures, sizes.users) < 1:
        raise SizeError("scholars, series, lectures and users must each be at least 1")
    if sizes.users < 2:
        raise SizeError("users must be at least 2 (an administrator and an editor)")
    room = sizes.users * (visible if visible is not None else int(sizes.lectures * 0.8))
    for name in ("progress", "favourites"):
        if getattr(sizes, name) > room // 4:
            raise SizeError(
                f"{name} must be at most a quarter of users × playable lectures ({room // 4:,})"
            )


Progress = Callable[[str, int], AbstractContextManager[Any]]
Report = Callable[[str], None]


@dataclass
class Stage:
    name: str
    table: str
    kind: int  # which id range counts its rows
    column: str
    expected: int
    clear: list[str]
    write: Callable[[psycopg.Cursor[Any], Progress], int]


class Synthetic:
    def __init__(
        self,
        url: str,
        sizes: Sizes,
        *,
        seed: int,
        today: date,
        media_root: Path,
        audio_dir: Path,
        analytics_dir: Path,
        listener_key: Callable[[str], str],
        password_hash: Callable[[], str],
        progress: Progress,
        report: Report,
    ) -> None:
        self.url, self.sizes, self.seed = url, sizes, seed
        self.clock = Clock(today)
        self.store = LocalMediaStore(media_root)
        self.audio_dir, self.analytics_dir = audio_dir, analytics_dir
        self.listener_key, self.password_hash = listener_key, password_hash
        self.progress, self.report = progress, report
        self.suffix = rows.tag(seed, DEFAULT_SEED)

    def run(self) -> None:
        # Autocommit: each `conn.transaction()` is then a transaction of its own (not a
        # savepoint of one long implicit transaction), so a finished stage stays committed.
        with psycopg.connect(self.url, autocommit=True) as conn:
            self.assets = self._audio(conn)
            self.series_plans = plan.plan_series(self.seed, self.sizes.scholars, self.sizes.series)
            self.lecture_plans = plan.plan_lectures(
                self.seed,
                self.series_plans,
                self.sizes.scholars,
                self.sizes.lectures,
                len(self.assets),
            )
            self.popular = self._popular()
            check(self.sizes, len(self.popular))
            self._database_stages(conn)
        self._analytics()

    def _database_stages(self, conn: psycopg.Connection[Any]) -> None:
        stages = self._stages()
        counts = [self._count(conn, stage) for stage in stages]
        todo = next((i for i, s in enumerate(stages) if counts[i] != s.expected), len(stages))
        for stage, count in zip(stages[:todo], counts[:todo], strict=True):
            self.report(f"{stage.name}: complete already ({count:,} rows)")
        for i, stage in enumerate(stages[todo:], start=todo):
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cur:
                if i == todo:  # what a previous run left of this stage and the ones after it
                    for later in reversed(stages[todo:]):
                        for statement in later.clear:
                            cur.execute(statement)
                cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
                written = stage.write(cur, self.progress)
                cur.execute(f"ANALYZE {stage.table}")
            seconds = time.perf_counter() - started
            self.report(
                f"{stage.name}: {written:,} rows in {seconds:.1f} s "
                f"({written / max(seconds, 1e-6):,.0f} rows/s)"
            )

    def _count(self, conn: psycopg.Connection[Any], stage: Stage) -> int:
        low, high = id_range(self.seed, stage.kind)
        query = f"SELECT count(*) FROM {stage.table} WHERE {stage.column} BETWEEN %s AND %s"
        return conn.execute(query, (low, high)).fetchone()[0]  # type: ignore[index]

    def _stages(self) -> list[Stage]:
        s, seed, clock, suffix = self.sizes, self.seed, self.clock, self.suffix

        def by(kind: int, table: str, column: str = "id") -> list[str]:
            low, high = id_range(seed, kind)
            return [f"DELETE FROM {table} WHERE {column} BETWEEN '{low}' AND '{high}'"]

        return [
            Stage(
                "scholars",
                "scholars",
                SCHOLAR,
                "id",
                s.scholars,
                by(SCHOLAR, "scholars"),
                lambda cur, bar: copy(
                    cur,
                    "scholars (id, slug, name, name_original, name_original_language, biography,"
                    " is_active, created_at, updated_at)",
                    rows.scholars(seed, s.scholars, clock, suffix),
                    s.scholars,
                    bar,
                    "scholars",
                ),
            ),
            Stage(
                "series",
                "series",
                SERIES,
                "id",
                s.series,
                by(SERIES, "series"),
                lambda cur, bar: copy(
                    cur,
                    "series (id, scholar_id, slug, title, description, language_code, state,"
                    " published_at, created_at, updated_at)",
                    rows.series(seed, self.series_plans, clock, suffix),
                    s.series,
                    bar,
                    "series",
                ),
            ),
            Stage(
                "lectures",
                "lectures",
                LECTURE,
                "id",
                s.lectures,
                by(LECTURE, "lectures"),
                lambda cur, bar: copy(
                    cur,
                    "lectures (id, scholar_id, series_id, position, slug, title, description,"
                    " language_code, state, published_at, recorded_on, audio_asset_id,"
                    " created_at, updated_at)",
                    rows.lectures(
                        seed, self.lecture_plans, self.series_plans, self.assets, clock, suffix
                    ),
                    s.lectures,
                    bar,
                    "lectures",
                ),
            ),
            Stage("users", "users", USER, "id", s.users, by(USER, "users"), self._write_users),
            Stage(
                "progress",
                "user_progress",
                USER,
                "user_id",
                s.progress,
                by(USER, "user_progress", "user_id"),
                lambda cur, bar: copy(
                    cur,
                    "user_progress (user_id, lecture_id, position_seconds, completed_at,"
                    " observed_at, dismissed_at, updated_at)",
                    rows.progress(
                        seed, s.progress, s.users, self.popular, self._durations(), clock
                    ),
                    s.progress,
                    bar,
                    "progress",
                ),
            ),
            Stage(
                "favourites",
                "favourites",
                USER,
                "user_id",
                s.favourites,
                by(USER, "favourites", "user_id"),
                lambda cur, bar: copy(
                    cur,
                    "favourites (user_id, lecture_id, created_at)",
                    rows.favourites(seed, s.favourites, s.users, self.popular, clock),
                    s.favourites,
                    bar,
                    "favourites",
                ),
            ),
        ]

    def _write_users(self, cur: psycopg.Cursor[Any], bar: Progress) -> int:
        s, seed, clock = self.sizes, self.seed, self.clock
        written = copy(
            cur,
            "users (id, email, display_name, role, state, interface_language, time_zone,"
            " playback_rate, autoplay_next, last_sign_in_at, created_at, updated_at)",
            rows.users(seed, s.users, s.editors, clock, self.suffix),
            s.users,
            bar,
            "users",
        )
        copy(
            cur,
            "user_credentials (user_id, password_hash, created_at, updated_at)",
            rows.credentials(seed, s.users, self.password_hash(), clock),
            s.users,
            bar,
            "passwords",
        )
        scopes = list(rows.editor_scopes(seed, s.editors, s.scholars, clock))
        copy(cur, "editor_scopes (user_id, scholar_id, created_at)", scopes, len(scopes), bar, "")
        return written

    def _audio(self, conn: psycopg.Connection[Any]) -> list[rows.Asset]:
        """The shared recordings: stored once (content-addressed), one media_assets row each."""
        files = sorted(self.audio_dir.glob("*.mp3"))
        if not files:
            raise SizeError(f"no .mp3 recordings in {self.audio_dir}")
        keys = []
        with conn.transaction():
            for path in files:
                info = probe_audio(path)
                with path.open("rb") as source:
                    stored = self.store.put(source, "audio", info.extension)
                conn.execute(
                    "INSERT INTO media_assets (id, kind, storage_key, content_type, byte_size,"
                    " duration_seconds, bitrate, sha256, original_filename)"
                    " VALUES (%s, 'audio', %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (storage_key) DO NOTHING",
                    (
                        uuid.UUID(hex=stored.sha256[:32], version=4),
                        stored.key,
                        info.content_type,
                        stored.byte_size,
                        info.duration_seconds,
                        info.bitrate,
                        stored.sha256,
                        path.name,
                    ),
                )
                keys.append(stored.key)
        found = {
            key: rows.Asset(str(asset_id), float(duration))
            for key, asset_id, duration in conn.execute(
                "SELECT storage_key, id, duration_seconds FROM media_assets"
                " WHERE storage_key = ANY(%s)",
                (keys,),
            )
        }
        return [found[key] for key in keys]

    def _popular(self) -> list[int]:
        """Playable lectures, most popular first (a fixed shuffle)."""
        playable = plan.visible(self.lecture_plans, self.series_plans)
        plan.rng_for(self.seed, "popularity").shuffle(playable)
        return playable

    def _durations(self) -> list[float]:
        return [self.assets[p.asset].duration if p.asset >= 0 else 0.0 for p in self.lecture_plans]

    def _analytics(self) -> None:
        started = time.perf_counter()
        lectures = [
            (
                plan.ident(self.seed, LECTURE, n),
                plan.ident(self.seed, SCHOLAR, self.lecture_plans[n].scholar),
                None
                if self.lecture_plans[n].series < 0
                else plan.ident(self.seed, SERIES, self.lecture_plans[n].series),
                self.assets[self.lecture_plans[n].asset].duration,
            )
            for n in self.popular
        ]
        written = write_listening(
            self.analytics_dir,
            lectures,
            [plan.ident(self.seed, USER, n) for n in range(self.sizes.users)],
            self.listener_key,
            today=self.clock.today,
            days=self.sizes.analytics_days,
            plays_per_day=self.sizes.plays_per_day,
            seed=self.seed,
            progress=self.progress,
        )
        seconds = time.perf_counter() - started
        if written.days == 0:
            self.report(
                f"analytics: complete already ({written.kept_days} days in {self.analytics_dir})"
            )
            return
        kept = f"; {written.kept_days} days that had events left alone" if written.kept_days else ""
        self.report(
            f"analytics: {written.events:,} events over {written.days} days in {seconds:.1f} s "
            f"({written.events / max(seconds, 1e-6):,.0f} events/s){kept}"
        )


def copy(
    cur: psycopg.Cursor[Any],
    target: str,
    lines: Iterable[str],
    total: int,
    progress: Progress,
    label: str,
) -> int:
    """COPY the text `lines` into `target` with its secondary indexes rebuilt afterwards."""
    table = target.split(" ", 1)[0]
    written = 0
    with (
        _indexes_rebuilt_after(cur, table, total),
        progress(label, total) as bar,
        cur.copy(f"COPY {target} FROM STDIN") as pipe,
    ):
        started = time.perf_counter()
        for batch in _batches(lines):
            pipe.write("".join(batch))
            written += len(batch)
            rate = written / max(time.perf_counter() - started, 1e-6)
            bar.update(len(batch), f"{rate:,.0f} rows/s")
    return written


def _batches(lines: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@contextmanager
def _indexes_rebuilt_after(cur: psycopg.Cursor[Any], table: str, adding: int) -> Iterator[None]:
    """Drop `table`'s non-unique indexes and create them again from their definitions (unique
    ones stay: they enforce constraints). Inside the caller's transaction, so a rollback keeps
    them. Only when the load is larger than what the table holds: else rebuilding costs more."""
    holds = cur.execute(
        "SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", (table,)
    ).fetchone()
    if holds is None or holds[0] >= adding:
        yield
        return
    indexes = cur.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indrelid = %s::regclass AND NOT indisunique AND NOT indisprimary",
        (table,),
    ).fetchall()
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    yield
    for _, definition in indexes:
        cur.execute(definition)
