"""Saved series and continue series: counts and durations computed by query, right after
lectures are added, reordered, unpublished and published again."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from durus.extensions import db
from durus.models import PublicationState, User

from .conftest import lecture, minutes_ago, progress, save, series_of, slugs

pytestmark = pytest.mark.usefixtures("db_session")


def _counts(client: FlaskClient) -> list[str]:
    html = client.get("/library/saved").text
    return re.findall(r'class="library-row__counts">([^<]+)<', html)


def _durations(client: FlaskClient) -> list[str]:
    html = client.get("/library/saved").text
    return re.findall(r'class="library-row__durations muted">([^<]+)<', html)


def _next_up(client: FlaskClient) -> list[str]:
    html = client.get("/library/series").text
    return [
        re.sub(r"\s+", " ", m) for m in re.findall(r'class="library-row__next">(.*?)</p>', html)
    ]


def test_saved_series_counts_and_durations(client: FlaskClient, listener: User) -> None:
    series, lectures = series_of(3, minutes=10)
    save(listener, series)
    progress(listener, lectures[0], 600, completed=minutes_ago(10))
    progress(listener, lectures[1], 300)
    assert _counts(client) == ["1 of 3 completed"]
    assert _durations(client) == ["30:00 in all · 15:00 left"]


def test_counts_follow_additions_reordering_and_publication(
    client: FlaskClient, listener: User
) -> None:
    series, lectures = series_of(3, minutes=10)
    save(listener, series)
    progress(listener, lectures[0], 600, completed=minutes_ago(10))
    assert _counts(client) == ["1 of 3 completed"]
    assert "Next: lecture 2 of 3" in _next_up(client)[0]

    added = lecture(minutes=20, series=series, position=4)
    assert _counts(client) == ["1 of 4 completed"]
    assert _durations(client) == ["50:00 in all · 40:00 left"]

    # Reordering: the completed lecture moves to the end; the next one is now the first.
    db.session.execute(text("SET CONSTRAINTS ALL DEFERRED"))
    lectures[0].position, added.position = 4, 1
    db.session.flush()
    assert _counts(client) == ["1 of 4 completed"]
    assert "Next: lecture 1 of 4 — " in _next_up(client)[0]
    assert added.title in _next_up(client)[0]

    lectures[0].state = PublicationState.DRAFT  # the completed one is unpublished
    db.session.flush()
    assert _counts(client) == ["0 of 3 completed"]
    assert _durations(client) == ["40:00 in all · 40:00 left"]
    lectures[0].state = PublicationState.PUBLISHED
    db.session.flush()
    assert _counts(client) == ["1 of 4 completed"]


def test_continue_series_shows_the_next_lecture(client: FlaskClient, listener: User) -> None:
    series, lectures = series_of(20)
    save(listener, series)
    for item in lectures[:7]:
        progress(listener, item, 600, completed=minutes_ago(30))
    html = client.get("/library/series").text
    assert "Next: lecture 8 of 20" in html
    assert lectures[7].title in html and f'href="/lectures/{lectures[7].slug}"' in html
    assert "Play lecture 8" in html


def test_started_series_are_followed_and_finished_ones_leave(
    client: FlaskClient, listener: User
) -> None:
    started, started_lectures = series_of(3)
    _finished, finished_lectures = series_of(2)
    saved, _ = series_of(2)
    progress(listener, started_lectures[1], 100, at=minutes_ago(1))
    for item in finished_lectures:
        progress(listener, item, 600, completed=minutes_ago(2))
    save(listener, saved, at=minutes_ago(3))
    html = client.get("/library/series").text
    assert slugs(html) == [started.slug, saved.slug]  # most recent activity first
    assert "Next: lecture 1 of 3" in html and "Next: lecture 1 of 2" in html


def test_hidden_series_drop_out_and_come_back(client: FlaskClient, listener: User) -> None:
    series, lectures = series_of(2)
    save(listener, series)
    progress(listener, lectures[0], 100)
    series.state = PublicationState.ARCHIVED
    db.session.flush()
    for url in ("/library/saved", "/library/series", "/library"):
        assert slugs(client.get(url).text) == [], url
    series.state = PublicationState.PUBLISHED
    db.session.flush()
    assert slugs(client.get("/library/saved").text) == [series.slug]
    assert slugs(client.get("/library/series").text) == [series.slug]
    assert slugs(client.get("/library").text) == [lectures[0].slug]


def test_saved_series_pages_walk(client: FlaskClient, listener: User) -> None:
    made = []
    for n in range(25):
        series, _ = series_of(1)
        save(listener, series, at=minutes_ago(n + 1))
        made.append(series.slug)
    first = client.get("/library/saved")
    assert slugs(first.text) == made[:20]
    more = re.search(r'class="button more-link" href="([^"]+)"', first.text).group(1)
    rows = client.get(more.replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert rows.text.lstrip().startswith("<li")
    assert slugs(rows.text) == made[20:]
