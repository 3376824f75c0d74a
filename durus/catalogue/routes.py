"""Listener pages. Everything here goes through the single visibility definition."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..htmx import render
from ..pagination import BadCursor
from ..player.moments import parse_moment
from . import bp, queries
from .forms import BrowseForm
from .listing import DEFAULT_SORT, LectureFilters, lecture_page

HOME_SERIES = 6
SERIES_PAGE = 100


def _moved_or_404(kind: str, endpoint: str, slug: str) -> Response:
    current = queries.current_slug(kind, slug)
    if current is None or current == slug:
        abort(404)
    return redirect(url_for(endpoint, slug=current), 301)


def _page_of(filters: LectureFilters, sort: str = DEFAULT_SORT) -> Any:
    try:
        return lecture_page(filters, sort, request.args.get("after") or None)
    except BadCursor:
        abort(400)


def _user_id() -> Any:
    return current_user.id if current_user.is_authenticated else None


@bp.get("/")
def home() -> Response:
    return render(
        "catalogue/home.html",
        block="newest_lectures",
        lectures=queries.newest_lectures(current_app.config["HOME_LECTURE_COUNT"]),
        series_list=queries.recently_updated_series(HOME_SERIES),
        topics=[(topic, n) for topic, n in queries.topics_with_counts() if n],
    )


@bp.get("/lectures")
def lecture_index() -> Response:
    form = BrowseForm(request.args)
    form.set_choices(**queries.filter_choices(request.args.get("scholar") or None))
    valid = form.validate()
    filters = LectureFilters()
    if valid:
        filters = LectureFilters(
            scholar=form.scholar.data or None,
            series=form.series.data or None,
            topic=form.topic.data or None,
            language=form.language.data or None,
            min_minutes=form.min_minutes.data,
            max_minutes=form.max_minutes.data,
        )
    page = _page_of(filters, form.sort.data or DEFAULT_SORT) if valid else None
    # The filters swap the whole result list; the "more" button appends the next rows.
    return render(
        "catalogue/lecture_index.html",
        block="lecture_rows" if request.args.get("after") else "browse",
        form=form,
        page=page,
        status=200 if valid else 422,
    )


@bp.get("/lectures/<slug>")
def lecture_detail(slug: str) -> Response:
    lecture = queries.lecture_by_slug(slug)
    if lecture is None:
        return _moved_or_404("lecture", "catalogue.lecture_detail", slug)
    previous, following = queries.neighbours(lecture)
    return render(
        "catalogue/lecture_detail.html",
        lecture=lecture,
        previous=previous,
        following=following,
        progress=queries.progress_of(_user_id(), lecture.id),
        start_at=parse_moment(request.args.get("t")),
    )


@bp.get("/series/<slug>")
def series_detail(slug: str) -> Response:
    series = queries.series_by_slug(slug)
    if series is None:
        return _moved_or_404("series", "catalogue.series_detail", slug)
    after = request.args.get("after", type=int, default=0)
    rows = queries.series_lecture_rows(series, _user_id(), after, SERIES_PAGE + 1)
    more = rows[SERIES_PAGE - 1].lecture.position if len(rows) > SERIES_PAGE else None
    return render(
        "catalogue/series_detail.html",
        block="series_lectures",
        series=series,
        summary=queries.series_summary(series),
        rows=rows[:SERIES_PAGE],
        more_after=more,
    )


@bp.get("/scholars")
def scholar_index() -> Response:
    return render("catalogue/scholar_index.html", scholars=queries.scholars_index())


@bp.get("/scholars/<slug>")
def scholar_detail(slug: str) -> Response:
    scholar = queries.scholar_by_slug(slug)
    if scholar is None:
        return _moved_or_404("scholar", "catalogue.scholar_detail", slug)
    return render(
        "catalogue/scholar_detail.html",
        block="lecture_rows",
        scholar=scholar,
        series_list=queries.scholar_series(scholar),
        page=_page_of(LectureFilters(scholar=scholar.slug, standalone=True)),
    )


@bp.get("/topics")
def topic_index() -> Response:
    return render("catalogue/topic_index.html", topics=queries.topics_with_counts())


@bp.get("/topics/<slug>")
def topic_detail(slug: str) -> Response:
    topic = queries.topic_by_slug(slug)
    if topic is None:
        return _moved_or_404("topic", "catalogue.topic_detail", slug)
    page = _page_of(LectureFilters(topic=topic.slug))
    return render("catalogue/topic_detail.html", block="lecture_rows", topic=topic, page=page)


@bp.get("/languages")
def language_index() -> Response:
    return render("catalogue/language_index.html", languages=queries.languages_with_counts())


@bp.get("/languages/<code>")
def language_detail(code: str) -> Response:
    language = queries.language_by_code(code)
    if language is None:
        abort(404)
    page = _page_of(LectureFilters(language=language.code))
    return render(
        "catalogue/language_detail.html", block="lecture_rows", language=language, page=page
    )
