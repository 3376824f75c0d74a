"""`flask analytics prune --older-than Nd` removes only the segments older than N days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from durus.analytics.cli import old_segments
from durus.analytics.log import segment_name


def _prune(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["analytics", "prune", *args])


def _segments(directory: Path, *ages: int) -> dict[int, Path]:
    """Segment files for the days `ages` days before today (UTC)."""
    directory.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).date()
    paths = {age: directory / segment_name(today - timedelta(days=age)) for age in ages}
    for path in paths.values():
        path.write_text("{}\n")
    return paths


def test_prune_removes_only_older_segments(log_app: Flask, log_dir: Path) -> None:
    # ages clear of the cut-off, so the test holds if midnight passes while it runs
    paths = _segments(log_dir, 200, 120, 95, 85, 1, 0)
    (log_dir / "notes.txt").write_text("kept")
    (log_dir / "events-latest.ndjson").write_text("kept")

    result = _prune(log_app, "--older-than", "90d")

    assert result.exit_code == 0, result.output
    assert {age for age, path in paths.items() if path.exists()} == {85, 1, 0}
    for age in (200, 120, 95):
        assert f"removed {paths[age].name}" in result.output
    assert "3 segment(s) older than 90 days removed" in result.output
    assert (log_dir / "notes.txt").exists() and (log_dir / "events-latest.ndjson").exists()


def test_the_cut_off_is_whole_days(tmp_path: Path) -> None:
    today = date(2026, 11, 21)
    for day in (date(2026, 8, 22), date(2026, 8, 23), date(2026, 8, 24)):
        (tmp_path / segment_name(day)).write_text("")
    (tmp_path / "events-2026-02-30.ndjson").write_text("")  # no such day: not a segment
    assert [path.name for path in old_segments(tmp_path, 90, today)] == ["events-2026-08-22.ndjson"]


@pytest.mark.parametrize("age", ["90", "d", "0d", "-5d", "90 days", "1w", ""])
def test_prune_refuses_an_age_that_is_not_days(log_app: Flask, log_dir: Path, age: str) -> None:
    paths = _segments(log_dir, 400)
    result = _prune(log_app, "--older-than", age)
    assert result.exit_code == 2
    assert "Invalid value for '--older-than'" in result.output
    assert "not a number of days such as 90d" in result.output
    assert paths[400].exists()


def test_prune_needs_an_age(log_app: Flask) -> None:
    result = _prune(log_app)
    assert result.exit_code == 2
    assert "--older-than" in result.output


def test_prune_without_a_log_removes_nothing(log_app: Flask, log_dir: Path) -> None:
    result = _prune(log_app, "--older-than", "30d")
    assert result.exit_code == 0, result.output
    assert "nothing to remove" in result.output
    assert not log_dir.exists()
