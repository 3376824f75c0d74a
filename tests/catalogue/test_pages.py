"""Listener pages: browse with filters, sorts and keyset pages; scholars, series, lectures,
topics and languages; a bounded number of queries whatever the amount of data."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient

from durus.extensions import db
from durus.models import (
    LectureTopic,
    PublicationState,
    SlugRedirect,
    UserProgress,
)
from tests.factories import (
    make_audio_asset,
    make_lecture,
    make_scholar,
    make_series,
    make_topic,
)
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")
ROW_LINK = re.compile(r'class="lecture-row__title"[^>]*>\s*<a href="/lectures/([a-z0-9-]+)"')
MORE_LINK = re.compile(r'class="button more-link" href="([^"]+)"')


def _slugs(html: str) -> list[str]:
    return ROW_LINK.findall(html)


def _at(minutes_ago: int) -> datetime:
    # At least a minute ago: the test's one transaction began before the data was made, and
    # now() (which decides what is published yet) is the transaction's start.
    return datetime.now(UTC) - timedelta(minutes=max(minutes_ago, 1))


def _lecture(minutes: float = 10, age: int = 60, **fields: Any):  # type: ignore[no-untyped-def]
    audio = make_audio_asset(duration_seconds=Decimal(str(minutes * 60)))
    return make_lecture(audio_asset_id=audio.id, published_at=_at(age), **fields)


def _walk(client: FlaskClient, url: str) -> list[str]:
    """Every page of a list by following its "more" links (as a visitor without JS)."""
    seen: list[str] = []
    while url:
        html = client.get(url).text
        seen += _slugs(html)
        more = MORE_LINK.search(html)
        url = more.group(1).replace("&amp;", "&") if more else ""
    return seen


# Browse


def test_browse_pages_have_no_duplicates_or_gaps(client: FlaskClient) -> None:
    lectures = [_lecture(age=i + 1) for i in range(45)]
    expected = [lec.slug for lec in lectures]  # age 0 is the newest
    assert _walk(client, "/lectures") == expected
    assert _walk(client, "/lectures?sort=oldest") == expected[::-1]


def test_browse_sorts_by_length_with_ties_broken_stably(client: FlaskClient) -> None:
    short, middle, long_ = _lecture(5), _lecture(30), _lecture(90)
    tied = [_lecture(30) for _ in range(25)]  # more than a page of equal lengths
    longest = _walk(client, "/lectures?sort=longest")
    assert longest[0] == long_.slug and longest[-1] == short.slug
    assert sorted(longest) == sorted([short.slug, middle.slug, long_.slug, *(t.slug for t in tied)])
    assert _walk(client, "/lectures?sort=shortest") == longest[::-1]


def test_browse_filters(client: FlaskClient) -> None:
    scholar = make_scholar()
    series = make_series(scholar_id=scholar.id)
    in_series = _lecture(20, series=series)
    arabic = _lecture(45, scholar_id=scholar.id, language_code="ar")
    other = _lecture(5)
    topic = make_topic()
    db.session.add(LectureTopic(lecture_id=other.id, topic_id=topic.id))
    db.session.flush()

    def shown(query: str) -> set[str]:
        response = client.get(f"/lectures?{query}")
        assert response.status_code == 200, response.text
        return set(_slugs(response.text))

    assert shown(f"scholar={scholar.slug}") == {in_series.slug, arabic.slug}
    assert shown(f"scholar={scholar.slug}&series={series.slug}") == {in_series.slug}
    assert shown(f"topic={topic.slug}") == {other.slug}
    assert shown("language=ar") == {arabic.slug}
    assert shown("min_minutes=15&max_minutes=30") == {in_series.slug}
    assert shown("max_minutes=10") == {other.slug}


def test_the_language_filter_offers_the_languages_with_visible_lectures(
    client: FlaskClient,
) -> None:
    _lecture(5, language_code="ar")
    _lecture(5, language_code="ur")
    _lecture(5, language_code="fa", state=PublicationState.DRAFT)  # only a draft in Persian
    html = client.get("/lectures").text
    offered = set(re.findall(r'<option value="([a-z]{2,3})"', html))
    assert {"ar", "ur"} <= offered
    assert "fa" not in offered and "sw" not in offered  # a draft; no lecture at all


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min_minutes=30&max_minutes=10", "Must not be less than the shortest"),
        ("min_minutes=abc", "Not a valid integer"),
        ("language=xx", "Not a valid choice"),
        ("sort=sideways", "Not a valid choice"),
        ("min_minutes=-5", "Between 0 and 1440"),
    ],
)
def test_invalid_filters_are_explained(client: FlaskClient, query: str, message: str) -> None:
    response = client.get(f"/lectures?{query}")
    assert response.status_code == 422
    assert message in response.text


def test_a_forged_cursor_is_a_bad_request(client: FlaskClient) -> None:
    assert client.get("/lectures?after=bm90LWEtY3Vyc29y").status_code == 400
    assert client.get("/lectures?after=%%%").status_code == 400


def test_browse_fragments_for_htmx(client: FlaskClient) -> None:
    for i in range(25):
        _lecture(age=i + 1)
    page = client.get("/lectures")
    filtered = client.get("/lectures?sort=oldest", headers={"HX-Request": "true"})
    assert "<html" in page.text and "<html" not in filtered.text
    assert 'id="browse-results"' in filtered.text and 'class="filters"' in filtered.text
    assert "HX-Request" in filtered.headers["Vary"]
    more_url = MORE_LINK.search(page.text).group(1).replace("&amp;", "&")
    more = client.get(more_url, headers={"HX-Request": "true"})
    assert more.text.lstrip().startswith("<li")  # rows to append, not a new list
    assert len(_slugs(more.text)) == 5


def test_browse_empty_state(client: FlaskClient) -> None:
    assert "No lecture matches these filters" in client.get("/lectures").text


# Scholars, series, lectures


def test_scholar_index_shows_both_names_and_counts(client: FlaskClient) -> None:
    scholar = make_scholar(
        name="Shaykh Salih", name_original="الشيخ صالح", name_original_language="ar"
    )
    series = make_series(scholar_id=scholar.id)
    _lecture(series=series)
    _lecture(scholar_id=scholar.id)
    hidden = make_scholar(name="Hidden Scholar", is_active=False)
    html = client.get("/scholars").text
    assert "Shaykh Salih" in html
    assert 'lang="ar" dir="rtl">الشيخ صالح' in html
    assert "1 series · 2 lectures" in html
    assert hidden.name not in html


def test_scholar_page_sums_each_series(client: FlaskClient) -> None:
    scholar = make_scholar()
    series = make_series(scholar_id=scholar.id, title="Forty Hadith")
    _lecture(10, series=series)
    _lecture(20.5, series=series)
    _lecture(99, series=series, state=PublicationState.DRAFT)  # not counted
    single = _lecture(7, scholar_id=scholar.id)
    html = client.get(f"/scholars/{scholar.slug}").text
    assert "2 lectures · 30:30" in html
    assert _slugs(html) == [single.slug]


def test_series_page_shows_each_lecture_state_to_its_listener(client: FlaskClient) -> None:
    series = make_series()
    new, started, done = (_lecture(10, series=series, position=p) for p in (1, 2, 3))
    listener = make_account()
    db.session.add_all(
        [
            UserProgress(
                user_id=listener.id,
                lecture_id=started.id,
                position_seconds=150.0,
                observed_at=_at(5),
            ),
            UserProgress(
                user_id=listener.id,
                lecture_id=done.id,
                position_seconds=600.0,
                observed_at=_at(5),
                completed_at=_at(5),
            ),
        ]
    )
    db.session.flush()
    anonymous = client.get(f"/series/{series.slug}").text
    assert "listening-state" not in anonymous
    sign_in(client, listener)
    html = client.get(f"/series/{series.slug}").text
    assert _slugs(html) == [new.slug, started.slug, done.slug]
    assert "listening-state--new" in html
    assert re.search(r'<progress max="600.0" value="150.0"', html)
    assert "Completed" in html
    assert "3 lectures · 30:00 in all" in html


def test_lecture_page_links_previous_and_next_visible_lectures(client: FlaskClient) -> None:
    series = make_series()
    first = _lecture(series=series, position=1)
    _lecture(series=series, position=2, state=PublicationState.DRAFT)
    third = _lecture(series=series, position=3)
    fourth = _lecture(series=series, position=4)
    html = client.get(f"/lectures/{third.slug}").text
    assert f'rel="prev" href="/lectures/{first.slug}"' in html
    assert f'rel="next" href="/lectures/{fourth.slug}"' in html
    first_page = client.get(f"/lectures/{first.slug}").text
    assert 'rel="prev"' not in first_page


def test_lecture_page_meta_tags(client: FlaskClient) -> None:
    lecture = _lecture(title="On Gratitude", description="Why gratitude increases blessings.")
    html = client.get(f"/lectures/{lecture.slug}").text
    assert "<title>On Gratitude · Durus</title>" in html
    assert '<meta name="description" content="Why gratitude increases blessings.' in html
    assert f'<link rel="canonical" href="http://localhost/lectures/{lecture.slug}">' in html
    assert '<meta property="og:title" content="On Gratitude">' in html


# Topics and languages


def test_topics_index_counts_only_visible_lectures(client: FlaskClient) -> None:
    topic = make_topic(name="Patience")
    empty = make_topic(name="Zakat")
    for lecture in (_lecture(), _lecture(), _lecture(state=PublicationState.DRAFT)):
        db.session.add(LectureTopic(lecture_id=lecture.id, topic_id=topic.id))
    db.session.flush()
    html = client.get("/topics").text
    assert re.search(r"Patience</a>\s*<span class=\"card__meta\">2 lectures", html)
    assert "Zakat" in html
    assert "No lectures in this topic yet" in client.get(f"/topics/{empty.slug}").text


def test_topic_old_slug_redirects(client: FlaskClient) -> None:
    topic = make_topic(slug="sabr")
    db.session.add(SlugRedirect(old_slug="patience", topic_id=topic.id))
    db.session.flush()
    response = client.get("/topics/patience")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/topics/sabr")


def test_languages_pages(client: FlaskClient) -> None:
    arabic = _lecture(language_code="ar")
    _lecture(language_code="en")
    index = client.get("/languages").text
    assert "Arabic" in index and 'lang="ar" dir="rtl">العربية' in index
    assert "Urdu" not in index  # no visible lecture in Urdu
    assert _slugs(client.get("/languages/ar").text) == [arabic.slug]
    assert client.get("/languages/xx").status_code == 404


# Bounded queries


def _populate(count: int) -> dict[str, str]:
    scholar = make_scholar()
    series = make_series(scholar_id=scholar.id)
    topic = make_topic()
    for i in range(count):
        lecture = (
            _lecture(series=series, position=i + 1, age=i + 1)
            if i % 2
            else _lecture(scholar_id=scholar.id, age=i + 1)
        )
        db.session.add(LectureTopic(lecture_id=lecture.id, topic_id=topic.id))
    db.session.flush()
    return {"scholar": scholar.slug, "series": series.slug, "topic": topic.slug}


PAGES = [
    "/",
    "/lectures",
    "/lectures?scholar={scholar}&sort=longest",
    "/scholars",
    "/scholars/{scholar}",
    "/series/{series}",
    "/topics",
    "/topics/{topic}",
    "/languages",
    "/languages/en",
]


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_data(
    client: FlaskClient, count_queries: Any, page: str
) -> None:
    counts = []
    for size in (10, 50):
        slugs = _populate(size)
        url = page.format(**slugs)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 8, counts


def test_series_page_queries_are_bounded_for_a_listener(
    client: FlaskClient, count_queries: Any
) -> None:
    sign_in(client, make_account())
    counts = []
    for size in (10, 50):
        slugs = _populate(size)
        with count_queries() as statements:
            client.get(f"/series/{slugs['series']}")
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_choosing_a_scholar_offers_their_series(client: FlaskClient) -> None:
    scholar = make_scholar()
    series = make_series(scholar_id=scholar.id, title="Kitab at-Tawhid")
    _lecture(series=series)
    assert 'name="series"' not in client.get("/lectures").text
    html = client.get(f"/lectures?scholar={scholar.slug}", headers={"HX-Request": "true"}).text
    assert 'name="series"' in html and "Kitab at-Tawhid" in html
