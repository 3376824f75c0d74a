"""Podcast feeds of series and scholars, the sitemap and robots.txt.

Everything listed here goes through the single visibility definition (models/visibility.py):
a feed or a sitemap never shows more than a listener's pages do.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from flask import abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager
from werkzeug.wrappers import Response

from ..extensions import db
from ..models import Lecture, LectureTopic, MediaAsset, Scholar, Series, Topic
from ..models.visibility import scholar_is_visible, visible_lectures, visible_series
from ..player.delivery import extension
from . import bp, queries

RSS_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
FEED_MAX_AGE = 15 * 60  # seconds a podcast app or a proxy may keep a feed
COVER_IMAGE = "img/podcast-cover.png"  # 1400×1400, as Apple Podcasts asks
ITUNES_CATEGORY = {"cat": "Religion & Spirituality", "sub": "Islam"}
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


# --- feedgen extensions ------------------------------------------------------------------


def podcast_guid(feed_url: str) -> str:
    """The Podcasting 2.0 podcast:guid: a UUIDv5 of the feed URL without its scheme and
    trailing slashes, in the "podcast" namespace."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


class PodcastIndexExtension(BaseExtension):
    """The channel tags of the `podcast:` namespace (Podcasting 2.0) that Durus sets."""

    def __init__(self) -> None:
        self._guid: str | None = None
        self._locked: tuple[str, str | None] | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        channel = rss_feed[0]
        if self._guid:
            xml_elem(f"{{{PODCAST_NS}}}guid", channel).text = self._guid
        if self._locked:
            value, owner = self._locked
            locked = xml_elem(f"{{{PODCAST_NS}}}locked", channel)
            locked.text = value
            if owner:
                locked.attrib["owner"] = owner
        return rss_feed

    def guid(self, feed_url: str) -> str:
        self._guid = podcast_guid(feed_url)
        return self._guid

    def locked(self, owner: str | None) -> None:
        """Locked ("yes") against import by another host when an owner address can prove
        ownership; "no" otherwise."""
        self._locked = ("yes", owner) if owner else ("no", None)


class PodcastIndexEntryExtension(BaseEntryExtension):
    """podcast:episode on an item of a serial feed."""

    def __init__(self) -> None:
        self._episode: int | None = None

    def extend_rss(self, item: Any) -> Any:
        if self._episode is not None:
            xml_elem(f"{{{PODCAST_NS}}}episode", item).text = str(self._episode)
        return item

    def episode(self, number: int) -> None:
        self._episode = number


class ItunesExplicitExtension(BaseExtension):
    """itunes:explicit spelled "true"/"false" as Apple asks now (feedgen knows yes/no/clean)."""

    def __init__(self) -> None:
        self._explicit: bool | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        if self._explicit is not None:
            element = xml_elem(f"{{{ITUNES_NS}}}explicit", rss_feed[0])
            element.text = "true" if self._explicit else "false"
        return rss_feed

    def explicit(self, value: bool) -> None:
        self._explicit = value


# --- feed building -----------------------------------------------------------------------


def _feed_lectures(stmt: Select[Any]) -> list[Lecture]:
    """Visible lectures with their scholar, series and audio, in one query."""
    stmt = stmt.join(MediaAsset, Lecture.audio_asset_id == MediaAsset.id).options(
        contains_eager(Lecture.scholar),
        contains_eager(Lecture.series),
        contains_eager(Lecture.audio),
    )
    return list(db.session.scalars(stmt))


def _series(slug: str) -> Series | None:
    stmt = visible_series().options(contains_eager(Series.scholar)).where(Series.slug == slug)
    return db.session.scalar(stmt)


def _scholar(slug: str) -> Scholar | None:
    return db.session.scalar(select(Scholar).where(Scholar.slug == slug, scholar_is_visible()))


def _summary(lecture: Lecture) -> str:
    """The item description: the lecture's own, or what it is."""
    if lecture.description.strip():
        return lecture.description
    text = f"A lecture by {lecture.scholar.name}"
    if lecture.series is not None:
        text += f": lecture {lecture.position} of {lecture.series.title}"
    return text + "."


def _last_modified(stamps: Iterable[datetime | None]) -> datetime:
    return max(stamp for stamp in stamps if stamp is not None)


def _lecture_stamps(lectures: list[Lecture]) -> list[datetime | None]:
    stamps: list[datetime | None] = []
    for lecture in lectures:
        stamps += [lecture.updated_at, lecture.published_at]
        if lecture.series is not None:  # its title is in the item's description
            stamps.append(lecture.series.updated_at)
    return stamps


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    """`value` without the control characters XML 1.0 cannot carry (lxml refuses them)."""
    return _NOT_XML.sub("", value)


def build_feed(
    *,
    title: str,
    page_url: str,
    feed_url: str,
    description: str,
    language: str,
    author: str,
    lectures: list[Lecture],
    serial: bool,
    updated: datetime,
) -> bytes:
    """The RSS document of a podcast: `lectures` in the order given. Deterministic for the
    same input (lastBuildDate is `updated`, not the time of the request)."""
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("podcastindex", PodcastIndexExtension, PodcastIndexEntryExtension)
    fg.register_extension("itunesexplicit", ItunesExplicitExtension)
    cover = url_for("static", filename=COVER_IMAGE, _external=True)
    owner = current_app.config.get("PODCAST_OWNER_EMAIL")

    fg.title(_text(title))
    fg.link(href=feed_url, rel="self", type="application/rss+xml")
    fg.link(href=page_url, rel="alternate")  # the last link given is RSS's <link>
    fg.description(_text(description))
    fg.language(language)
    fg.lastBuildDate(updated)
    fg.generator("Durus")
    fg.image(url=cover, title=_text(title), link=page_url)
    fg.podcast.itunes_author(_text(author))
    fg.podcast.itunes_image(cover)
    fg.podcast.itunes_category(ITUNES_CATEGORY)
    fg.podcast.itunes_type("serial" if serial else "episodic")
    if owner:
        fg.podcast.itunes_owner(name="Durus", email=owner)
    fg.itunesexplicit.explicit(False)
    fg.podcastindex.guid(feed_url)
    fg.podcastindex.locked(owner)

    for lecture in lectures:
        audio = lecture.audio
        assert audio is not None  # a published lecture has audio (a CHECK says so)
        entry = fg.add_entry(order="append")
        entry.title(_text(lecture.title))
        entry.link(href=url_for("catalogue.lecture_detail", slug=lecture.slug, _external=True))
        entry.description(_text(_summary(lecture)))
        entry.guid(str(lecture.id), permalink=False)  # survives a change of slug
        entry.pubDate(lecture.published_at)
        audio_url = url_for("player.audio", asset_id=audio.id, ext=extension(audio), _external=True)
        entry.enclosure(audio_url, str(audio.byte_size), audio.content_type)
        entry.podcast.itunes_duration(round(audio.duration_seconds or 0))
        entry.podcast.itunes_episode_type("full")
        if serial and lecture.position is not None:
            entry.podcast.itunes_episode(lecture.position)
            entry.podcastindex.episode(lecture.position)
    body: bytes = fg.rss_str(pretty=True)
    return body


def _public(response: Response, max_age: int) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response


def feed_response(body: bytes, last_modified: datetime) -> Response:
    """The feed with validators; 304 when the client's copy is current. The ETag, a hash of
    the document, catches every change and wins when a client sends both. Last-Modified is
    the newest change among what the feed shows (a lecture withdrawn from it leaves it)."""
    response = _public(Response(body, content_type=RSS_CONTENT_TYPE), FEED_MAX_AGE)
    response.set_etag(hashlib.sha256(body).hexdigest())
    response.last_modified = last_modified
    return response.make_conditional(request)


def _moved_or_404(kind: str, endpoint: str, slug: str) -> Response:
    """An old slug's feed moves permanently (podcast apps then update the subscription)."""
    current = queries.current_slug(kind, slug)
    if current is None or current == slug:
        abort(404)
    return redirect(url_for(endpoint, slug=current), 301)


@bp.get("/feeds/series/<slug>.xml")
def series_feed(slug: str) -> Response:
    series = _series(slug)
    if series is None:
        return _moved_or_404("series", "catalogue.series_feed", slug)
    lectures = _feed_lectures(
        visible_lectures().where(Lecture.series_id == series.id).order_by(Lecture.position)
    )
    scholar = series.scholar
    updated = _last_modified(
        [series.updated_at, series.published_at, scholar.updated_at, *_lecture_stamps(lectures)]
    )
    body = build_feed(
        title=series.title,
        page_url=url_for("catalogue.series_detail", slug=series.slug, _external=True),
        feed_url=url_for("catalogue.series_feed", slug=series.slug, _external=True),
        description=series.description.strip() or f"A series of lectures by {scholar.name}.",
        language=series.language_code,
        author=scholar.name,
        lectures=lectures,
        serial=True,
        updated=updated,
    )
    return feed_response(body, updated)


def feed_language(lectures: list[Lecture]) -> str:
    """A scholar feed's language: the most common among their lectures (on a tie, that of
    the newest of them), English when there is none."""
    counts = Counter(lecture.language_code for lecture in lectures)
    return counts.most_common(1)[0][0] if counts else "en"


@bp.get("/feeds/scholars/<slug>.xml")
def scholar_feed(slug: str) -> Response:
    scholar = _scholar(slug)
    if scholar is None:
        return _moved_or_404("scholar", "catalogue.scholar_feed", slug)
    lectures = _feed_lectures(
        visible_lectures()
        .where(Lecture.scholar_id == scholar.id)
        .order_by(Lecture.published_at.desc(), Lecture.id.desc())
    )
    updated = _last_modified([scholar.updated_at, *_lecture_stamps(lectures)])
    biography = scholar.biography.strip().split("\n\n")[0]
    body = build_feed(
        title=scholar.name,
        page_url=url_for("catalogue.scholar_detail", slug=scholar.slug, _external=True),
        feed_url=url_for("catalogue.scholar_feed", slug=scholar.slug, _external=True),
        description=biography or f"Recorded lectures by {scholar.name}.",
        language=feed_language(lectures),
        author=scholar.name,
        lectures=lectures,
        serial=False,
        updated=updated,
    )
    return feed_response(body, updated)


# --- sitemap and robots.txt --------------------------------------------------------------

SITEMAP_PAGE_SIZE = 50_000  # the most URLs one sitemap file may hold
SITEMAP_MAX_AGE = 60 * 60
SITEMAP_KINDS = ("scholars", "series", "lectures", "topics")
DETAIL_ENDPOINTS = {
    "scholars": "catalogue.scholar_detail",
    "series": "catalogue.series_detail",
    "lectures": "catalogue.lecture_detail",
    "topics": "catalogue.topic_detail",
}


def _changed(model: type[Lecture] | type[Series]) -> Any:
    return func.greatest(model.updated_at, model.published_at)


def sitemap_rows(kind: str) -> Any:
    """(id, slug, lastmod) of every visible item of `kind`, as a subquery. A topic is listed
    when it has a visible lecture, and changes when its newest lecture does."""
    if kind == "scholars":
        stmt = select(Scholar.id, Scholar.slug, Scholar.updated_at.label("lastmod")).where(
            scholar_is_visible()
        )
    elif kind == "series":
        stmt = visible_series(Series.id, Series.slug, _changed(Series).label("lastmod"))
    elif kind == "lectures":
        stmt = visible_lectures(Lecture.id, Lecture.slug, _changed(Lecture).label("lastmod"))
    else:
        lectures = visible_lectures(Lecture.id, _changed(Lecture).label("lastmod")).subquery()
        stmt = (
            select(Topic.id, Topic.slug, func.max(lectures.c.lastmod).label("lastmod"))
            .join(LectureTopic, LectureTopic.topic_id == Topic.id)
            .join(lectures, lectures.c.id == LectureTopic.lecture_id)
            .group_by(Topic.id)
        )
    return stmt.subquery()


def sitemap_pages(kind: str) -> list[tuple[uuid.UUID, datetime | None]]:
    """(first id, newest lastmod) of each page of `kind`, in one pass over the ids: a page
    is then read by keyset (id >= its first id), never with OFFSET."""
    rows = sitemap_rows(kind)
    row_number = func.row_number().over(order_by=rows.c.id) - 1
    numbered = select(rows.c.id, rows.c.lastmod, row_number.label("n")).subquery()
    page = numbered.c.n // SITEMAP_PAGE_SIZE
    paged = select(
        numbered.c.id,
        numbered.c.n,
        func.max(numbered.c.lastmod).over(partition_by=page).label("newest"),
    ).subquery()
    stmt = (
        select(paged.c.id, paged.c.newest)
        .where(paged.c.n % SITEMAP_PAGE_SIZE == 0)
        .order_by(paged.c.n)
    )
    return [(first, newest) for first, newest in db.session.execute(stmt)]


def _xml(template: str, **context: Any) -> Response:
    body = render_template(template, **context)
    return _public(Response(body, content_type="application/xml; charset=utf-8"), SITEMAP_MAX_AGE)


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """The sitemap index: every page of every kind (at least the first, empty or not)."""
    sitemaps = [
        (url_for("catalogue.sitemap_page", kind=kind, page=number, _external=True), lastmod)
        for kind in SITEMAP_KINDS
        for number, (_, lastmod) in enumerate(sitemap_pages(kind) or [(None, None)], start=1)
    ]
    return _xml("catalogue/sitemap_index.xml", sitemaps=sitemaps)


@bp.get("/sitemaps/<any(scholars, series, lectures, topics):kind>-<int(min=1):page>.xml")
def sitemap_page(kind: str, page: int) -> Response:
    pages = sitemap_pages(kind)
    if page > max(len(pages), 1):
        abort(404)
    entries: list[tuple[str, datetime | None]] = []
    if pages:
        rows = sitemap_rows(kind)
        first, _ = pages[page - 1]
        stmt = (
            select(rows.c.slug, rows.c.lastmod)
            .where(rows.c.id >= first)
            .order_by(rows.c.id)
            .limit(SITEMAP_PAGE_SIZE)
        )
        endpoint = DETAIL_ENDPOINTS[kind]
        entries = [
            (url_for(endpoint, slug=slug, _external=True), lastmod)
            for slug, lastmod in db.session.execute(stmt)
        ]
    return _xml("catalogue/sitemap_page.xml", entries=entries)


ROBOTS_DISALLOW = ("/account", "/auth/", "/editorial", "/admin", "/library")


@bp.get("/robots.txt")
def robots() -> Response:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "Allow: /"]
    lines += ["", f"Sitemap: {url_for('catalogue.sitemap', _external=True)}", ""]
    response = Response("\n".join(lines), content_type="text/plain; charset=utf-8")
    return _public(response, SITEMAP_MAX_AGE)
