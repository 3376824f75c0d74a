"""Listener pages. Everything here goes through the single visibility definition."""

from __future__ import annotations

from flask import abort, current_app, redirect, url_for
from werkzeug.wrappers import Response

from ..htmx import render
from . import bp, queries


def _moved_or_404(kind: str, endpoint: str, slug: str) -> Response:
    current = queries.current_slug(kind, slug)
    if current is None or current == slug:
        abort(404)
    return redirect(url_for(endpoint, slug=current), 301)


@bp.get("/")
def home() -> Response:
    lectures = queries.newest_lectures(current_app.config["HOME_LECTURE_COUNT"])
    return render("catalogue/home.html", block="newest_lectures", lectures=lectures)


@bp.get("/lectures/<slug>")
def lecture_detail(slug: str) -> Response:
    lecture = queries.lecture_by_slug(slug)
    if lecture is None:
        return _moved_or_404("lecture", "catalogue.lecture_detail", slug)
    return render("catalogue/lecture_detail.html", lecture=lecture)


@bp.get("/series/<slug>")
def series_detail(slug: str) -> Response:
    series = queries.series_by_slug(slug)
    if series is None:
        return _moved_or_404("series", "catalogue.series_detail", slug)
    lectures = queries.series_lectures(series)
    return render("catalogue/series_detail.html", series=series, lectures=lectures)


@bp.get("/scholars/<slug>")
def scholar_detail(slug: str) -> Response:
    scholar = queries.scholar_by_slug(slug)
    if scholar is None:
        return _moved_or_404("scholar", "catalogue.scholar_detail", slug)
    return render(
        "catalogue/scholar_detail.html",
        scholar=scholar,
        series_list=queries.scholar_series(scholar),
        lectures=queries.scholar_single_lectures(scholar),
    )
