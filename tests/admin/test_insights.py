"""Listening insights: the period, the figures and charts from the analytics log, the most
played lectures, series and scholars, where listeners stop, and every way the log can fail."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from flask_babel import format_date

from durus.admin.insights import hours_text
from durus.analytics import reader
from durus.analytics.log import segment_name
from durus.models import Lecture, Role, User
from tests.factories import make_audio_asset, make_lecture, make_scholar, make_series
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")

TODAY = datetime.now(UTC).date()
YESTERDAY = TODAY - timedelta(days=1)
LISTENER = "a" * 32
BARS = re.compile(r'<rect class="chart__bar"')


@pytest.fixture
def log_dir(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The application's analytics log, for this test only (not created yet)."""
    directory = tmp_path / "analytics"
    monkeypatch.setitem(app.config, "ANALYTICS_DIR", str(directory))
    return directory


@pytest.fixture
def admin(client: FlaskClient) -> User:
    user = make_account(role=Role.ADMIN)
    sign_in(client, user)
    return user


def listen(
    directory: Path,
    lecture: Lecture,
    seconds: float,
    *,
    day: date = YESTERDAY,
    at: str = "10:00:00",
    listener: str = LISTENER,
    complete_at: float | None = None,
    start: float = 0.0,
) -> None:
    """One playback as the player logs it: play_start, progress every 15 s, then pause (or
    complete at `complete_at`)."""
    begin = datetime.fromisoformat(f"{day.isoformat()}T{at}")
    playback = uuid.uuid4().hex
    steps = [(0.0, "play_start")]
    steps += [(float(t), "progress") for t in range(15, int(seconds), 15)]
    steps.append((seconds, "pause" if complete_at is None else "complete"))
    lines = []
    for offset, kind in steps:
        when = begin + timedelta(seconds=offset)
        event = {
            "ts": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
            "kind": kind,
            "lecture_id": str(lecture.id),
            "scholar_id": str(lecture.scholar_id),
            "series_id": lecture.series_id and str(lecture.series_id),
            "position": start + offset,
            "playback_id": playback,
            "listener": listener,
            "device": "desktop",
        }
        lines.append(json.dumps(event, separators=(",", ":")) + "\n")
    append(directory, day, lines)


def append(directory: Path, day: date, lines: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / segment_name(day)).open("a") as segment:
        segment.writelines(lines)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# The page and its period


def test_the_default_period_is_the_last_30_days_with_todays(
    client: FlaskClient, admin: User, log_dir: Path
) -> None:
    lecture = make_lecture()
    listen(log_dir, lecture, 120, day=TODAY, at="00:00:01")
    listen(log_dir, lecture, 90, day=TODAY - timedelta(days=29), listener="b" * 32)
    listen(log_dir, lecture, 300, day=TODAY - timedelta(days=30), listener="c" * 32)  # before

    response = client.get("/admin/insights")
    assert response.status_code == 200
    html = response.text
    assert f'datetime="{(TODAY - timedelta(days=29)).isoformat()}"' in html
    assert f'datetime="{TODAY.isoformat()}"' in html
    figures = text_of(html)
    assert "Plays 2 Listeners 2 Completions 0 Listening hours 0.06" in figures
    assert html.count('role="img"') == 4
    assert len(BARS.findall(html)) == 4 * 30
    assert re.search(r'<input checked [^>]*value="30"', html)


@pytest.mark.parametrize("period, days", [("7", 7), ("30", 30), ("90", 90)])
def test_the_last_7_30_or_90_days(
    client: FlaskClient, admin: User, log_dir: Path, period: str, days: int
) -> None:
    lecture = make_lecture()
    for n in (0, 6, 7, 29, 30, 89, 90):  # days ago
        listen(log_dir, lecture, 61, day=TODAY - timedelta(days=n), listener=f"{n:032x}")
    response = client.get("/admin/insights", query_string={"period": period})
    assert response.status_code == 200
    plays = sum(1 for n in (0, 6, 7, 29, 30, 89, 90) if n < days)
    assert f"Plays {plays} " in text_of(response.text)
    assert len(BARS.findall(response.text)) == 4 * days
    assert f"{days} days." in text_of(response.text)


def test_dates_of_ones_own(client: FlaskClient, admin: User, log_dir: Path) -> None:
    lecture = make_lecture()
    first, last = date(2026, 3, 1), date(2026, 3, 10)
    listen(log_dir, lecture, 75, day=first)
    listen(log_dir, lecture, 75, day=last, listener="b" * 32)
    listen(log_dir, lecture, 75, day=last + timedelta(days=1), listener="c" * 32)
    query = {"period": "custom", "start": "2026-03-01", "end": "2026-03-10"}
    response = client.get("/admin/insights", query_string=query)
    assert response.status_code == 200
    assert "Plays 2 Listeners 2" in text_of(response.text)
    assert len(BARS.findall(response.text)) == 4 * 10
    assert 'value="2026-03-01"' in response.text and 'value="2026-03-10"' in response.text
    # a link with dates and no period means those dates
    bare = client.get("/admin/insights", query_string={"start": "2026-03-01", "end": "2026-03-10"})
    assert "Plays 2 Listeners 2" in text_of(bare.text)
    # the drop-off links keep the period
    assert "period=custom&amp;start=2026-03-01&amp;end=2026-03-10" in response.text


@pytest.mark.parametrize(
    "query, message",
    [
        ({"period": "14"}, "Choose the last 7, 30 or 90 days, or dates of your own."),
        ({"period": ""}, "Choose a period."),
        ({"period": "custom"}, "Give the first day of the period."),
        ({"period": "custom", "start": "2026-03-01"}, "Give the last day of the period."),
        ({"period": "custom", "start": "2026-02-30", "end": "2026-03-10"}, "Enter a date as"),
        ({"period": "custom", "start": "yesterday", "end": "2026-03-10"}, "Enter a date as"),
        ({"period": "custom", "start": "2026-03-10", "end": "2026-03-01"}, "must not be before"),
        (
            {"period": "custom", "start": "2025-01-01", "end": "2026-01-02"},
            "A period is at most 366 days; this one is 367.",
        ),
    ],
)
def test_a_period_to_correct_is_a_400_with_the_reason(
    client: FlaskClient, admin: User, log_dir: Path, query: dict[str, str], message: str
) -> None:
    listen(log_dir, make_lecture(), 100)
    for path in ("/admin/insights", f"/admin/insights/lectures/{uuid.uuid4()}"):
        response = client.get(path, query_string=query)
        assert response.status_code == 400
        assert message in response.text
        assert 'role="alert"' in response.text
        assert "<svg" not in response.text and "Plays" not in text_of(response.text)


def test_a_leap_year_is_not_too_long(client: FlaskClient, admin: User, log_dir: Path) -> None:
    query = {"period": "custom", "start": "2024-01-01", "end": "2024-12-31"}  # 366 days
    assert client.get("/admin/insights", query_string=query).status_code == 200


# When the log has nothing to say


def test_no_log_yet_means_no_data_yet(client: FlaskClient, admin: User, log_dir: Path) -> None:
    response = client.get("/admin/insights")
    assert response.status_code == 200
    assert "No analytics data yet" in response.text
    assert "<svg" not in response.text


def test_a_period_without_events_has_no_data(
    client: FlaskClient, admin: User, log_dir: Path
) -> None:
    listen(log_dir, make_lecture(), 100, day=TODAY - timedelta(days=40))
    response = client.get("/admin/insights", query_string={"period": "7"})
    assert response.status_code == 200
    assert "No analytics data yet for this period" in response.text
    assert "<svg" not in response.text


@pytest.mark.parametrize("where", ["a file", "inside a file"])
def test_an_unreadable_store_is_said_to_be_unavailable(
    app: Flask,
    client: FlaskClient,
    admin: User,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the analytics folder should be")
    folder = blocker if where == "a file" else blocker / "analytics"
    monkeypatch.setitem(app.config, "ANALYTICS_DIR", str(folder))
    response = client.get("/admin/insights")
    assert response.status_code == 200
    assert "The analytics store is unavailable" in response.text
    lecture_page = client.get(f"/admin/insights/lectures/{make_lecture().id}")
    assert lecture_page.status_code == 200
    assert "The analytics store is unavailable" in lecture_page.text


def test_a_store_duckdb_cannot_read_is_unavailable(
    client: FlaskClient, admin: User, log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listen(log_dir, make_lecture(), 100)

    def broken(*_args: Any) -> None:
        raise duckdb.IOException("disk gone")

    monkeypatch.setattr(reader, "_fold", broken)
    response = client.get("/admin/insights")
    assert response.status_code == 200
    assert "The analytics store is unavailable" in response.text


def test_malformed_lines_are_skipped_and_said_so(
    client: FlaskClient, admin: User, log_dir: Path
) -> None:
    lecture = make_lecture()
    listen(log_dir, lecture, 100)
    append(log_dir, YESTERDAY, ["not json\n", '{"kind": "play_start"}\n', "[1, 2]\n"])
    response = client.get("/admin/insights")
    assert response.status_code == 200
    assert "3 malformed lines were skipped." in response.text
    assert "Plays 1 " in text_of(response.text)
    append(log_dir, TODAY, ["{\n"])
    assert "4 malformed lines were skipped." in client.get("/admin/insights").text


# The figures are the reader's


def test_the_figures_are_what_the_reader_computes(
    app: Flask, client: FlaskClient, admin: User, log_dir: Path
) -> None:
    series = make_series()
    lectures = [make_lecture(series=series) for _ in range(3)]
    for n in range(12):
        day = TODAY - timedelta(days=n % 5)
        lecture = lectures[n % 3]
        seconds = 30 + 20 * n
        listen(log_dir, lecture, seconds, day=day, listener=f"{n % 4:032x}", at=f"1{n % 10}:00:00")
    start, end = TODAY - timedelta(days=6), TODAY + timedelta(days=1)
    [metrics] = reader.summary(log_dir, start, end).rows
    assert metrics.plays > 0

    html = client.get("/admin/insights", query_string={"period": "7"}).text
    with app.test_request_context():  # the figures as an English reader sees them
        assert (
            f"Plays {metrics.plays} Listeners {metrics.listeners} "
            f"Completions {metrics.completions} Listening hours {hours_text(metrics.hours)}"
        ) in text_of(html)
        table = html[html.index("The days as a table") :]
        for day in reader.by_day(log_dir, start, end).rows:
            # Fri 6 Nov 2026 (British English abbreviates September "Sept")
            row = f"{format_date(day.day, 'EEE d MMM y')} {day.plays} {day.listeners}"
            assert row in text_of(table)
        top = reader.top(log_dir, start, end, "lecture").rows
        section = text_of(html[html.index('id="top-lecture"') :])
        for rank, row in enumerate(top, start=1):
            title = next(lecture.title for lecture in lectures if lecture.id == row.id)
            assert f"{rank} {title} {row.plays} {hours_text(row.hours)}" in section


def test_the_charts_can_be_read_without_seeing_them(
    client: FlaskClient, admin: User, log_dir: Path
) -> None:
    listen(log_dir, make_lecture(), 100)
    html = client.get("/admin/insights", query_string={"period": "7"}).text
    for metric in ("plays", "listeners", "completions", "hours"):
        assert f'aria-labelledby="chart-{metric}-title chart-{metric}-desc"' in html
        assert f'<title id="chart-{metric}-title">' in html
        assert f'<desc id="chart-{metric}-desc">' in html
    assert "Plays per day, 7 days from" in html
    assert "Highest: 1 on" in html
    assert "<caption>" in html and '<th scope="row">' in html and '<th scope="col">' in html
    assert 'style="' not in html  # the CSP allows no inline styles
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # nor inline scripts
    assert "css/insights.css" in html


# The most played, linked


def test_the_most_played_link_to_their_pages(
    app: Flask, client: FlaskClient, admin: User, log_dir: Path
) -> None:
    scholar = make_scholar(name="Shaykh Example")
    series = make_series(scholar_id=scholar.id, title="A Series")
    lecture = make_lecture(series=series, title="A Lecture")
    alone = make_lecture(title="Alone")
    listen(log_dir, lecture, 200)
    listen(log_dir, alone, 100)
    html = client.get("/admin/insights").text
    with app.test_request_context():
        pages = [
            url_for("catalogue.lecture_detail", slug=lecture.slug),
            url_for("catalogue.lecture_detail", slug=alone.slug),
            url_for("catalogue.series_detail", slug=series.slug),
            url_for("catalogue.scholar_detail", slug=scholar.slug),
            url_for("admin.insights_lecture", lecture_id=lecture.id, period="30"),
        ]
    for page in pages:
        assert f'href="{page}"' in html
    lectures = text_of(html[html.index('id="top-lecture"') : html.index('id="top-series"')])
    assert lectures.index("A Lecture") < lectures.index("Alone")  # more hours first


def test_a_lecture_no_longer_in_the_catalogue_is_labelled_so(
    client: FlaskClient, admin: User, log_dir: Path
) -> None:
    lecture = make_lecture()
    gone = Lecture(id=uuid.uuid4(), scholar_id=uuid.uuid4(), series_id=uuid.uuid4())
    listen(log_dir, gone, 100)
    listen(log_dir, lecture, 100, listener="b" * 32)
    html = client.get("/admin/insights").text
    assert "Removed lecture" in html and str(gone.id) in html
    assert "Removed series" in html and "Removed scholar" in html
    assert f'lectures/{gone.id}?period=30"' in html  # its drop-off can still be seen


def test_the_page_asks_the_database_a_bounded_number_of_questions(
    client: FlaskClient, admin: User, log_dir: Path, count_queries: Callable[[], Any]
) -> None:
    def statements_with(lectures: int) -> int:
        for _ in range(lectures):
            series = make_series()
            listen(log_dir, make_lecture(series=series), 100, listener=uuid.uuid4().hex)
        with count_queries() as statements:
            assert client.get("/admin/insights").status_code == 200
        return len(statements)

    few = statements_with(1)
    many = statements_with(8)
    assert few == many <= 3  # the admin's account, the session check, the names


# Where listeners stop


def test_the_drop_off_of_a_lecture(client: FlaskClient, admin: User, log_dir: Path) -> None:
    lecture = make_lecture(
        title="Patience", audio_asset_id=make_audio_asset(duration_seconds=600).id
    )
    other = make_lecture()
    for n, seconds in enumerate((20, 25, 100, 599)):
        listen(log_dir, lecture, seconds, listener=f"{n:032x}", at=f"1{n}:00:00")
    listen(log_dir, lecture, 600, complete_at=600, at="15:00:00")
    listen(log_dir, other, 300)

    response = client.get(f"/admin/insights/lectures/{lecture.id}", query_string={"period": "7"})
    assert response.status_code == 200
    html = response.text
    assert 'Where listeners stop: <span dir="auto">Patience</span>' in html
    assert "10:00 long" in text_of(html)
    assert len(BARS.findall(html)) == 20  # 20 parts of 30 s
    table = text_of(html[html.index('id="drop-off-table"') :])
    assert "0:00–0:30 2 40 %" in table
    assert "1:30–2:00 1 20 %" in table
    assert "9:30–10:00 2 40 %" in table
    assert "Plays 3 Listeners 3 Completions 1" in text_of(html)  # this lecture's alone
    assert 'aria-labelledby="chart-drop-off-title chart-drop-off-desc"' in html
    assert "Where 5 playbacks of Patience ended, in 20 equal parts of its 10:00 length." in html
    assert 'href="/admin/insights?period=7"' in html


def test_the_drop_off_of_a_lecture_nobody_played(
    client: FlaskClient, admin: User, log_dir: Path
) -> None:
    listen(log_dir, make_lecture(), 100)
    response = client.get(f"/admin/insights/lectures/{make_lecture().id}")
    assert response.status_code == 200
    assert "Nobody listened to this lecture in this period" in response.text
    assert "<svg" not in response.text


def test_the_drop_off_of_a_removed_lecture(client: FlaskClient, admin: User, log_dir: Path) -> None:
    gone = Lecture(id=uuid.uuid4(), scholar_id=uuid.uuid4(), series_id=None)
    listen(log_dir, gone, 40)
    listen(log_dir, gone, 80, listener="b" * 32)
    response = client.get(f"/admin/insights/lectures/{gone.id}")
    assert response.status_code == 200
    assert "no longer in the catalogue" in response.text
    assert len(BARS.findall(response.text)) == 20
    assert "the furthest point reached" in response.text


def test_the_drop_off_page_wants_a_lecture_id(client: FlaskClient, admin: User) -> None:
    assert client.get("/admin/insights/lectures/not-an-id").status_code == 404


# Only for administrators


@pytest.mark.parametrize("role", [Role.LISTENER, Role.EDITOR])
def test_only_administrators_see_insights(client: FlaskClient, role: Role) -> None:
    lecture = make_lecture()
    assert client.get("/admin/insights").status_code == 302  # anonymous: sign in first
    sign_in(client, make_account(role=role))
    assert client.get("/admin/insights").status_code == 403
    assert client.get(f"/admin/insights/lectures/{lecture.id}").status_code == 403


def test_the_parts_of_a_short_recording_are_told_in_tenths(
    client: FlaskClient, admin: User, log_dir: Path
) -> None:
    clip = make_lecture(audio_asset_id=make_audio_asset(duration_seconds=12).id)
    listen(log_dir, clip, 12, complete_at=12)
    html = client.get(f"/admin/insights/lectures/{clip.id}").text
    table = text_of(html[html.index('id="drop-off-table"') :])
    assert "0:00.0–0:00.6 0 0 %" in table
    assert "0:11.4–0:12.0 1 100 %" in table
    assert "0:12 long" in text_of(html)
