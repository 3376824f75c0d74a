"""Podcast feeds of series and scholars, read back with a real feed parser."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from durus.catalogue.feeds import PODCAST_NS, podcast_guid
from durus.extensions import db
from durus.models import Lecture, MediaAsset, PublicationState, Scholar, Series, SlugRedirect
from tests.factories import (
    SAMPLE_AUDIO,
    make_lecture,
    make_scholar,
    make_series,
    make_stored_audio_asset,
)
from tests.test_seed import DEMO

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS}


def _feed(client: FlaskClient, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


def _channel(response: Any) -> ET.Element:
    channel = ET.fromstring(response.data).find("channel")  # noqa: S314 (our own output)
    assert channel is not None
    return channel


def _path(url: str) -> str:
    return urlsplit(url).path


def _ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


@pytest.fixture
def series(db_session: Any) -> Series:
    scholar = make_scholar(name="Shaykh Abdullah Example")
    return make_series(
        scholar_id=scholar.id,
        slug="usul-explained",
        title="Usul Explained",
        description="An explanation of the three principles.",
        language_code="ar",
    )


def _series_lectures(series: Series, positions: list[int]) -> list[Lecture]:
    audio = make_stored_audio_asset()
    return [
        make_lecture(
            series=series,
            position=position,
            audio_asset_id=audio.id,
            language_code="ar",
            published_at=_ago(days=10 - position),
        )
        for position in positions
    ]


# --- the series feed ---------------------------------------------------------------------


def test_series_feed_channel(client: FlaskClient, series: Series) -> None:
    _series_lectures(series, [1])
    response, parsed = _feed(client, "/feeds/series/usul-explained.xml")
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    feed = parsed.feed
    assert parsed.version == "rss20"
    assert feed.title == "Usul Explained"
    assert feed.link == "http://localhost/series/usul-explained"
    assert feed.subtitle == "An explanation of the three principles."  # <description>
    assert feed.language == "ar"
    assert feed.author == "Shaykh Abdullah Example"  # itunes:author
    assert feed.image.href == "http://localhost/static/img/podcast-cover.png"
    assert [tag.term for tag in feed.tags] == ["Religion & Spirituality", "Islam"]
    assert not feed.itunes_explicit

    channel = _channel(response)
    assert channel.findtext("itunes:author", namespaces=NS) == "Shaykh Abdullah Example"
    assert channel.findtext("itunes:type", namespaces=NS) == "serial"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    category = channel.find("itunes:category", NS)
    assert category is not None and category.get("text") == "Religion & Spirituality"
    sub = category.find("itunes:category", NS)
    assert sub is not None and sub.get("text") == "Islam"
    image = channel.find("itunes:image", NS)
    assert image is not None and image.get("href") == feed.image.href
    feed_url = "http://localhost/feeds/series/usul-explained.xml"
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid(feed_url)
    locked = channel.find("podcast:locked", NS)
    assert locked is not None and locked.text == "no" and locked.get("owner") is None
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link is not None and self_link.get("href") == feed_url


def test_an_owner_address_locks_the_feed(
    app: Flask, client: FlaskClient, series: Series, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PODCAST_OWNER_EMAIL", "podcasts@durus.example")
    response, _ = _feed(client, "/feeds/series/usul-explained.xml")
    channel = _channel(response)
    locked = channel.find("podcast:locked", NS)
    assert locked is not None and locked.text == "yes"
    assert locked.get("owner") == "podcasts@durus.example"
    assert channel.findtext("itunes:owner/itunes:email", namespaces=NS) == (
        "podcasts@durus.example"
    )


def test_control_characters_do_not_break_the_feed(client: FlaskClient, series: Series) -> None:
    [lecture] = _series_lectures(series, [1])
    lecture.title = "Al-Muqaddimah\x0b (part one)"
    series.description = "Three principles\x1b."
    db.session.flush()
    _, parsed = _feed(client, "/feeds/series/usul-explained.xml")
    assert parsed.entries[0].title == "Al-Muqaddimah (part one)"
    assert parsed.feed.subtitle == "Three principles."


def test_series_feed_items_in_series_order(client: FlaskClient, series: Series) -> None:
    lectures = _series_lectures(series, [3, 1, 2])
    lectures[1].description = "The introduction."
    db.session.flush()
    response, parsed = _feed(client, "/feeds/series/usul-explained.xml")
    by_position = sorted(lectures, key=lambda lec: lec.position or 0)
    assert [entry.id for entry in parsed.entries] == [str(lec.id) for lec in by_position]

    audio = lectures[0].audio_asset_id
    asset = db.session.get(MediaAsset, audio)
    assert asset is not None
    items = _channel(response).findall("item")
    for entry, item, lecture in zip(parsed.entries, items, by_position, strict=True):
        assert entry.title == lecture.title
        assert entry.link == f"http://localhost/lectures/{lecture.slug}"
        assert entry.guidislink is False
        assert item.find("guid").get("isPermaLink") == "false"  # type: ignore[union-attr]
        assert parsedate_to_datetime(entry.published) == lecture.published_at.replace(microsecond=0)
        [enclosure] = entry.enclosures
        assert enclosure.href == f"http://localhost/media/audio/{audio}.mp3"
        assert enclosure.type == "audio/mpeg"
        assert int(enclosure.length) == SAMPLE_AUDIO.stat().st_size
        assert entry.itunes_duration == str(round(asset.duration_seconds or 0))
        assert item.findtext("itunes:episode", namespaces=NS) == str(lecture.position)
        assert item.findtext("itunes:episodeType", namespaces=NS) == "full"
        assert item.findtext("podcast:episode", namespaces=NS) == str(lecture.position)
    assert parsed.entries[0].summary == "The introduction."
    assert parsed.entries[1].summary == (
        "A lecture by Shaykh Abdullah Example: lecture 2 of Usul Explained."
    )


def test_the_enclosure_serves_the_audio(client: FlaskClient, series: Series) -> None:
    _series_lectures(series, [1])
    _, parsed = _feed(client, "/feeds/series/usul-explained.xml")
    audio = client.get(_path(parsed.entries[0].enclosures[0].href))
    assert audio.status_code == 200
    assert audio.mimetype == "audio/mpeg"
    assert audio.data == SAMPLE_AUDIO.read_bytes()
    audio.close()


def test_the_cover_image_is_a_1400_square_png(client: FlaskClient, series: Series) -> None:
    _, parsed = _feed(client, "/feeds/series/usul-explained.xml")
    image = client.get(_path(parsed.feed.image.href))
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", image.data[16:24]) == (1400, 1400)
    assert len(image.data) < 100_000
    image.close()


def test_series_feed_shows_only_visible_lectures(client: FlaskClient, series: Series) -> None:
    [visible] = _series_lectures(series, [1])
    make_lecture(series=series, state=PublicationState.DRAFT, published_at=None)
    make_lecture(series=series, state=PublicationState.ARCHIVED)
    make_lecture(series=series, published_at=datetime.now(UTC) + timedelta(days=1))
    _, parsed = _feed(client, "/feeds/series/usul-explained.xml")
    assert [entry.id for entry in parsed.entries] == [str(visible.id)]


@pytest.mark.parametrize(
    "change",
    [
        {"state": PublicationState.DRAFT, "published_at": None},
        {"state": PublicationState.ARCHIVED},
        {"published_at": datetime.now(UTC) + timedelta(days=1)},
    ],
    ids=["draft", "archived", "scheduled"],
)
def test_a_hidden_series_has_no_feed(
    client: FlaskClient, series: Series, change: dict[str, Any]
) -> None:
    _series_lectures(series, [1])
    for field, value in change.items():
        setattr(series, field, value)
    db.session.flush()
    assert client.get("/feeds/series/usul-explained.xml").status_code == 404


def test_a_series_of_an_inactive_scholar_has_no_feed(client: FlaskClient, series: Series) -> None:
    _series_lectures(series, [1])
    db.session.get(Scholar, series.scholar_id).is_active = False  # type: ignore[union-attr]
    db.session.flush()
    assert client.get("/feeds/series/usul-explained.xml").status_code == 404


@pytest.mark.usefixtures("db_session")
def test_unknown_feeds_are_404(client: FlaskClient) -> None:
    assert client.get("/feeds/series/no-such-series.xml").status_code == 404
    assert client.get("/feeds/scholars/no-such-scholar.xml").status_code == 404


def test_an_old_series_slug_moves_its_feed(client: FlaskClient, series: Series) -> None:
    db.session.add(SlugRedirect(old_slug="usul-old", series_id=series.id))
    db.session.flush()
    response = client.get("/feeds/series/usul-old.xml")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/feeds/series/usul-explained.xml")


def test_the_guid_survives_a_change_of_slug(client: FlaskClient, series: Series) -> None:
    [lecture] = _series_lectures(series, [1])
    _, before = _feed(client, "/feeds/series/usul-explained.xml")
    lecture.slug = "a-new-name"
    db.session.flush()
    _, after = _feed(client, "/feeds/series/usul-explained.xml")
    assert after.entries[0].link.endswith("/lectures/a-new-name")
    assert after.entries[0].id == before.entries[0].id == str(lecture.id)


# --- the scholar feed --------------------------------------------------------------------


@pytest.fixture
def scholar(db_session: Any) -> Scholar:
    return make_scholar(
        slug="abdullah-example",
        name="Shaykh Abdullah Example",
        biography="A teacher of the Sunnah.\n\nHe teaches in Cairo.",
    )


def test_scholar_feed_lists_all_visible_lectures_newest_first(
    client: FlaskClient, scholar: Scholar
) -> None:
    series = make_series(scholar_id=scholar.id)
    older = make_lecture(series=series, position=1, published_at=_ago(days=3))
    single = make_lecture(scholar_id=scholar.id, published_at=_ago(days=1), language_code="ar")
    newer = make_lecture(series=series, position=2, published_at=_ago(days=2))
    make_lecture(scholar_id=scholar.id, state=PublicationState.DRAFT, published_at=None)
    hidden_series = make_series(scholar_id=scholar.id, state=PublicationState.DRAFT)
    make_lecture(series=hidden_series)
    make_lecture(published_at=_ago(hours=2))  # another scholar's

    response, parsed = _feed(client, "/feeds/scholars/abdullah-example.xml")
    assert [entry.id for entry in parsed.entries] == [str(single.id), str(newer.id), str(older.id)]
    feed = parsed.feed
    assert feed.title == "Shaykh Abdullah Example"
    assert feed.link == "http://localhost/scholars/abdullah-example"
    assert feed.subtitle == "A teacher of the Sunnah."
    assert feed.language == "en"  # two of the three lectures are in English
    assert feed.author == "Shaykh Abdullah Example"
    channel = _channel(response)
    assert channel.findtext("itunes:type", namespaces=NS) == "episodic"
    assert channel.findtext("itunes:explicit", namespaces=NS) == "false"
    feed_url = "http://localhost/feeds/scholars/abdullah-example.xml"
    assert channel.findtext("podcast:guid", namespaces=NS) == podcast_guid(feed_url)
    for item in channel.findall("item"):
        assert item.find("itunes:episode", NS) is None  # episodic: no numbering
        assert item.findtext("itunes:episodeType", namespaces=NS) == "full"
        assert item.findtext("itunes:duration", namespaces=NS) == "600"
    assert parsed.entries[1].summary == (
        f"A lecture by Shaykh Abdullah Example: lecture 2 of {series.title}."
    )


def test_scholar_feed_language_follows_most_lectures(client: FlaskClient, scholar: Scholar) -> None:
    for days in (1, 2):
        make_lecture(scholar_id=scholar.id, language_code="ar", published_at=_ago(days=days))
    make_lecture(scholar_id=scholar.id, published_at=_ago(hours=1))
    _, parsed = _feed(client, "/feeds/scholars/abdullah-example.xml")
    assert parsed.feed.language == "ar"


def test_an_inactive_scholar_has_no_feed(client: FlaskClient, scholar: Scholar) -> None:
    make_lecture(scholar_id=scholar.id)
    scholar.is_active = False
    db.session.flush()
    assert client.get("/feeds/scholars/abdullah-example.xml").status_code == 404


def test_a_scholar_without_lectures_has_an_empty_feed(
    client: FlaskClient, scholar: Scholar
) -> None:
    _, parsed = _feed(client, "/feeds/scholars/abdullah-example.xml")
    assert parsed.entries == []
    assert parsed.feed.language == "en"


# --- caching -----------------------------------------------------------------------------


def test_feed_is_cacheable_and_answers_304(client: FlaskClient, series: Series) -> None:
    lectures = _series_lectures(series, [1, 2])
    scholar = db.session.get(Scholar, series.scholar_id)
    for row in [series, scholar, *lectures]:
        row.updated_at = _ago(days=20)  # type: ignore[union-attr]
    db.session.flush()
    url = "/feeds/series/usul-explained.xml"
    first = client.get(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.cache_control.public and first.cache_control.max_age == 15 * 60
    assert client.get(url).data == first.data  # the same content, the same bytes

    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.data == b""
    assert not_modified.headers["ETag"] == etag
    since = client.get(url, headers={"If-Modified-Since": last_modified})
    assert since.status_code == 304

    make_lecture(series=series, position=3, published_at=_ago(minutes=1))
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    later = client.get(url, headers={"If-Modified-Since": last_modified})
    assert later.status_code == 200
    assert parsedate_to_datetime(later.headers["Last-Modified"]) > parsedate_to_datetime(
        last_modified
    )


def test_an_old_if_modified_since_gets_the_feed(client: FlaskClient, series: Series) -> None:
    _series_lectures(series, [1])
    since = format_datetime(_ago(days=30), usegmt=True)
    response = client.get("/feeds/series/usul-explained.xml", headers={"If-Modified-Since": since})
    assert response.status_code == 200


# --- queries -----------------------------------------------------------------------------


def _queries_for(client: FlaskClient, count_queries: Any, url: str) -> int:
    assert client.get(url).status_code == 200  # warm up
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("kind", ["series", "scholars"])
def test_feeds_take_the_same_queries_for_3_and_30_episodes(
    client: FlaskClient, count_queries: Any, kind: str
) -> None:
    counts = []
    for size in (3, 30):
        scholar = make_scholar()
        series = make_series(scholar_id=scholar.id)
        audio = make_stored_audio_asset()
        for position in range(1, size + 1):
            make_lecture(series=series, position=position, audio_asset_id=audio.id)
        slug = series.slug if kind == "series" else scholar.slug
        url = f"/feeds/{kind}/{slug}.xml"
        counts.append(_queries_for(client, count_queries, url))
        assert len(feedparser.parse(client.get(url).data).entries) == size
    assert counts[0] == counts[1] <= 2, counts


# --- the Podcasting 2.0 guid -------------------------------------------------------------


def test_podcast_guid_follows_the_podcasting_2_0_examples() -> None:
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"


# --- the demo data -----------------------------------------------------------------------


@pytest.fixture
def seeded(app: Flask, client: FlaskClient) -> FlaskClient:
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    return client


def test_demo_series_feed_matches_its_page(seeded: FlaskClient) -> None:
    slug = "sharh-al-usul-al-thalathah"
    expected = [
        lec["title"]
        for lec in sorted(DEMO["lectures"], key=lambda lec: lec.get("position", 0))
        if lec.get("series") == slug and lec["state"] == "published"
    ]
    _, parsed = _feed(seeded, f"/feeds/series/{slug}.xml")
    assert [entry.title for entry in parsed.entries] == expected
    for entry in parsed.entries:
        audio = seeded.get(_path(entry.enclosures[0].href))
        assert audio.status_code == 200, entry.title
        audio.close()


def test_demo_hidden_series_and_scholars_have_no_feed(seeded: FlaskClient) -> None:
    assert seeded.get("/feeds/series/adab-talib-al-ilm.xml").status_code == 404  # draft
    assert seeded.get("/feeds/series/the-prophets-biography.xml").status_code == 404  # archived
    assert seeded.get("/feeds/scholars/salim-al-kindi.xml").status_code == 404  # inactive
    _, parsed = _feed(seeded, "/feeds/scholars/dawud-clarke.xml")
    titles = {entry.title for entry in parsed.entries}
    hidden = {
        lec["title"]
        for lec in DEMO["lectures"]
        if lec.get("series") == "the-prophets-biography" or lec["state"] != "published"
    }
    assert titles and not titles & hidden


# --- the "Podcast feed" section of the series and scholar pages -----------------------------

FEED_LINK = """{% from "catalogue/_feed_link.html" import feed_alternate, feed_link %}
{{ feed_alternate("catalogue.series_feed", slug, title) }}
{{ feed_link("catalogue.series_feed", slug) }}"""


def test_feed_link_section(app: Flask) -> None:
    with app.test_request_context("/series/usul-explained"):
        html = render_template_string(FEED_LINK, slug="usul-explained", title="Usul & more")
    url = "http://localhost/feeds/series/usul-explained.xml"
    assert (
        f'<link rel="alternate" type="application/rss+xml" '
        f'title="Usul &amp; more (podcast feed)" href="{url}">'
    ) in html
    assert '<label for="feed-link-url">Feed address</label>' in html
    assert re.search(rf'<input id="feed-link-url" type="url" value="{url}" readonly', html)
    copy = rf'<button type="button" class="button" data-copy="{url}"[^>]*>Copy feed link</button>'
    assert re.search(copy, html)
    assert f'<a href="{url}" type="application/rss+xml">' in html
    assert "<script" not in html and "onclick" not in html
