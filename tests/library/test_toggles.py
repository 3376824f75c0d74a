"""Favourite and save toggles: htmx swaps the button, a plain form posts and comes back; both
are idempotent, act only on the signed-in user's rows, and send anonymous visitors to sign in
and back to a one-click confirmation."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from durus.extensions import db
from durus.models import Favourite, LibrarySeries, PublicationState, User, UserProgress
from tests.factories import make_series
from tests.helpers import PASSWORD, csrf_token, make_account, sign_in

from .conftest import favourite, lecture, press, progress, save

pytestmark = pytest.mark.usefixtures("db_session")


def _favourites(user: User) -> list[Any]:
    return list(
        db.session.scalars(select(Favourite.lecture_id).where(Favourite.user_id == user.id))
    )


def _saved(user: User) -> list[Any]:
    return list(
        db.session.scalars(select(LibrarySeries.series_id).where(LibrarySeries.user_id == user.id))
    )


def _pressed(html: str, label: str) -> str:
    """aria-pressed of the toggle button called `label`."""
    match = re.search(rf'aria-pressed="(true|false)"><span[^>]*>[^<]*</span> {label}', html)
    assert match, html
    return match.group(1)


# Favourites


def test_favourite_with_htmx_swaps_the_button(client: FlaskClient, listener: User) -> None:
    item = lecture()
    url = f"/library/favourites/{item.slug}"
    response = press(client, url, {"state": "on", "next": "/lectures"}, htmx=True)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<form class="toggle toggle--favourite"')
    assert _pressed(response.text, "Favourite") == "true"
    assert 'name="state" value="off"' in response.text  # pressing again takes it off
    assert "library:favourite" in response.headers["HX-Trigger"]
    assert "HX-Request" in response.headers["Vary"]
    assert _favourites(listener) == [item.id]

    response = press(client, url, {"state": "off", "next": "/lectures"}, htmx=True)
    assert _pressed(response.text, "Favourite") == "false"
    assert _favourites(listener) == []


def test_favourite_without_javascript_posts_and_comes_back(
    client: FlaskClient, listener: User
) -> None:
    item = lecture()
    page = f"/lectures/{item.slug}"
    html = client.get(page).text
    assert _pressed(html, "Favourite") == "false"
    response = press(client, f"/library/favourites/{item.slug}", {"state": "on", "next": page})
    assert response.status_code == 303
    assert response.headers["Location"] == page
    html = client.get(page).text
    assert _pressed(html, "Favourite") == "true"
    assert "is in your favourites" in html  # the flash message


def test_pressing_twice_or_replaying_leaves_one_state(client: FlaskClient, listener: User) -> None:
    item = lecture()
    url = f"/library/favourites/{item.slug}"
    token = csrf_token(client, "/")
    on = {"csrf_token": token, "state": "on"}
    for _ in range(3):  # a double press, then a replay of the same request
        assert client.post(url, data=on, headers={"HX-Request": "true"}).status_code == 200
    assert _favourites(listener) == [item.id]
    off = {"csrf_token": token, "state": "off"}
    for _ in range(2):
        assert client.post(url, data=off).status_code == 303
    assert _favourites(listener) == []


def test_another_users_ids_in_the_request_change_nothing_of_theirs(
    client: FlaskClient, listener: User
) -> None:
    other = make_account()
    item, series = lecture(), make_series()
    favourite(other, item)
    save(other, series)
    progress(other, item, 300)
    forged = {"user_id": str(other.id), "user": str(other.id), "next": "/"}
    press(client, f"/library/favourites/{item.slug}", {"state": "off", **forged})
    press(client, f"/library/saved/{series.slug}", {"state": "off", **forged})
    press(client, f"/library/played/{item.slug}", {"state": "off", **forged})
    press(client, f"/library/continue/{item.slug}/remove", forged)
    press(client, f"/library/favourites/{item.slug}", {"state": "on", **forged})
    db.session.expire_all()
    assert _favourites(other) == [item.id] and _saved(other) == [series.id]
    theirs = db.session.get(UserProgress, (other.id, item.id))
    assert theirs.position_seconds == 300 and theirs.dismissed_at is None
    assert _favourites(listener) == [item.id]  # what was asked, done on the listener's own row


@pytest.mark.parametrize("state", ["", "flip", "ON"])
def test_an_unknown_state_is_refused(client: FlaskClient, listener: User, state: str) -> None:
    item = lecture()
    response = press(client, f"/library/favourites/{item.slug}", {"state": state}, htmx=True)
    assert response.status_code == 422
    assert _pressed(response.text, "Favourite") == "false"  # the control, as it stands
    assert _favourites(listener) == []
    page = press(client, f"/library/favourites/{item.slug}", {"state": state})
    assert page.status_code == 422 and "<html" in page.text


@pytest.mark.parametrize(
    "state", [PublicationState.DRAFT, PublicationState.ARCHIVED], ids=["draft", "archived"]
)
def test_what_a_listener_may_not_see_is_404(
    client: FlaskClient, listener: User, state: PublicationState
) -> None:
    hidden = lecture(state=state)
    hidden_series = make_series(state=state)
    for url in (
        f"/library/favourites/{hidden.slug}",
        f"/library/played/{hidden.slug}",
        f"/library/saved/{hidden_series.slug}",
    ):
        assert press(client, url, {"state": "on"}).status_code == 404
    assert client.get(f"/library/favourites/{hidden.slug}/add").status_code == 404
    assert client.get(f"/library/saved/{hidden_series.slug}/add").status_code == 404
    assert _favourites(listener) == [] and _saved(listener) == []


def test_next_must_be_a_local_path(client: FlaskClient, listener: User) -> None:
    item = lecture()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = press(
            client, f"/library/favourites/{item.slug}", {"state": "on", "next": target}
        )
        assert response.status_code == 303
        assert response.headers["Location"] == "/library/favourites"


# Saved series


def test_save_a_series_with_and_without_htmx(client: FlaskClient, listener: User) -> None:
    series = make_series()
    page = f"/series/{series.slug}"
    assert _pressed(client.get(page).text, "Save series") == "false"
    response = press(client, f"/library/saved/{series.slug}", {"state": "on", "next": page})
    assert response.status_code == 303 and response.headers["Location"] == page
    assert _pressed(client.get(page).text, "Save series") == "true"
    again = press(client, f"/library/saved/{series.slug}", {"state": "on"}, htmx=True)
    assert again.status_code == 200 and _pressed(again.text, "Save series") == "true"
    assert _saved(listener) == [series.id]
    off = press(client, f"/library/saved/{series.slug}", {"state": "off"}, htmx=True)
    assert _pressed(off.text, "Save series") == "false"
    assert _saved(listener) == []


def test_the_lecture_page_offers_to_save_its_series(client: FlaskClient, listener: User) -> None:
    series = make_series()
    item = lecture(series=series)
    save(listener, series)
    html = client.get(f"/lectures/{item.slug}").text
    assert _pressed(html, "Save series") == "true"
    assert _pressed(html, "Favourite") == "false"
    assert "Mark as played" in html


# Anonymous visitors: sign in, then confirm in one click


def _sign_in_with_next(client: FlaskClient, user: User, next_url: str) -> Any:
    token = csrf_token(client, "/auth/sign-in")
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token, "next": next_url}
    return client.post("/auth/sign-in", data=data)


def test_anonymous_favourite_signs_in_then_confirms(client: FlaskClient) -> None:
    user = make_account()
    item = lecture()
    page = f"/lectures/{item.slug}"
    html = client.get(page).text
    assert _pressed(html, "Favourite") == "false"  # offered to everyone
    assert "Mark as played" not in html  # progress of anonymous visitors stays in the browser

    response = press(
        client, f"/library/favourites/{item.slug}", {"state": "on", "next": page}, page=page
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/sign-in"
    confirm = parse_qs(location.query)["next"][0]
    assert confirm == f"/library/favourites/{item.slug}/add?next=/lectures/{item.slug}"
    assert db.session.scalar(select(func.count()).select_from(Favourite)) == 0

    signed = _sign_in_with_next(client, user, confirm)
    assert signed.status_code == 303 and signed.headers["Location"] == confirm
    html = client.get(confirm).text
    assert "Add to your favourites?" in html and item.title in html
    assert 'hx-history="false"' in html
    assert _favourites(user) == []  # the GET changes nothing

    done = press(client, f"/library/favourites/{item.slug}", {"state": "on", "next": page})
    assert done.status_code == 303 and done.headers["Location"] == page
    assert _favourites(user) == [item.id]
    assert "In your favourites" in client.get(confirm).text


def test_anonymous_save_signs_in_then_confirms(client: FlaskClient) -> None:
    user = make_account()
    series = make_series()
    page = f"/series/{series.slug}"
    response = press(client, f"/library/saved/{series.slug}", {"state": "on", "next": page})
    confirm = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]
    assert confirm.startswith(f"/library/saved/{series.slug}/add")
    _sign_in_with_next(client, user, confirm)
    assert "Save this series?" in client.get(confirm).text
    assert _saved(user) == []
    press(client, f"/library/saved/{series.slug}", {"state": "on", "next": page})
    assert _saved(user) == [series.id]


def test_anonymous_htmx_press_is_told_where_to_sign_in(client: FlaskClient) -> None:
    item = lecture()
    response = press(
        client, f"/library/favourites/{item.slug}", {"state": "on", "next": "/"}, htmx=True
    )
    assert response.status_code == 204
    target = urlsplit(response.headers["HX-Redirect"])
    assert target.path == "/auth/sign-in"
    assert parse_qs(target.query)["next"][0].startswith(f"/library/favourites/{item.slug}/add")
    assert "Location" not in response.headers


def test_a_signed_out_listener_is_asked_to_sign_in_for_the_library(client: FlaskClient) -> None:
    response = client.get("/library/favourites")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in")
    user = make_account()
    sign_in(client, user)
    assert client.get("/library/favourites").status_code == 200
