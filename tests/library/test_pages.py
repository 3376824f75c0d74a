"""The library's pages: one URL each, a page or its fragment, private, guiding when empty,
and a bounded number of queries however large the listener's library."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from durus.extensions import db
from durus.models import PublicationState, User
from tests.factories import make_scholar, make_series
from tests.helpers import make_account, sign_in

from .conftest import favourite, lecture, minutes_ago, progress, slugs, walk

pytestmark = pytest.mark.usefixtures("db_session")

SECTIONS = {
    "/library": "Nothing to continue yet",
    "/library/series": "Save a series, or start listening to one, to follow it here",
    "/library/saved": "Save a series to follow it here",
    "/library/favourites": "press <strong>☆ Favourite</strong> on any lecture",
    "/library/history": "The lectures you finish, or mark as played",
}


@pytest.mark.parametrize("url", SECTIONS)
def test_each_section_is_a_private_page_with_tabs(
    client: FlaskClient, listener: User, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    html = response.text
    assert "<html" in html and 'hx-history="false"' in html
    assert SECTIONS[url] in html  # the empty state says what to do
    nav = html.split('<nav class="tabs"')[1].split("</nav>")[0]
    tabs = re.findall(r'<a href="(/library[^"]*)"( aria-current="page")?>', nav)
    assert [href for href, _ in tabs] == list(SECTIONS)
    assert [href for href, current in tabs if current] == [url]
    assert 'aria-current="page">Library</a>' in html  # the header's link


@pytest.mark.parametrize("url", SECTIONS)
def test_each_section_is_also_a_fragment(client: FlaskClient, listener: User, url: str) -> None:
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="section-heading"' in response.text
    assert "HX-Request" in response.headers["Vary"]
    boosted = client.get(url, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text


@pytest.mark.parametrize("url", SECTIONS)
def test_a_forged_cursor_is_a_bad_request(client: FlaskClient, listener: User, url: str) -> None:
    assert client.get(f"{url}?after=bm90LWEtY3Vyc29y").status_code == 400
    assert client.get(f"{url}?after=%%%").status_code == 400


def test_favourites_newest_first_with_a_scholar_filter(client: FlaskClient, listener: User) -> None:
    one, other = make_scholar(name="Abu Bakr"), make_scholar(name="Zayd")
    first, second, third = (
        lecture(scholar_id=one.id),
        lecture(scholar_id=other.id),
        lecture(scholar_id=one.id),
    )
    favourite(listener, first, at=minutes_ago(30))
    favourite(listener, second, at=minutes_ago(20))
    favourite(listener, third, at=minutes_ago(10))
    html = client.get("/library/favourites").text
    assert slugs(html) == [third.slug, second.slug, first.slug]
    assert html.count('aria-pressed="true">') == 3
    assert re.findall(r'<option value="([^"]*)"', html) == ["", one.slug, other.slug]
    filtered = client.get(f"/library/favourites?scholar={one.slug}", headers={"HX-Request": "true"})
    assert slugs(filtered.text) == [third.slug, first.slug]
    assert f'<option value="{one.slug}" selected>' in filtered.text
    unknown = client.get("/library/favourites?scholar=nobody").text
    assert len(slugs(unknown)) == 3 and "None of your favourites is by that scholar" in unknown


def test_favourites_walk_and_hidden_ones_drop_out(client: FlaskClient, listener: User) -> None:
    items = [lecture() for _ in range(45)]
    for n, item in enumerate(items):
        favourite(listener, item, at=minutes_ago(n + 1))
    items[3].state = PublicationState.ARCHIVED
    db.session.flush()
    shown = walk(client, "/library/favourites")
    assert shown == [item.slug for n, item in enumerate(items) if n != 3]
    items[3].state = PublicationState.PUBLISHED
    db.session.flush()
    assert len(walk(client, "/library/favourites")) == 45


def test_catalogue_rows_show_the_viewers_marks(client: FlaskClient, listener: User) -> None:
    series = make_series()
    liked, plain = lecture(series=series, position=1), lecture(series=series, position=2)
    favourite(listener, liked)
    html = client.get(f"/series/{series.slug}").text
    rows = {slugs(row)[0]: row for row in html.split('<li class="lecture-row"')[1:]}
    assert 'aria-pressed="true"' in rows[liked.slug]
    assert 'aria-pressed="false"' in rows[plain.slug]


# Bounded queries


def _bulk_library(user: User, series_count: int, per_series: int) -> None:
    """A listener with series_count × per_series lectures in progress or completed, all of
    them favourites, every series saved: made in a few statements."""
    scholar = make_scholar()
    audio = lecture().audio_asset_id
    params = {"scholar": scholar.id, "audio": audio, "user": user.id, "tag": scholar.slug}
    db.session.execute(
        text(
            "INSERT INTO series (scholar_id, slug, title, language_code, state, published_at)"
            " SELECT :scholar, :tag || '-s-' || n, 'Bulk series ' || n, 'en', 'published',"
            " now() - interval '2 hours' FROM generate_series(1, :count) AS n"
        ),
        params | {"count": series_count},
    )
    db.session.execute(
        text(
            "INSERT INTO lectures (scholar_id, series_id, position, slug, title, language_code,"
            " state, published_at, audio_asset_id)"
            " SELECT :scholar, s.id, p, s.slug || '-' || p, s.title || ', lecture ' || p, 'en',"
            " 'published', now() - interval '2 hours', :audio"
            " FROM series AS s CROSS JOIN generate_series(1, :per) AS p"
            " WHERE s.scholar_id = :scholar"
        ),
        params | {"per": per_series},
    )
    db.session.execute(
        text(
            "INSERT INTO user_progress (user_id, lecture_id, position_seconds, completed_at,"
            " observed_at, updated_at)"
            " SELECT :user, l.id, 120, CASE WHEN l.position % 2 = 0 THEN now() END,"
            " now() - l.position * interval '1 second', now() - l.position * interval '1 second'"
            " FROM lectures AS l WHERE l.scholar_id = :scholar AND l.position < :per"
        ),
        params | {"per": per_series},
    )
    db.session.execute(
        text(
            "INSERT INTO favourites (user_id, lecture_id)"
            " SELECT :user, id FROM lectures WHERE scholar_id = :scholar"
        ),
        params,
    )
    db.session.execute(
        text(
            "INSERT INTO library_series (user_id, series_id)"
            " SELECT :user, id FROM series WHERE scholar_id = :scholar"
        ),
        params,
    )


def _query_counts(client: FlaskClient, count_queries: Any, urls: list[str]) -> dict[str, int]:
    counts = {}
    for url in urls:
        with count_queries() as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(statements)
    return counts


def test_queries_do_not_grow_with_the_library(
    app: Any, client: FlaskClient, count_queries: Any
) -> None:
    small, large = make_account(), make_account()
    _bulk_library(small, series_count=2, per_series=3)
    _bulk_library(large, series_count=150, per_series=20)  # 3000 lectures, 2850 progress rows
    assert (
        db.session.execute(
            text("SELECT count(*) FROM user_progress WHERE user_id = :u"), {"u": large.id}
        ).scalar_one()
        == 2850
    )
    urls = [*SECTIONS, "/"]
    sign_in(client, small)
    few = _query_counts(client, count_queries, urls)
    many_client = app.test_client()
    sign_in(many_client, large)
    many = _query_counts(many_client, count_queries, urls)
    assert few == many
    home = many.pop("/")
    # the user, the languages, the section, the marks of its rows (and the favourites'
    # scholar filter)
    assert max(many.values()) <= 5, many
    assert home == 4 + 3, home  # the catalogue's four, the user, the shelf, its marks
    assert len(slugs(many_client.get("/library/favourites").text)) == 20


def test_catalogue_lists_take_one_query_more_for_a_listener(
    client: FlaskClient, count_queries: Any
) -> None:
    scholar = make_scholar()
    for _ in range(30):
        lecture(scholar_id=scholar.id)
    url = f"/scholars/{scholar.slug}"
    with count_queries() as anonymous:
        client.get(url)
    user = make_account()
    sign_in(client, user)
    for item in [lecture(scholar_id=scholar.id) for _ in range(3)]:
        favourite(user, item)
        progress(user, item, 600, completed=minutes_ago(1))
    with count_queries() as signed_in:
        html = client.get(url).text
    assert html.count('aria-pressed="true"') == 3 and html.count("Mark as unplayed") == 3
    assert len(signed_in) == len(anonymous) + 2  # loading the user, and the page's marks
