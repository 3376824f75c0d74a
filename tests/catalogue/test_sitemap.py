"""sitemap.xml (an index of pages per kind) and robots.txt list only what a listener may see."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from durus.catalogue import feeds
from durus.extensions import db
from durus.models import LectureTopic, PublicationState
from tests.factories import make_lecture, make_scholar, make_series, make_topic
from tests.test_seed import demo_visible_slugs

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

pytestmark = pytest.mark.usefixtures("db_session")


def _xml(client: FlaskClient, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "application/xml"
    return ET.fromstring(response.data)  # noqa: S314 (our own output)


def _index(client: FlaskClient) -> list[str]:
    root = _xml(client, "/sitemap.xml")
    assert root.tag == f"{SM}sitemapindex"
    return [loc.text or "" for loc in root.iter(f"{SM}loc")]


def _page(client: FlaskClient, url: str) -> dict[str, str | None]:
    """loc → lastmod of one sitemap page."""
    root = _xml(client, urlsplit(url).path)
    assert root.tag == f"{SM}urlset"
    return {
        url.findtext(f"{SM}loc") or "": url.findtext(f"{SM}lastmod")
        for url in root.iter(f"{SM}url")
    }


def _all_urls(client: FlaskClient) -> dict[str, str | None]:
    urls: dict[str, str | None] = {}
    for page in _index(client):
        if "/topics-" in page and not _has_topic_pages(client.application):
            continue
        urls.update(_page(client, page))
    return urls


def _has_topic_pages(app: Flask) -> bool:
    return "catalogue.topic_detail" in app.view_functions


def _tag(topic_id: Any, lecture_id: Any) -> None:
    db.session.add(LectureTopic(topic_id=topic_id, lecture_id=lecture_id))
    db.session.flush()


def test_index_points_to_a_first_page_of_every_kind(client: FlaskClient) -> None:
    assert _index(client) == [
        f"http://localhost/sitemaps/{kind}-1.xml"
        for kind in ("scholars", "series", "lectures", "topics")
    ]
    assert _page(client, "/sitemaps/lectures-1.xml") == {}  # nothing published yet


def test_sitemap_lists_visible_items_only(client: FlaskClient) -> None:
    scholar = make_scholar()
    series = make_series(scholar_id=scholar.id)
    lecture = make_lecture(series=series)
    single = make_lecture(scholar_id=scholar.id)
    draft = make_lecture(scholar_id=scholar.id, state=PublicationState.DRAFT, published_at=None)
    archived = make_lecture(scholar_id=scholar.id, state=PublicationState.ARCHIVED)
    scheduled = make_lecture(published_at=datetime.now(UTC) + timedelta(days=1))
    hidden_series = make_series(scholar_id=scholar.id, state=PublicationState.DRAFT)
    in_hidden_series = make_lecture(series=hidden_series)
    inactive = make_scholar(is_active=False)
    inactive_series = make_series(scholar_id=inactive.id)
    by_inactive = make_lecture(series=inactive_series)

    urls = _all_urls(client)
    base = "http://localhost"
    for visible in (
        f"{base}/scholars/{scholar.slug}",
        f"{base}/series/{series.slug}",
        f"{base}/lectures/{lecture.slug}",
        f"{base}/lectures/{single.slug}",
    ):
        assert visible in urls
    for hidden in (
        f"{base}/lectures/{draft.slug}",
        f"{base}/lectures/{archived.slug}",
        f"{base}/lectures/{scheduled.slug}",
        f"{base}/series/{hidden_series.slug}",
        f"{base}/lectures/{in_hidden_series.slug}",
        f"{base}/scholars/{inactive.slug}",
        f"{base}/series/{inactive_series.slug}",
        f"{base}/lectures/{by_inactive.slug}",
    ):
        assert hidden not in urls
    lastmod = urls[f"{base}/lectures/{lecture.slug}"]
    assert lastmod is not None
    assert datetime.fromisoformat(lastmod) == max(
        lecture.updated_at, lecture.published_at or lecture.updated_at
    ).replace(microsecond=0)


def test_topics_with_visible_lectures_are_listed(client: FlaskClient) -> None:
    if not _has_topic_pages(client.application):
        pytest.skip("catalogue.topic_detail does not exist yet")
    listed, empty, only_hidden = make_topic(), make_topic(), make_topic()
    lecture = make_lecture()
    _tag(listed.id, lecture.id)
    hidden = make_lecture(state=PublicationState.DRAFT, published_at=None)
    _tag(only_hidden.id, hidden.id)

    urls = _page(client, "/sitemaps/topics-1.xml")
    assert f"http://localhost/topics/{listed.slug}" in urls
    assert f"http://localhost/topics/{empty.slug}" not in urls
    assert f"http://localhost/topics/{only_hidden.slug}" not in urls
    lastmod = urls[f"http://localhost/topics/{listed.slug}"]
    assert lastmod is not None
    assert datetime.fromisoformat(lastmod) == max(
        lecture.updated_at, lecture.published_at or lecture.updated_at
    ).replace(microsecond=0)


def test_large_kinds_are_split_into_pages_read_by_keyset(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, count_queries: Any
) -> None:
    monkeypatch.setattr(feeds, "SITEMAP_PAGE_SIZE", 2)
    lectures = [make_lecture() for _ in range(5)]
    pages = [url for url in _index(client) if "/lectures-" in url]
    assert pages == [f"http://localhost/sitemaps/lectures-{n}.xml" for n in (1, 2, 3)]

    seen: list[str] = []
    for page in pages:
        with count_queries() as statements:
            urls = list(_page(client, page))
        assert len(urls) <= 2
        seen += urls
        assert not any("OFFSET" in statement.upper() for statement in statements)
    assert sorted(seen) == sorted(f"http://localhost/lectures/{lec.slug}" for lec in lectures)
    assert len(seen) == len(set(seen))  # no URL on two pages
    assert client.get("/sitemaps/lectures-4.xml").status_code == 404


def test_unknown_sitemap_pages_are_404(client: FlaskClient) -> None:
    assert client.get("/sitemaps/users-1.xml").status_code == 404
    assert client.get("/sitemaps/lectures-0.xml").status_code == 404
    assert client.get("/sitemaps/lectures-2.xml").status_code == 404


def test_demo_sitemap_has_every_visible_lecture(app: Flask, client: FlaskClient) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    lectures = {
        urlsplit(url).path.removeprefix("/lectures/")
        for url in _page(client, "/sitemaps/lectures-1.xml")
    }
    assert lectures == set(demo_visible_slugs())
    assert "http://localhost/scholars/salim-al-kindi" not in _all_urls(client)  # inactive


def test_robots_txt(client: FlaskClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.text.splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/account", "/auth/", "/editorial", "/admin", "/library"):
        assert f"Disallow: {path}" in lines
    assert "Allow: /" in lines
    assert "Disallow: /" not in lines  # the public catalogue stays open
    assert "Sitemap: http://localhost/sitemap.xml" in lines
