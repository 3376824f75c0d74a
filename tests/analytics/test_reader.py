"""Reports over a hand-made log: plays, listeners, completions, hours, days, top, drop-off."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from durus.analytics import reader
from durus.analytics.log import segment_name
from durus.analytics.reader import Bucket, DayMetrics, Metrics, TopRow

DAY1, DAY2, DAY3 = date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 22)
LECTURE_A, LECTURE_B = uuid.UUID(int=0xA), uuid.UUID(int=0xB)
SCHOLAR_1, SCHOLAR_2 = uuid.UUID(int=0x51), uuid.UUID(int=0x52)
SERIES_X = uuid.UUID(int=0x5E)
SHORT = uuid.UUID(int=0x5C)  # a 30 s recording
LECTURES = {
    LECTURE_A: (SCHOLAR_1, SERIES_X),
    LECTURE_B: (SCHOLAR_2, None),
    SHORT: (SCHOLAR_2, None),
}

# (playback, listener, lecture, day, start time, [(seconds after start, kind, position)])
# fmt: off
PLAYBACKS: list[tuple[str, str, uuid.UUID, date, str, list[tuple[float, str, float]]]] = [
    # listened 100 s: a play, completed (twice: one completion)
    ("p1", "u1", LECTURE_A, DAY1, "10:00:00", [
        (0, "play_start", 0), (15, "progress", 15), (30, "progress", 30), (45, "progress", 45),
        (60, "progress", 60), (75, "progress", 75), (90, "progress", 90),
        (100, "complete", 100), (101, "complete", 100),
    ]),
    # 15 + 15 + 5 = 35 s: the jump to the seek's target is not listening; not a play
    ("p2", "u1", LECTURE_A, DAY1, "11:00:00", [
        (0, "play_start", 0), (15, "progress", 15), (20, "seek", 1000),
        (35, "progress", 1015), (40, "pause", 1020),
    ]),
    # an unreported jump is capped at 3× the time between events: 120 + 60 = 180 s, a play
    ("p3", "u2", LECTURE_B, DAY2, "09:00:00", [
        (0, "play_start", 0), (40, "progress", 200), (100, "progress", 260),
    ]),
    # exactly 60 s: a play
    ("p4", "anon:u3", LECTURE_A, DAY2, "10:00:00", [(0, "play_start", 30), (60, "pause", 90)]),
    # paused, moved while paused, resumed: 20 + 20 + 10 = 50 s, completed, not a play
    ("p5", "u2", LECTURE_B, DAY2, "11:00:00", [
        (0, "play_start", 0), (20, "progress", 20), (20.5, "pause", 20),
        (620, "play_start", 500), (640, "progress", 520), (650, "complete", 530),
    ]),
    # 61 s across midnight: a play, u1's second
    ("p6", "u1", LECTURE_B, DAY2, "23:59:30", [(0, "play_start", 0), (61, "progress", 61)]),
]
# fmt: on
LISTENED = {"p1": 100, "p2": 35, "p3": 180, "p4": 60, "p5": 50, "p6": 61}
MALFORMED = [
    "not json at all",
    '{"ts":"2026-11-21T12:00:00.000Z","kind":"progress","lecture_id":"',
    json.dumps({"ts": "2026-11-21T12:00:00.000Z", "kind": "listen", "position": 1}),
    "[1, 2, 3]",
]


def _event(playback: str, listener: str, lecture: uuid.UUID, at: datetime, step: tuple) -> dict:
    seconds, kind, position = step
    scholar, series = LECTURES[lecture]
    ts = at + timedelta(seconds=seconds)
    return {
        "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z",
        "kind": kind,
        "lecture_id": str(lecture),
        "scholar_id": str(scholar),
        "series_id": series and str(series),
        "position": position,
        "playback_id": playback,
        "listener": listener,
        "device": "desktop",
    }


def write_log(directory: Path, extra: dict[date, list[str]] | None = None) -> None:
    """The playbacks above, each line in the segment of its day, plus `extra` lines."""
    lines: dict[date, list[str]] = {}
    for playback, listener, lecture, day, time, steps in PLAYBACKS:
        start = datetime.fromisoformat(f"{day.isoformat()}T{time}")
        for step in steps:
            event = _event(playback, listener, lecture, start, step)
            lines.setdefault(date.fromisoformat(event["ts"][:10]), []).append(json.dumps(event))
    for day, more in (extra or {}).items():
        lines.setdefault(day, []).extend(more)
    directory.mkdir(parents=True, exist_ok=True)
    for day, day_lines in lines.items():
        (directory / segment_name(day)).write_text("".join(f"{line}\n" for line in day_lines))


def _hours(*playbacks: str) -> Any:
    return pytest.approx(sum(LISTENED[p] for p in playbacks) / 3600, abs=1e-9)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    directory = tmp_path / "analytics"
    write_log(directory)
    return directory


def test_summary_counts_plays_listeners_completions_and_hours(log: Path) -> None:
    report = reader.summary(log, DAY1, DAY3 + timedelta(days=1))
    assert report.status == "ok"
    assert report.skipped_lines == 0
    [metrics] = report.rows
    assert metrics == Metrics(
        plays=4,  # p1, p3, p4, p6
        listeners=3,  # u1 (twice), u2, anon:u3
        completions=2,  # p1, p5
        hours=_hours("p1", "p2", "p3", "p4", "p5", "p6"),
    )


def test_a_range_counts_only_its_days(log: Path) -> None:
    [metrics] = reader.summary(log, DAY1, DAY2).rows
    assert metrics == Metrics(plays=1, listeners=1, completions=1, hours=_hours("p1", "p2"))
    # p6's second event falls after the range: what is left of it is no play
    [metrics] = reader.summary(log, DAY2, DAY3).rows
    assert metrics == Metrics(plays=2, listeners=2, completions=1, hours=_hours("p3", "p4", "p5"))


def test_by_day_gives_every_day_of_the_range(log: Path) -> None:
    report = reader.by_day(log, DAY1, DAY3 + timedelta(days=2))
    assert report.status == "ok"
    assert report.rows == [
        DayMetrics(1, 1, 1, _hours("p1", "p2"), DAY1),
        DayMetrics(3, 3, 1, _hours("p3", "p4", "p5", "p6"), DAY2),
        # p6 started at 23:58 on DAY2 and its last event is on DAY3: it belongs to DAY2
        DayMetrics(day=DAY3),
        DayMetrics(day=DAY3 + timedelta(days=1)),
    ]


@pytest.mark.parametrize(
    "dimension, expected",
    [
        # two plays each: the hours decide
        ("lecture", [(LECTURE_B, 2, ("p3", "p5", "p6")), (LECTURE_A, 2, ("p1", "p2", "p4"))]),
        ("scholar", [(SCHOLAR_2, 2, ("p3", "p5", "p6")), (SCHOLAR_1, 2, ("p1", "p2", "p4"))]),
        ("series", [(SERIES_X, 2, ("p1", "p2", "p4"))]),
    ],
)
def test_top_orders_by_plays_then_hours(log: Path, dimension: str, expected: list) -> None:
    report = reader.top(log, DAY1, DAY3 + timedelta(days=1), dimension, limit=10)
    assert report.rows == [TopRow(id_, plays, _hours(*ps)) for id_, plays, ps in expected]


def test_top_respects_the_limit_and_refuses_unknown_dimensions(log: Path) -> None:
    [row] = reader.top(log, DAY1, DAY3 + timedelta(days=1), "lecture", limit=1).rows
    assert row.id == LECTURE_B
    with pytest.raises(ValueError, match="dimension"):
        reader.top(log, DAY1, DAY3, "listener", limit=1)


def test_drop_off_buckets_the_last_positions_of_a_lecture(log: Path) -> None:
    end = DAY3 + timedelta(days=1)
    # lecture A's playbacks ended at 100 (p1), 1020 (p2) and 90 (p4)
    report = reader.drop_off(log, DAY1, end, LECTURE_A, buckets=4, duration=1200)
    assert report.rows == [
        Bucket(0, 300, 2),
        Bucket(300, 600, 0),
        Bucket(600, 900, 0),
        Bucket(900, 1200, 1),
    ]
    without_duration = reader.drop_off(log, DAY1, end, LECTURE_A, buckets=4).rows
    assert [(b.start, b.end, b.playbacks) for b in without_duration] == [
        (0, 255, 2),
        (255, 510, 0),
        (510, 765, 0),
        (765, 1020, 1),
    ]
    nobody = reader.drop_off(log, DAY1, end, uuid.UUID(int=0xC))
    assert (nobody.rows, nobody.status) == ([], "empty")


def test_malformed_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    write_log(tmp_path, extra={DAY2: MALFORMED, DAY1 - timedelta(days=1): MALFORMED})
    report = reader.summary(tmp_path, DAY1, DAY3 + timedelta(days=1))
    assert report.status == "ok"
    assert report.skipped_lines == len(MALFORMED)  # the day before the range is not read
    assert report.rows[0].plays == 4
    assert reader.by_day(tmp_path, DAY2, DAY3).skipped_lines == len(MALFORMED)


def test_a_range_without_events_is_empty(log: Path) -> None:
    later = DAY3 + timedelta(days=30)
    assert reader.summary(log, later, later + timedelta(days=7)) == reader.Report(
        [Metrics()], "empty", 0
    )
    assert reader.by_day(log, later, later + timedelta(days=7)).status == "empty"
    assert reader.top(log, later, later + timedelta(days=7), "lecture").rows == []


def test_a_log_of_only_malformed_lines_is_empty(tmp_path: Path) -> None:
    (tmp_path / segment_name(DAY1)).write_text("".join(f"{line}\n" for line in MALFORMED))
    report = reader.summary(tmp_path, DAY1, DAY2)
    assert (report.status, report.skipped_lines) == ("empty", len(MALFORMED))


@pytest.mark.parametrize("where", ["missing", "a file"])
def test_an_absent_log_is_unavailable_and_never_an_error(tmp_path: Path, where: str) -> None:
    directory = tmp_path / "analytics"
    if where == "a file":
        directory.write_text("not a folder")
    assert reader.summary(directory, DAY1, DAY3) == reader.Report([Metrics()], "unavailable", 0)
    for report in (
        reader.by_day(directory, DAY1, DAY3),
        reader.top(directory, DAY1, DAY3, "series"),
        reader.drop_off(directory, DAY1, DAY3, LECTURE_A),
    ):
        assert (report.rows, report.status) == ([], "unavailable")


def test_events_written_by_the_application_are_read_back(log_app: Any, log_dir: Path) -> None:
    from durus.analytics import listener_key_for_user, record_event

    listener = listener_key_for_user(uuid.uuid4())
    for kind, position in (("play_start", 0.0), ("progress", 0.5), ("complete", 1.0)):
        assert record_event(
            kind,
            lecture_id=LECTURE_A,
            scholar_id=SCHOLAR_1,
            series_id=None,
            position=position,
            playback_id="read-back",
            listener_key=listener,
            device="mobile",
        )
    today = datetime.now(UTC).date()
    report = reader.summary(log_dir, today - timedelta(days=1), today + timedelta(days=2))
    assert report.status == "ok" and report.skipped_lines == 0
    assert report.rows[0].completions == 1
    assert report.rows[0].plays == 0


# A short recording (the demo's clips are 8 to 43 s) counts as played when it was completed
# and most of it was listened.
# fmt: off
SHORT_PLAYBACKS: dict[str, tuple[str, list[tuple[float, str, float]]]] = {
    # listened to the end of a 30 s recording: a play
    "whole": ("s1", [(0, "play_start", 0), (15, "progress", 15), (30, "complete", 30)]),
    # 24 of 30 s (80 %), the rest skipped: a play
    "most": ("s2", [
        (0, "play_start", 0), (15, "progress", 15), (24, "pause", 24), (26, "seek", 30),
        (26.5, "complete", 30),
    ]),
    # jumped to the end at once: 1.5 s listened, no play
    "skipped": ("s3", [(0, "play_start", 0), (1, "seek", 28), (2, "complete", 30)]),
    # half of it: no play
    "half": ("s4", [(0, "play_start", 0), (15, "seek", 29), (16, "complete", 30)]),
    # all of it but no `complete` event (the tab closed at the last second): no play
    "unfinished": ("s5", [(0, "play_start", 0), (15, "progress", 15), (29, "pause", 29)]),
}
# fmt: on


def _write_short(directory: Path, *names: str) -> None:
    start = datetime(2026, 11, 20, 8, 0, 0)
    lines = []
    for n, name in enumerate(names):
        listener, steps = SHORT_PLAYBACKS[name]
        at = start + timedelta(minutes=n)
        lines += [json.dumps(_event(name, listener, SHORT, at, step)) for step in steps]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / segment_name(DAY1)).write_text("".join(f"{line}\n" for line in lines))


@pytest.mark.parametrize(
    "name, plays", [("whole", 1), ("most", 1), ("skipped", 0), ("half", 0), ("unfinished", 0)]
)
def test_a_short_recording_is_played_when_completed_and_mostly_listened(
    tmp_path: Path, name: str, plays: int
) -> None:
    _write_short(tmp_path, name)
    [metrics] = reader.summary(tmp_path, DAY1, DAY2).rows
    assert (metrics.plays, metrics.listeners, metrics.completions) == (
        plays,
        plays,
        0 if name == "unfinished" else 1,
    )
    [row] = reader.top(tmp_path, DAY1, DAY2, "lecture").rows
    assert (row.id, row.plays) == (SHORT, plays)


def test_the_short_rule_does_not_apply_to_a_long_recording(log: Path) -> None:
    # p5 was completed at 530 s with 50 s listened: long, so 60 s are needed
    [metrics] = reader.summary(log, DAY2, DAY3).rows
    assert metrics.completions == 1 and metrics.plays == 2  # p3 and p4, not p5


def test_one_range_answers_every_report_as_the_functions_do(log: Path) -> None:
    end = DAY3 + timedelta(days=1)
    with reader.open_range(log, DAY1, end) as period:
        assert (period.status, period.skipped_lines) == ("ok", 0)
        assert period.summary() == reader.summary(log, DAY1, end)
        assert period.by_day() == reader.by_day(log, DAY1, end)
        for dimension in ("lecture", "series", "scholar"):
            assert period.top(dimension, 5) == reader.top(log, DAY1, end, dimension, 5)
        assert period.drop_off(LECTURE_A, 4, 1200) == reader.drop_off(
            log, DAY1, end, LECTURE_A, 4, 1200
        )


def test_a_range_of_one_lecture_reports_only_that_lecture(tmp_path: Path) -> None:
    write_log(tmp_path, extra={DAY2: MALFORMED})
    with reader.open_range(tmp_path, DAY1, DAY3 + timedelta(days=1), lecture_id=LECTURE_A) as a:
        assert a.summary().rows == [
            Metrics(plays=2, listeners=2, completions=1, hours=_hours("p1", "p2", "p4"))
        ]
        assert a.skipped_lines == len(MALFORMED)
        assert [row.id for row in a.top("lecture").rows] == [LECTURE_A]
    with reader.open_range(tmp_path, DAY1, DAY2, lecture_id=uuid.UUID(int=0xC)) as nobody:
        assert nobody.status == "empty"
        assert nobody.summary().rows == [Metrics()]


def test_binary_junk_and_a_folder_named_like_a_segment_are_survived(tmp_path: Path) -> None:
    write_log(tmp_path)
    with (tmp_path / segment_name(DAY2)).open("ab") as segment:
        segment.write(b"\x00\xff\xfe garbage \x80\n" + b"{" * 10_000 + b"\n")
    (tmp_path / segment_name(DAY3 + timedelta(days=1))).mkdir()
    report = reader.summary(tmp_path, DAY1, DAY3 + timedelta(days=2))
    assert report.status == "ok"
    assert report.rows[0].plays == 4
    assert report.skipped_lines == 2


def test_ties_in_time_are_ordered_the_same_way_every_time(tmp_path: Path) -> None:
    # a seek and a pause logged in the same millisecond at the same position
    at = datetime(2026, 11, 20, 8, 0, 0)
    steps = [(0, "play_start", 0), (30, "progress", 30), (45, "seek", 105), (45, "pause", 105)]
    tmp_path.joinpath(segment_name(DAY1)).write_text(
        "".join(json.dumps(_event("t", "u1", LECTURE_A, at, s)) + "\n" for s in steps)
    )
    hours = {reader.summary(tmp_path, DAY1, DAY2).rows[0].hours for _ in range(5)}
    assert len(hours) == 1
