"""The demo's month of listening: realistic enough to chart, repeatable, never over real data."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from durus.analytics import DEVICE_CLASSES, LISTENER_KEY, PLAYBACK_ID, reader, record_event
from durus.analytics.demo import DAYS, DemoLecture, write_demo_month
from durus.analytics.log import segment_name

TODAY = date(2026, 11, 22)
FIRST = TODAY - timedelta(days=DAYS)
# the demo's clips are 8 to 43 seconds long
DURATIONS = [7.9, 9.7, 12.2, 14.8, 19.5, 20.6, 21.6, 23.8, 25.1, 26.7, 28.8, 29.7, 37.8, 43.2]
SCHOLARS = [uuid.UUID(int=0x100 + n) for n in range(3)]
LECTURES = [
    DemoLecture(
        id=uuid.UUID(int=0x1000 + n),
        scholar_id=SCHOLARS[n % 3],
        series_id=None if n % 4 == 0 else uuid.UUID(int=0x200 + n % 3),
        duration_seconds=seconds,
    )
    for n, seconds in enumerate(DURATIONS)
]
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _events(directory: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted(directory.glob("*.ndjson"))
        for line in path.read_text().splitlines()
    ]


def test_the_month_charts_plays_listeners_completions_and_hours(tmp_path: Path) -> None:
    written = write_demo_month(tmp_path, LECTURES, TODAY)
    assert (written.days, written.kept_days) == (DAYS, 0)
    assert written.events == len(_events(tmp_path)) > 1000

    with reader.open_range(tmp_path, FIRST, TODAY) as month:
        assert (month.status, month.skipped_lines) == ("ok", 0)
        [metrics] = month.summary().rows
        days = month.by_day().rows
        top = month.top("lecture", limit=len(LECTURES)).rows
    assert metrics.plays > 100 and metrics.completions > 100 and metrics.hours > 1
    assert 20 <= metrics.listeners <= 60  # a few dozen
    assert all(day.plays > 0 for day in days)
    fridays_and_weekends = [d.plays for d in days if d.day.weekday() >= 4]
    weekdays = [d.plays for d in days if d.day.weekday() < 4]
    assert sum(fridays_and_weekends) / len(fridays_and_weekends) > sum(weekdays) / len(weekdays)
    assert top[0].plays > 3 * top[-1].plays  # popular lectures are played far more
    kinds = {event["kind"] for event in _events(tmp_path)}
    assert kinds == {"play_start", "progress", "pause", "seek", "complete"}


def test_some_listeners_come_back_to_carry_on(tmp_path: Path) -> None:
    write_demo_month(tmp_path, LECTURES, TODAY)
    resumed = [e for e in _events(tmp_path) if e["kind"] == "play_start" and e["position"] > 0]
    assert resumed


def test_events_are_written_as_the_application_writes_them(
    log_app: Flask, log_dir: Path, tmp_path: Path
) -> None:
    record_event(
        "progress",
        lecture_id=LECTURES[0].id,
        scholar_id=LECTURES[0].scholar_id,
        series_id=None,
        position=1.0,
        playback_id="p-1",
        listener_key="0" * 32,
        device="mobile",
    )
    [real] = _events(log_dir)
    demo_dir = tmp_path / "demo"
    write_demo_month(demo_dir, LECTURES, TODAY)
    events = _events(demo_dir)
    assert {tuple(event) for event in events} == {tuple(real)}  # the same keys, in order
    for event in events:
        assert TS.match(event["ts"])
        assert LISTENER_KEY.match(event["listener"])
        assert PLAYBACK_ID.match(event["playback_id"])
        assert event["device"] in DEVICE_CLASSES
        assert isinstance(event["position"], float) and event["position"] >= 0
    first_line = next(demo_dir.glob("*.ndjson")).read_text().splitlines()[0]
    assert '","kind":"' in first_line  # compact separators, as record_event writes


def test_only_the_days_before_today_are_written(tmp_path: Path) -> None:
    write_demo_month(tmp_path, LECTURES, TODAY)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        segment_name(FIRST + timedelta(days=n)) for n in range(DAYS)
    ]
    today = datetime.now(UTC).date()
    default = tmp_path / "default"
    write_demo_month(default, LECTURES)
    assert not (default / segment_name(today)).exists()
    assert (default / segment_name(today - timedelta(days=1))).exists()


def test_the_same_lectures_and_day_give_the_same_events(tmp_path: Path) -> None:
    write_demo_month(tmp_path / "a", LECTURES, TODAY)
    write_demo_month(tmp_path / "b", LECTURES, TODAY)
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
    write_demo_month(tmp_path / "c", LECTURES, TODAY, seed=7)
    assert _events(tmp_path / "c") != _events(tmp_path / "a")


def test_a_day_that_has_events_is_never_overwritten(tmp_path: Path) -> None:
    real_day = TODAY - timedelta(days=3)
    real = tmp_path / segment_name(real_day)
    real.write_text('{"kind":"a real event"}\n')
    written = write_demo_month(tmp_path, LECTURES, TODAY)
    assert (written.days, written.kept_days) == (DAYS - 1, 1)
    assert real.read_text() == '{"kind":"a real event"}\n'
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    again = write_demo_month(tmp_path, LECTURES, TODAY)
    assert (again.events, again.days, again.kept_days) == (0, 0, DAYS)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_no_lectures_no_events(tmp_path: Path) -> None:
    assert write_demo_month(tmp_path / "log", [], TODAY).events == 0
    assert not (tmp_path / "log").exists()


@pytest.mark.usefixtures("db_session")
def test_the_demo_seed_writes_a_month_of_listening_once(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "analytics"
    monkeypatch.setitem(app.config, "ANALYTICS_DIR", str(directory))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0, first.output
    assert f"over {DAYS} days" in first.output
    today = datetime.now(UTC).date()
    [metrics] = reader.summary(directory, today - timedelta(days=DAYS), today).rows
    assert metrics.plays > 0 and metrics.listeners > 0 and metrics.completions > 0

    second = runner.invoke(args=["seed", "demo"])
    assert second.exit_code == 0, second.output
    assert "Demo listening: nothing new" in second.output


@pytest.mark.usefixtures("db_session")
def test_the_demo_seed_carries_on_without_a_writable_log(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the analytics folder should be")
    monkeypatch.setitem(app.config, "ANALYTICS_DIR", str(blocker / "analytics"))
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "Demo listening not written" in result.output
