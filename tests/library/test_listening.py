"""Continue listening, mark as played / unplayed, history, and the home page's shelf."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from durus.extensions import db
from durus.models import PublicationState, User, UserProgress
from tests.helpers import csrf_token

from .conftest import lecture, minutes_ago, press, progress, slugs, walk

pytestmark = pytest.mark.usefixtures("db_session")


def _ping(
    client: FlaskClient, item: Any, position: float, observed: datetime, event: str = "tick"
) -> None:
    data = {
        "csrf_token": csrf_token(client, "/"),
        "lecture": str(item.id),
        "position": str(position),
        "event": event,
        "observed_at": str(int(observed.timestamp() * 1000)),
        "playback_id": "playback-0001",
    }
    assert client.post("/player/progress", data=data).status_code == 204


def _stored(user: User, item: Any) -> UserProgress | None:
    db.session.expire_all()
    return db.session.get(UserProgress, (user.id, item.id))


def _continuing(client: FlaskClient) -> list[str]:
    response = client.get("/library")
    assert response.status_code == 200
    return slugs(response.text)


# Continue listening


def test_in_progress_lectures_most_recent_first_with_time_left(
    client: FlaskClient, listener: User
) -> None:
    older, newer = lecture(minutes=10), lecture(minutes=60)
    progress(listener, older, 120, at=minutes_ago(60))
    progress(listener, newer, 600, at=minutes_ago(5))
    html = client.get("/library").text
    assert slugs(html) == [newer.slug, older.slug]
    assert "50:00 left" in html and "8:00 left" in html
    assert "Resume at 10:00" in html and "Resume at 2:00" in html
    assert '<progress max="3600.0" value="600.0"' in html


def test_under_fifteen_seconds_is_not_continued(client: FlaskClient, listener: User) -> None:
    tried, started = lecture(), lecture()
    progress(listener, tried, 14.9)
    progress(listener, started, 15)
    assert _continuing(client) == [started.slug]


def test_completed_lectures_move_to_history(client: FlaskClient, listener: User) -> None:
    item = lecture(minutes=10)
    _ping(client, item, 300, datetime.now(UTC) - timedelta(seconds=10))
    assert _continuing(client) == [item.slug]
    _ping(client, item, 600, datetime.now(UTC), event="ended")
    assert _continuing(client) == []
    history = client.get("/library/history").text
    assert slugs(history) == [item.slug]
    assert "Mark as unplayed" in history


def test_removal_is_kept_until_the_lecture_is_played_again(
    client: FlaskClient, listener: User
) -> None:
    item, other = lecture(), lecture()
    progress(listener, item, 200, at=minutes_ago(10))
    progress(listener, other, 100, at=minutes_ago(20))
    response = press(
        client, f"/library/continue/{item.slug}/remove", {"next": "/library"}, htmx=True
    )
    assert response.status_code == 200 and response.text == ""
    assert "library:removed" in response.headers["HX-Trigger"]
    assert _continuing(client) == [other.slug]
    stored = _stored(listener, item)
    assert stored.position_seconds == 200 and stored.dismissed_at is not None  # kept

    # A queued ping observed before the removal (but after the stored one) does not undo it.
    _ping(client, item, 230, minutes_ago(5))
    assert _stored(listener, item).position_seconds == 230
    assert _continuing(client) == [other.slug]

    _ping(client, item, 240, datetime.now(UTC))  # playing it again
    assert _stored(listener, item).dismissed_at is None
    assert _continuing(client) == [item.slug, other.slug]


def test_removing_without_javascript_comes_back_to_the_list(
    client: FlaskClient, listener: User
) -> None:
    item = lecture()
    progress(listener, item, 200)
    for _ in range(2):  # a replay changes nothing more
        response = press(client, f"/library/continue/{item.slug}/remove", {"next": "/library"})
        assert response.status_code == 303 and response.headers["Location"] == "/library"
    html = client.get("/library").text
    assert slugs(html) == []
    assert "until you play it again" in html


def test_continue_listening_pages_walk_without_gaps(client: FlaskClient, listener: User) -> None:
    items = [lecture() for _ in range(45)]
    for n, item in enumerate(items):
        progress(listener, item, 100, at=minutes_ago(n + 1))
    assert walk(client, "/library") == [item.slug for item in items]


def test_hidden_lectures_drop_out_and_come_back(client: FlaskClient, listener: User) -> None:
    item = lecture()
    progress(listener, item, 100)
    item.state = PublicationState.ARCHIVED
    db.session.flush()
    assert _continuing(client) == []
    item.state = PublicationState.PUBLISHED
    db.session.flush()
    assert _continuing(client) == [item.slug]


# Played and unplayed


def test_mark_played_and_unplayed_without_javascript(client: FlaskClient, listener: User) -> None:
    item = lecture(minutes=10)
    progress(listener, item, 120)
    page = f"/lectures/{item.slug}"
    assert "Mark as played" in client.get(page).text
    response = press(client, f"/library/played/{item.slug}", {"state": "on", "next": page})
    assert response.status_code == 303 and response.headers["Location"] == page
    stored = _stored(listener, item)
    assert stored.completed_at is not None and stored.position_seconds == 600
    html = client.get(page).text
    assert "Mark as unplayed" in html and "is marked as played" in html
    assert _continuing(client) == []
    assert slugs(client.get("/library/history").text) == [item.slug]

    press(client, f"/library/played/{item.slug}", {"state": "off", "next": "/library/history"})
    assert _stored(listener, item) is None  # new again: the player starts at the beginning
    assert "The lectures you finish, or mark as played" in client.get("/library/history").text


def test_mark_played_with_htmx_swaps_the_control(client: FlaskClient, listener: User) -> None:
    item = lecture()
    response = press(client, f"/library/played/{item.slug}", {"state": "on"}, htmx=True)
    assert response.status_code == 200 and "<html" not in response.text
    assert "Mark as unplayed" in response.text and 'name="state" value="off"' in response.text
    again = press(client, f"/library/played/{item.slug}", {"state": "on"}, htmx=True)
    assert again.status_code == 200  # idempotent
    first_completion = _stored(listener, item).completed_at
    assert first_completion is not None
    response = press(client, f"/library/played/{item.slug}", {"state": "off"}, htmx=True)
    assert "Mark as played" in response.text
    press(client, f"/library/played/{item.slug}", {"state": "off"}, htmx=True)
    assert _stored(listener, item) is None


def test_a_late_ping_does_not_undo_mark_played(client: FlaskClient, listener: User) -> None:
    item = lecture(minutes=10)
    press(client, f"/library/played/{item.slug}", {"state": "on"})
    _ping(client, item, 60, minutes_ago(1))  # queued before the listener marked it
    stored = _stored(listener, item)
    assert stored.completed_at is not None and stored.position_seconds == 600


def test_rows_show_played_and_favourite_state_everywhere(
    client: FlaskClient, listener: User
) -> None:
    done, fresh = lecture(), lecture()
    progress(listener, done, 600, completed=minutes_ago(3))
    html = client.get("/lectures").text
    rows = {slugs(row)[0]: row for row in html.split('<li class="lecture-row"')[1:]}
    assert "Mark as unplayed" in rows[done.slug]
    assert "Mark as played" in rows[fresh.slug]


# History


def test_history_is_grouped_by_the_listeners_day(client: FlaskClient, listener: User) -> None:
    listener.time_zone = "Asia/Riyadh"  # UTC+3
    late, early, older = lecture(), lecture(), lecture()
    progress(listener, late, 600, completed=datetime(2026, 5, 1, 22, 30, tzinfo=UTC))
    progress(listener, early, 600, completed=datetime(2026, 5, 1, 20, 0, tzinfo=UTC))
    progress(listener, older, 600, completed=datetime(2026, 4, 28, 9, 0, tzinfo=UTC))
    html = client.get("/library/history").text
    assert slugs(html) == [late.slug, early.slug, older.slug]
    assert '<time datetime="2026-05-02">2 May 2026</time>' in html  # 01:30 in Riyadh
    assert '<time datetime="2026-05-01">1 May 2026</time>' in html
    assert '<time datetime="2026-04-28">28 April 2026</time>' in html


def test_a_day_split_over_pages_is_continued(client: FlaskClient, listener: User) -> None:
    day = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    items = [lecture() for _ in range(25)]
    for n, item in enumerate(items):
        progress(listener, item, 600, completed=day - timedelta(minutes=n))
    first = client.get("/library/history").text
    assert first.count("1 May 2026") == 1
    more = client.get(
        first.split('class="button more-link" href="')[1].split('"')[0].replace("&amp;", "&"),
        headers={"HX-Request": "true"},
    )
    assert more.status_code == 200 and "<html" not in more.text
    assert "(continued)" in more.text and "data-page-start" in more.text
    assert len(slugs(more.text)) == 5
    assert sorted(slugs(first) + slugs(more.text)) == sorted(item.slug for item in items)


# The home page's shelf


def test_home_shows_the_first_few_to_continue(client: FlaskClient, listener: User) -> None:
    items = [lecture() for _ in range(6)]
    for n, item in enumerate(items):
        progress(listener, item, 100, at=minutes_ago(n + 1))
    html = client.get("/").text
    shelf = html.split('id="continue-heading"')[1].split("</section>")[0]
    assert slugs(shelf) == [item.slug for item in items[:4]]
    assert 'hx-history="false"' in html  # personal now


def test_home_has_no_shelf_for_anonymous_visitors(client: FlaskClient) -> None:
    lecture()
    html = client.get("/").text
    assert "continue-heading" not in html and 'hx-history="false"' not in html
