"""Library tests: a signed-in listener, and rows of their own made directly."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from durus.extensions import db
from durus.models import Favourite, Lecture, LibrarySeries, Series, User, UserProgress
from tests.factories import make_audio_asset, make_lecture, make_scholar, make_series
from tests.helpers import csrf_token, make_account, sign_in

ROW_LINK = re.compile(
    r'class="lecture-row__title"[^>]*>\s*<a href="/(?:lectures|series)/([a-z0-9-]+)"'
)
MORE_LINK = re.compile(r'class="button more-link" href="([^"]+)"')


def slugs(html: str) -> list[str]:
    """The lectures (or series) a library list shows, in order."""
    return ROW_LINK.findall(html)


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


def lecture(minutes: float = 10, **fields: Any) -> Lecture:
    audio = make_audio_asset(duration_seconds=Decimal(str(minutes * 60)))
    return make_lecture(audio_asset_id=audio.id, **fields)


def progress(
    user: User,
    of: Lecture,
    position: float = 120,
    *,
    completed: datetime | None = None,
    at: datetime | None = None,
    dismissed: datetime | None = None,
) -> UserProgress:
    """A progress row as the player would have left it, listened to at `at`."""
    at = at or minutes_ago(30)
    row = UserProgress(
        user_id=user.id,
        lecture_id=of.id,
        position_seconds=position,
        completed_at=completed,
        observed_at=at,
        updated_at=at,
        dismissed_at=dismissed,
    )
    db.session.add(row)
    db.session.flush()
    return row


def favourite(user: User, of: Lecture, at: datetime | None = None) -> None:
    db.session.add(Favourite(user_id=user.id, lecture_id=of.id, created_at=at or minutes_ago(5)))
    db.session.flush()


def save(user: User, series: Series, at: datetime | None = None) -> None:
    db.session.add(
        LibrarySeries(user_id=user.id, series_id=series.id, created_at=at or minutes_ago(5))
    )
    db.session.flush()


def series_of(count: int, minutes: float = 10, **fields: Any) -> tuple[Series, list[Lecture]]:
    series = make_series(scholar_id=make_scholar().id, **fields)
    lectures = [lecture(minutes, series=series, position=n) for n in range(1, count + 1)]
    return series, lectures


def press(
    client: FlaskClient,
    url: str,
    data: dict[str, str] | None = None,
    htmx: bool = False,
    page: str = "/",
) -> Any:
    """Post a control's form as the page would: with the CSRF token, by htmx or not."""
    headers = {"HX-Request": "true", "HX-Current-URL": "http://localhost/"} if htmx else {}
    body = {"csrf_token": csrf_token(client, page), **(data or {})}
    return client.post(url, data=body, headers=headers)


def walk(client: FlaskClient, url: str) -> list[str]:
    """Every page of a list, following its "more" links as a visitor without JavaScript."""
    seen: list[str] = []
    while url:
        html = client.get(url).text
        seen += slugs(html)
        more = MORE_LINK.search(html)
        url = more.group(1).replace("&amp;", "&") if more else ""
    return seen


@pytest.fixture
def listener(client: FlaskClient, db_session: Any) -> User:
    user = make_account()
    sign_in(client, user)
    return user
