"""Appending events: one whole JSON line each, nothing identifying, never an error."""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from durus import analytics
from durus.analytics import (
    device_class,
    dropped_events,
    listener_key_for_browser,
    listener_key_for_user,
    record_event,
)
from durus.analytics.log import segment_name

FIELDS = {
    "ts",
    "kind",
    "lecture_id",
    "scholar_id",
    "series_id",
    "position",
    "playback_id",
    "listener",
    "device",
}
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
LECTURE, SCHOLAR, SERIES = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def _record(kind: str = "progress", **overrides: Any) -> bool:
    fields: dict[str, Any] = {
        "lecture_id": LECTURE,
        "scholar_id": SCHOLAR,
        "series_id": SERIES,
        "position": 754.26,
        "playback_id": "3f1c9a4e-0d2b-4c1e-9a77-5b0f2e8d1c3a",
        "listener_key": listener_key_for_user(uuid.UUID(int=7)),
        "device": device_class(IPHONE),
    }
    return record_event(kind, **{**fields, **overrides})


def _lines(directory: Path) -> list[str]:
    paths = sorted(directory.glob("events-*.ndjson"))
    return [line for path in paths for line in path.read_text().splitlines(keepends=True)]


def _dropping_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "analytics: events are being dropped" in r.getMessage()]


def test_an_event_is_one_json_line_with_only_the_allowed_fields(
    log_app: Flask, log_dir: Path
) -> None:
    assert _record("progress") is True

    [path] = log_dir.glob("events-*.ndjson")
    assert path.name == segment_name(datetime.now(UTC).date())
    text = path.read_text()
    assert text.endswith("\n") and text.count("\n") == 1
    event = json.loads(text)
    assert set(event) == FIELDS
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", event["ts"])
    assert event["kind"] == "progress"
    assert event["lecture_id"] == str(LECTURE)
    assert event["scholar_id"] == str(SCHOLAR)
    assert event["series_id"] == str(SERIES)
    assert event["position"] == 754.3
    assert event["listener"] == listener_key_for_user(uuid.UUID(int=7))
    assert event["device"] == "mobile"
    assert "Mozilla" not in text and "iPhone" not in text and "@" not in text


def test_a_lecture_outside_a_series_has_a_null_series(log_app: Flask, log_dir: Path) -> None:
    assert _record("play_start", series_id=None, position=0)
    [line] = _lines(log_dir)
    assert json.loads(line)["series_id"] is None


@pytest.mark.parametrize(
    "kind, overrides",
    [
        ("listen", {}),
        ("progress", {"listener_key": "amina@example.com"}),
        ("progress", {"device": FIREFOX}),
        ("progress", {"position": float("nan")}),
        ("progress", {"position": -1}),
        ("progress", {"lecture_id": "not a uuid"}),
        ("progress", {"playback_id": "x" * 65}),
        ("progress", {"playback_id": "203.0.113.9"}),
    ],
)
def test_an_invalid_event_is_not_written(
    log_app: Flask, log_dir: Path, kind: str, overrides: dict[str, Any]
) -> None:
    assert _record(kind, **overrides) is False
    assert not log_dir.exists()
    assert dropped_events() == 0


def test_every_event_kind_is_accepted(log_app: Flask, log_dir: Path) -> None:
    for kind in analytics.EVENT_KINDS:
        assert _record(kind)
    assert [json.loads(line)["kind"] for line in _lines(log_dir)] == list(analytics.EVENT_KINDS)


def test_a_missing_folder_is_created(log_app: Flask, log_dir: Path) -> None:
    assert not log_dir.parent.exists()
    assert _record()
    assert len(_lines(log_dir)) == 1


def test_user_keys_are_stable_distinct_and_do_not_reveal_the_id(log_app: Flask) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    key = listener_key_for_user(first)
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert listener_key_for_user(first) == key
    assert listener_key_for_user(second) != key
    for form in (str(first), first.hex, str(first)[:8], first.hex[-12:]):
        assert form not in key


def test_keys_depend_on_the_secret_key(make_app: Callable[..., Flask], log_app: Flask) -> None:
    user = uuid.uuid4()
    key = listener_key_for_user(user)
    other = make_app(SECRET_KEY="another-secret-key-that-is-long-enough-987654")
    with other.app_context():
        assert listener_key_for_user(user) != key


def test_browser_keys_are_marked_anonymous_and_need_a_uuid(log_app: Flask) -> None:
    browser = str(uuid.uuid4())
    key = listener_key_for_browser(browser)
    assert key is not None and re.fullmatch(r"anon:[0-9a-f]{32}", key)
    assert listener_key_for_browser(browser.upper()) == key
    assert listener_key_for_browser(str(uuid.uuid4())) != key
    assert key.removeprefix("anon:") != listener_key_for_user(uuid.UUID(browser))
    assert browser not in key
    for invalid in ("", "not-a-browser", "1234", "<script>"):
        assert listener_key_for_browser(invalid) is None
    assert _record(listener_key=key)


@pytest.mark.parametrize(
    "agent, expected",
    [
        (IPHONE, "mobile"),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari", "mobile"),
        (FIREFOX, "desktop"),
        ("", "desktop"),
        (None, "desktop"),
    ],
)
def test_device_class_is_coarse(agent: str | None, expected: str) -> None:
    assert device_class(agent) == expected


def test_an_unusable_folder_drops_events_counts_them_and_warns_once(
    make_app: Callable[..., Flask], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("in the way")
    app = make_app(ANALYTICS_DIR=str(not_a_folder / "analytics"))
    with app.app_context(), caplog.at_level(logging.WARNING):
        results = [_record() for _ in range(50)]
        assert results == [False] * 50
        assert dropped_events() == 50
    assert len(_dropping_warnings(caplog)) == 1
    assert not_a_folder.read_text() == "in the way"


def test_a_full_disk_drops_events_and_warns_once(
    log_app: Flask, log_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log_dir.mkdir(parents=True)
    today = datetime.now(UTC).date()
    for day in (today, today + timedelta(days=1)):  # the test may run across midnight
        (log_dir / segment_name(day)).symlink_to("/dev/full")
    with caplog.at_level(logging.WARNING):
        assert [_record() for _ in range(20)] == [False] * 20
    assert dropped_events() == 20
    [warning] = _dropping_warnings(caplog)
    assert "full" in warning.getMessage()


def test_each_kind_of_failure_is_warned_about_once(
    log_app: Flask, log_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log_dir.parent.mkdir(parents=True)
    log_dir.write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING):
        _record()
        _record()
        log_dir.unlink()
        log_dir.mkdir()
        today = datetime.now(UTC).date()
        for day in (today, today + timedelta(days=1)):
            (log_dir / segment_name(day)).symlink_to("/dev/full")
        _record()
        _record()
    assert dropped_events() == 4
    assert len(_dropping_warnings(caplog)) == 2


def test_outside_an_application_nothing_is_written_and_nothing_raised() -> None:
    assert (
        record_event(
            "progress",
            lecture_id=LECTURE,
            scholar_id=SCHOLAR,
            series_id=None,
            position=1.0,
            playback_id="abcdefgh",
            listener_key="0" * 32,
            device="desktop",
        )
        is False
    )


def _append_many(app: Flask, worker: int, count: int, start: Any) -> None:
    start.wait()
    with app.app_context():
        for n in range(count):
            _record(playback_id=f"worker-{worker}", position=n)


def test_processes_appending_at_once_write_only_whole_lines(log_app: Flask, log_dir: Path) -> None:
    workers, each = 4, 500
    context = multiprocessing.get_context("fork")
    start = context.Barrier(workers)
    processes = [
        context.Process(target=_append_many, args=(log_app, n, each, start)) for n in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    lines = _lines(log_dir)
    assert len(lines) == workers * each
    events = [json.loads(line) for line in lines]
    assert all(set(event) == FIELDS for event in events)
    assert Counter(event["playback_id"] for event in events) == {
        f"worker-{n}": each for n in range(workers)
    }
