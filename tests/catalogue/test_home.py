"""The home page and the public pages it links to show only what a listener may see."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from durus.extensions import db
from durus.models import Lecture, PublicationState, SlugRedirect
from tests.factories import make_lecture, make_scholar, make_series
from tests.test_seed import DEMO, demo_visible_slugs

HIDDEN = {
    "usul-6-al-asl-al-thani": "draft",
    "juz-amma-4-al-takwir": "archived",
    "seerah-1-before-the-mission": "published, in an archived series",
    "adab-2-al-sabr": "published, in a draft series",
    "fadl-al-ilm": "published, by an inactive scholar",
}


@pytest.fixture
def seeded(app: Flask, client: FlaskClient) -> FlaskClient:
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    return client


def _lecture_links(html: str) -> list[str]:
    return re.findall(r'class="lecture-row__title"[^>]*>\s*<a href="/lectures/([a-z0-9-]+)"', html)


def test_home_lists_the_newest_visible_lectures(seeded: FlaskClient, app: Flask) -> None:
    response = seeded.get("/")
    assert response.status_code == 200
    limit = app.config["HOME_LECTURE_COUNT"]
    assert _lecture_links(response.text) == demo_visible_slugs()[:limit]
    for slug in HIDDEN:
        assert f"/lectures/{slug}" not in response.text


def test_home_links_scholar_and_series_by_their_public_urls(seeded: FlaskClient) -> None:
    html = seeded.get("/").text
    assert 'href="/scholars/dawud-clarke"' in html
    assert 'href="/series/foundations-of-faith"' in html


def test_home_is_four_queries(seeded: FlaskClient, count_queries) -> None:
    # the languages (into the session, once), newest lectures, recently updated series,
    # topics with counts
    with count_queries() as statements:
        assert seeded.get("/").status_code == 200
    assert len(statements) == 4, statements
    assert sum("FROM languages" in s for s in statements) == 1


def test_home_fragment_for_htmx(seeded: FlaskClient) -> None:
    page = seeded.get("/")
    fragment = seeded.get("/", headers={"HX-Request": "true"})
    assert "<html" in page.text
    assert "<html" not in fragment.text
    assert _lecture_links(fragment.text) == _lecture_links(page.text)
    assert "HX-Request" in fragment.headers["Vary"]
    assert "HX-Request" in page.headers["Vary"]


def test_boosted_navigation_gets_the_whole_page(seeded: FlaskClient) -> None:
    boosted = seeded.get("/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text


def test_home_with_nothing_published_says_so(client: FlaskClient) -> None:
    html = client.get("/").text
    assert "No lectures have been published yet" in html


def test_arabic_text_is_marked_right_to_left(seeded: FlaskClient) -> None:
    html = seeded.get("/lectures/usul-1-muqaddimah").text
    assert re.search(r'<h1 id="lecture-title" lang="ar" dir="rtl">المُقَدِّمَة</h1>', html)
    assert 'lang="ar" dir="rtl">الشيخ عبد الرحمن الناصري' in html
    english = seeded.get("/lectures/the-night-prayer").text
    assert '<h1 id="lecture-title" lang="en" dir="ltr">The Night Prayer</h1>' in english


@pytest.mark.parametrize("slug", sorted(HIDDEN))
def test_hidden_lectures_answer_404(seeded: FlaskClient, slug: str) -> None:
    assert seeded.get(f"/lectures/{slug}").status_code == 404


def test_every_visible_demo_lecture_has_a_page(seeded: FlaskClient) -> None:
    for slug in demo_visible_slugs():
        assert seeded.get(f"/lectures/{slug}").status_code == 200, slug


def test_hidden_series_and_scholars_answer_404(seeded: FlaskClient) -> None:
    assert seeded.get("/series/adab-talib-al-ilm").status_code == 404  # draft
    assert seeded.get("/series/the-prophets-biography").status_code == 404  # archived
    assert seeded.get("/scholars/salim-al-kindi").status_code == 404  # inactive
    assert seeded.get("/series/sharh-al-usul-al-thalathah").status_code == 200


def test_series_page_lists_visible_lectures_in_order(seeded: FlaskClient) -> None:
    html = seeded.get("/series/sharh-al-usul-al-thalathah").text
    expected = [
        lec["slug"]
        for lec in sorted(DEMO["lectures"], key=lambda lec: lec.get("position", 0))
        if lec.get("series") == "sharh-al-usul-al-thalathah" and lec["state"] == "published"
    ]
    assert _lecture_links(html) == expected


def test_scholar_page_shows_series_and_single_lectures(seeded: FlaskClient) -> None:
    html = seeded.get("/scholars/dawud-clarke").text
    assert 'href="/series/foundations-of-faith"' in html
    assert 'href="/series/the-prophets-biography"' not in html  # archived
    assert set(_lecture_links(html)) == {"the-night-prayer", "on-good-character"}


@pytest.mark.usefixtures("db_session")
def test_scheduled_lecture_appears_only_once_its_time_comes(client: FlaskClient) -> None:
    later = make_lecture(published_at=datetime.now(UTC) + timedelta(days=1))
    assert later.slug not in _lecture_links(client.get("/").text)
    assert client.get(f"/lectures/{later.slug}").status_code == 404


@pytest.mark.usefixtures("db_session")
def test_lecture_in_scheduled_series_is_hidden(client: FlaskClient) -> None:
    series = make_series(published_at=datetime.now(UTC) + timedelta(days=1))
    lecture = make_lecture(series=series)
    assert client.get(f"/lectures/{lecture.slug}").status_code == 404


@pytest.mark.usefixtures("db_session")
def test_an_old_slug_redirects_permanently(client: FlaskClient) -> None:
    lecture = make_lecture(slug="new-name")
    db.session.add(SlugRedirect(old_slug="old-name", lecture_id=lecture.id))
    db.session.flush()
    response = client.get("/lectures/old-name")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/lectures/new-name")


@pytest.mark.usefixtures("db_session")
def test_an_old_slug_of_a_hidden_lecture_still_404s(client: FlaskClient) -> None:
    lecture = make_lecture(slug="now-draft", state=PublicationState.DRAFT)
    db.session.add(SlugRedirect(old_slug="was-public", lecture_id=lecture.id))
    db.session.flush()
    assert client.get("/lectures/was-public").status_code == 301
    assert client.get("/lectures/now-draft").status_code == 404


@pytest.mark.usefixtures("db_session")
def test_inactive_scholar_hides_their_lectures_everywhere(client: FlaskClient) -> None:
    scholar = make_scholar(is_active=False)
    lecture = make_lecture(scholar_id=scholar.id)
    assert lecture.slug not in _lecture_links(client.get("/").text)
    hidden = db.session.scalar(select(Lecture).where(Lecture.id == lecture.id))
    assert hidden is not None  # it exists; it is only not shown


def test_pages_carry_a_strict_content_security_policy(client: FlaskClient) -> None:
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.text


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/lectures/no-such-lecture")
    assert response.status_code == 404
    assert "There is nothing here" in response.text
    assert "<html" in response.text
