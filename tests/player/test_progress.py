"""Progress pings: validated, clamped, reconciled by observation time, never another's."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from durus.extensions import db, limiter
from durus.models import AccountState, Lecture, PublicationState, User, UserProgress
from durus.player.moments import parse_moment
from tests.factories import make_audio_asset, make_lecture, make_scholar
from tests.helpers import PASSWORD, csrf_token, make_account, sign_in

DURATION = Decimal("600")


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _ping(
    client: FlaskClient,
    lecture: Any,
    position: Any,
    *,
    event: str = "tick",
    observed: datetime | None = None,
    token: str | None = None,
    overrides: dict[str, str] | None = None,
    **extra: Any,
) -> Any:
    data = {
        "csrf_token": token or csrf_token(client, "/"),
        "lecture": str(lecture.id),
        "position": str(position),
        "event": event,
        "observed_at": str(_ms(observed or datetime.now(UTC))),
        "playback_id": "playback-0001",
        **extra,
        **(overrides or {}),
    }
    return client.post("/player/progress", data=data)


def _stored(user: User, lecture: Any) -> UserProgress | None:
    db.session.expire_all()
    return db.session.get(UserProgress, (user.id, lecture.id))


@pytest.fixture
def listener(client: FlaskClient, db_session: Any) -> User:
    user = make_account()
    sign_in(client, user)
    return user


@pytest.fixture
def lecture(db_session: Any) -> Lecture:
    return make_lecture(audio_asset_id=make_audio_asset(duration_seconds=DURATION).id)


def test_a_ping_saves_the_position(client: FlaskClient, listener: User, lecture: Lecture) -> None:
    response = _ping(client, lecture, 123.4)
    assert response.status_code == 204
    assert _stored(listener, lecture).position_seconds == pytest.approx(123.4)


def test_an_older_observation_never_wins(
    client: FlaskClient, listener: User, lecture: Lecture
) -> None:
    now = datetime.now(UTC)
    _ping(client, lecture, 300, observed=now)
    _ping(client, lecture, 100, observed=now - timedelta(minutes=5))  # late offline replay
    assert _stored(listener, lecture).position_seconds == 300
    _ping(client, lecture, 50, observed=now + timedelta(seconds=1))  # newer: a seek back
    assert _stored(listener, lecture).position_seconds == 50


def test_replaying_an_old_queue_changes_nothing(
    client: FlaskClient, listener: User, lecture: Lecture
) -> None:
    now = datetime.now(UTC)
    _ping(client, lecture, 400, observed=now)
    token = csrf_token(client, "/")
    for minutes in range(10, 0, -1):
        _ping(client, lecture, minutes * 10, observed=now - timedelta(minutes=minutes), token=token)
    stored = _stored(listener, lecture)
    assert stored.position_seconds == 400
    assert _ms(stored.observed_at) == _ms(now)


def test_position_is_clamped_to_the_duration(
    client: FlaskClient, listener: User, lecture: Lecture
) -> None:
    _ping(client, lecture, 9999)
    assert _stored(listener, lecture).position_seconds == 600


@pytest.mark.parametrize(
    ("position", "event", "completed"),
    [
        (100, "ended", True),
        (571, "tick", True),  # within 30 s of the end
        (560, "tick", False),
        (583, "pause", True),  # past 97 %
        (300, "pause", False),
    ],
)
def test_completion(
    client: FlaskClient,
    listener: User,
    lecture: Lecture,
    position: int,
    event: str,
    completed: bool,
) -> None:
    _ping(client, lecture, position, event=event)
    assert (_stored(listener, lecture).completed_at is not None) is completed


def test_a_short_clip_is_not_complete_in_its_last_half_minute(
    client: FlaskClient, listener: User
) -> None:
    clip = make_lecture(audio_asset_id=make_audio_asset(duration_seconds=Decimal("40")).id)
    _ping(client, clip, 12)
    assert _stored(listener, clip).completed_at is None
    _ping(client, clip, 39, observed=datetime.now(UTC) + timedelta(seconds=1))
    assert _stored(listener, clip).completed_at is not None  # past 97 %


def test_completion_stays_when_listening_again(
    client: FlaskClient, listener: User, lecture: Lecture
) -> None:
    now = datetime.now(UTC)
    _ping(client, lecture, 600, event="ended", observed=now)
    _ping(client, lecture, 20, observed=now + timedelta(seconds=5))
    stored = _stored(listener, lecture)
    assert stored.position_seconds == 20 and stored.completed_at is not None


def test_a_future_observation_is_clamped_to_now(
    client: FlaskClient, listener: User, lecture: Lecture
) -> None:
    _ping(client, lecture, 10, observed=datetime.now(UTC) + timedelta(days=30))
    stored = _stored(listener, lecture)
    assert stored.observed_at <= datetime.now(UTC) + timedelta(seconds=5)
    # …so it cannot block every later, real observation for a month.
    _ping(client, lecture, 20, observed=datetime.now(UTC) + timedelta(seconds=10))
    assert _stored(listener, lecture).position_seconds == 20


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("position", "abc"),
        ("position", "-1"),
        ("position", "nan"),
        ("position", "inf"),
        ("event", "rewind"),
        ("observed_at", "yesterday"),
        ("lecture", "not-a-uuid"),
        ("playback_id", "x"),
    ],
)
def test_invalid_pings_are_refused(
    client: FlaskClient, listener: User, lecture: Lecture, field: str, value: str
) -> None:
    response = _ping(client, lecture, 10, overrides={field: value})
    assert response.status_code == 422
    assert _stored(listener, lecture) is None


def test_unknown_or_hidden_lectures_are_404(client: FlaskClient, listener: User) -> None:
    draft = make_lecture(state=PublicationState.DRAFT, published_at=None)
    assert _ping(client, draft, 10).status_code == 404
    inactive = make_lecture(scholar_id=make_scholar(is_active=False).id)
    assert _ping(client, inactive, 10).status_code == 404
    missing = type("Missing", (), {"id": "00000000-0000-0000-0000-000000000000"})
    assert _ping(client, missing, 10).status_code == 404


def test_a_ping_without_the_csrf_token_is_refused(
    client: FlaskClient, listener: User, lecture: Lecture
) -> None:
    assert _ping(client, lecture, 10, token="forged").status_code == 400


def test_no_one_writes_another_listeners_progress(
    client: FlaskClient, listener: User, lecture: Lecture
) -> None:
    victim = make_account()
    _ping(client, lecture, 42, user_id=str(victim.id), user=str(victim.id))
    assert _stored(victim, lecture) is None
    assert _stored(listener, lecture).position_seconds == 42


def test_a_ping_is_one_statement_and_loads_no_user(
    client: FlaskClient, listener: User, lecture: Lecture, count_queries: Any
) -> None:
    token = csrf_token(client, "/")
    with count_queries() as statements:
        assert _ping(client, lecture, 75, token=token).status_code == 204
    assert len(statements) == 1, statements
    assert "user_progress" in statements[0] and "users" in statements[0]
    assert _stored(listener, lecture).position_seconds == 75


@pytest.mark.parametrize("change", ["session ended", "suspended"])
def test_a_ping_from_an_ended_session_saves_nothing(
    client: FlaskClient, listener: User, lecture: Lecture, change: str
) -> None:
    token = csrf_token(client, "/")
    if change == "session ended":
        listener.session_version += 1  # signed out elsewhere, or the password changed
    else:
        listener.state = AccountState.SUSPENDED
    db.session.flush()
    assert _ping(client, lecture, 90, token=token).status_code == 204  # logged anonymously
    assert _stored(listener, lecture) is None


def test_a_session_restored_from_the_remember_me_cookie_saves_progress(
    client: FlaskClient, lecture: Lecture, db_session: Any
) -> None:
    user = make_account()
    sign_in(client, user, remember=True)
    token = csrf_token(client, "/")
    with client.session_transaction() as session:  # the browser forgot who signed in;
        for key in [k for k in session if k != "csrf_token"]:  # the remember-me cookie
            del session[key]  # knows
    assert _ping(client, lecture, 44, token=token).status_code == 204
    assert _stored(user, lecture).position_seconds == 44


def test_anonymous_pings_store_nothing_in_the_database(
    client: FlaskClient, lecture: Lecture, db_session: Any
) -> None:
    response = _ping(client, lecture, 10, browser_id="6f1c2d9e-3b7a-4c1e-9a55-0c7d2b8e4f10")
    assert response.status_code == 204
    assert db.session.scalars(select(UserProgress)).all() == []


def test_pings_are_logged_for_analytics(
    app: Flask, client: FlaskClient, listener: User, lecture: Lecture
) -> None:
    folder = Path(app.config["ANALYTICS_DIR"])

    def events() -> list[dict[str, Any]]:
        segments = sorted(folder.glob("*.ndjson")) if folder.exists() else []
        return [json.loads(line) for f in segments for line in f.read_text().splitlines()]

    before = len(events())
    _ping(client, lecture, 61, event="pause")
    lines = events()
    assert len(lines) == before + 1
    event = lines[-1]
    assert event["kind"] == "pause" and event["lecture_id"] == str(lecture.id)
    assert str(listener.id) not in json.dumps(event) and listener.email not in json.dumps(event)


def test_a_broken_analytics_store_never_fails_a_ping(make_app: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the analytics folder should be")
    broken = make_app(ANALYTICS_DIR=str(blocker / "analytics"))
    from tests.conftest import rolled_back

    with rolled_back(broken):
        user = make_account()
        lecture = make_lecture(audio_asset_id=make_audio_asset(duration_seconds=DURATION).id)
        client = broken.test_client()
        sign_in(client, user)
        assert _ping(client, lecture, 33).status_code == 204
        assert _stored(user, lecture).position_seconds == 33


def test_playback_rate_preference(client: FlaskClient, listener: User) -> None:
    token = csrf_token(client, "/")
    assert (
        client.post("/player/rate", data={"rate": "1.50", "csrf_token": token}).status_code == 204
    )
    db.session.refresh(listener)
    assert listener.playback_rate == Decimal("1.50")
    assert client.post("/player/rate", data={"rate": "9", "csrf_token": token}).status_code == 422


# Concurrency: real commits, many connections at once.


@pytest.fixture
def committed(app: Flask) -> Iterator[tuple[User, Lecture]]:
    with app.app_context():
        user = make_account()
        lecture = make_lecture(audio_asset_id=make_audio_asset(duration_seconds=DURATION).id)
        db.session.commit()
        ids = (user.id, lecture.id, lecture.scholar_id, lecture.audio_asset_id)
    yield user, lecture
    with app.app_context():
        from durus.models import MediaAsset, Scholar

        db.session.execute(delete(User).where(User.id == ids[0]))
        db.session.execute(delete(Lecture).where(Lecture.id == ids[1]))
        db.session.execute(delete(Scholar).where(Scholar.id == ids[2]))
        db.session.execute(delete(MediaAsset).where(MediaAsset.id == ids[3]))
        db.session.commit()


def test_concurrent_pings_end_with_the_newest_observation(
    app: Flask, committed: tuple[User, Lecture], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limiter, "enabled", False)  # six sign-ins from one address
    user, lecture = committed
    start = datetime.now(UTC) - timedelta(minutes=10)
    observations = [(start + timedelta(seconds=i), float(i)) for i in range(60)]
    random.Random(7).shuffle(observations)
    clients = [app.test_client() for _ in range(6)]
    for browser in clients:
        sign_in(browser, user, PASSWORD)
    tokens = [csrf_token(browser, "/") for browser in clients]
    errors: list[int] = []

    def worker(index: int) -> None:
        for observed, position in observations[index::6]:
            response = _ping(
                clients[index], lecture, position, observed=observed, token=tokens[index]
            )
            if response.status_code != 204:
                errors.append(response.status_code)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        stored = db.session.get(UserProgress, (user.id, lecture.id))
        assert stored.position_seconds == 59.0
        assert _ms(stored.observed_at) == _ms(start + timedelta(seconds=59))


# The lecture page hands the player what it needs.


def test_lecture_page_resumes_where_the_listener_stopped(
    client: FlaskClient, listener: User, lecture: Lecture
) -> None:
    _ping(client, lecture, 250)
    html = client.get(f"/lectures/{lecture.slug}").text
    assert 'data-resume="250.0"' in html
    assert "Resuming at 4:10" in html
    assert '<audio class="player__native" controls' in html  # plays without JavaScript


def test_a_completed_lecture_starts_again_from_the_beginning(
    client: FlaskClient, listener: User, lecture: Lecture
) -> None:
    _ping(client, lecture, 600, event="ended")
    html = client.get(f"/lectures/{lecture.slug}").text
    assert 'data-resume="0"' in html and 'data-completed="true"' in html
    assert "You have completed this lecture." in html


def test_a_link_to_a_moment(client: FlaskClient, lecture: Lecture) -> None:
    html = client.get(f"/lectures/{lecture.slug}?t=12m34s").text
    assert 'data-start="754"' in html
    assert "#t=754" in html


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("754", 754),
        ("12m34s", 754),
        ("1h2m3s", 3723),
        ("90s", 90),
        ("2m", 120),
        ("", None),
        ("abc", None),
        ("-5", None),
        ("1h", 3600),
        ("12:34", None),
    ],
)
def test_parse_moment(value: str, seconds: int | None) -> None:
    assert parse_moment(value) == seconds
