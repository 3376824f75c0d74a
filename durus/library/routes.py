"""The listener's library pages, and the actions behind the toggles.

Every action acts on the signed-in user's own rows (the id comes from the session, never from
the request), asks for a state rather than a flip (so it is idempotent), and answers an htmx
request with the control in its new state, a plain form post with a 303 back to the page.
Anonymous visitors are sent to sign in; for favourite and save, to a confirmation page that
does nothing by itself and offers the action in one click."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, get_template_attribute, make_response, redirect, request, url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..auth.redirects import safe_next
from ..extensions import db
from ..htmx import render, wants_fragment
from ..i18n import lazy_gettext as _l
from ..models import Lecture, Series
from ..pagination import BadCursor
from . import bp, queries, services
from .forms import BackForm, ToggleForm

SHELF_SIZE = 4


# Helpers


def _posted_next(default: str = "library.continue_listening") -> str:
    return safe_next(request.form.get("next"), default)


def _sign_in_first(then: str, message: str | LazyString) -> Response:
    """Anonymous: to the sign-in page, which comes back to `then`. htmx cannot follow a
    redirect to a full page, so it is told where to go instead."""
    flash(str(message), "info")
    target = url_for("auth.sign_in", next=then)
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
    else:
        response = redirect(target)
    response.vary.add("HX-Request")
    return response


def _lecture_or_404(slug: str) -> Lecture:
    lecture = queries.visible_lecture(slug)
    if lecture is None:
        abort(404)
    return lecture


def _series_or_404(slug: str) -> Series:
    series = queries.visible_series(slug)
    if series is None:
        abort(404)
    return series


def _control(
    macro: str, *args: Any, status: int = 200, event: dict[str, Any] | None = None
) -> Response:
    """The toggle or button in its current state: the fragment an htmx request swaps in."""
    html = get_template_attribute("library/_controls.html", macro)(*args)
    response = make_response(html, status)
    response.vary.add("HX-Request")
    if event:
        response.headers["HX-Trigger"] = json.dumps(event)
    return response


def _page_of(loader: Any, *args: Any) -> Any:
    try:
        return loader(current_user.id, *args, cursor=request.args.get("after") or None)
    except BadCursor:
        abort(400)


def _rows_block() -> str:
    """A "more" request appends rows; a tab swap takes the section."""
    return "library_rows" if request.args.get("after") else "library_section"


# Sections


@bp.get("/library")
@login_required
def continue_listening() -> Response:
    return render(
        "library/continue_listening.html",
        block=_rows_block(),
        page=_page_of(queries.continue_listening),
    )


@bp.get("/library/series")
@login_required
def continue_series() -> Response:
    return render(
        "library/continue_series.html", block=_rows_block(), page=_page_of(queries.continue_series)
    )


@bp.get("/library/saved")
@login_required
def saved_series() -> Response:
    return render(
        "library/saved_series.html", block=_rows_block(), page=_page_of(queries.saved_series)
    )


@bp.get("/library/favourites")
@login_required
def favourites() -> Response:
    scholars = queries.favourite_scholars(current_user.id)
    scholar = request.args.get("scholar") or None
    unknown = scholar is not None and scholar not in {slug for slug, _ in scholars}
    if unknown:
        scholar = None  # a scholar with no visible favourite: show them all, and say so
    return render(
        "library/favourites.html",
        block=_rows_block(),
        page=_page_of(queries.favourites, scholar),
        scholars=scholars,
        scholar=scholar,
        unknown_scholar=unknown,
    )


@bp.get("/library/history")
@login_required
def history() -> Response:
    tz = queries.zone(current_user.time_zone)
    cursor = request.args.get("after") or None
    page = _page_of(queries.history)
    return render(
        "library/history.html",
        block=_rows_block(),
        page=page,
        days=queries.by_day(page.items, tz),
        continued_day=queries.cursor_day(cursor, tz),
    )


@bp.app_template_global()
def continue_listening_shelf() -> list[queries.ListenedLecture]:
    """The first few lectures to continue, for the home page; none for anonymous visitors."""
    if not current_user.is_authenticated:
        return []
    return queries.continue_listening(current_user.id, limit=SHELF_SIZE).items


# Favourite a lecture, save a series: the same toggle with different parts


@dataclass(frozen=True)
class Toggle:
    load: Callable[[str], Any]
    is_on: Callable[[uuid.UUID, uuid.UUID], bool]
    set_on: Callable[[uuid.UUID, uuid.UUID, bool], None]
    macro: str
    confirm_page: Callable[..., Response]
    confirm_endpoint: str
    back_endpoint: str
    sign_in_message: LazyString
    event: Callable[[Any, bool], dict[str, Any]]
    said: Callable[[Any, bool], str]


def _toggle(toggle: Toggle, slug: str) -> Response:
    """Set the state the button asked for (never "flip"): presses and replays converge."""
    if not current_user.is_authenticated:
        confirm = url_for(toggle.confirm_endpoint, slug=slug, next=_posted_next())
        return _sign_in_first(confirm, toggle.sign_in_message)
    item = toggle.load(slug)
    form = ToggleForm()
    if not form.validate_on_submit():
        on = toggle.is_on(current_user.id, item.id)
        if wants_fragment():
            return _control(toggle.macro, item, on, _posted_next(), status=422)
        return toggle.confirm_page(item, on, status=422)
    on = form.state.data == "on"
    toggle.set_on(current_user.id, item.id, on)
    db.session.commit()
    back = _posted_next(toggle.back_endpoint)
    if wants_fragment():
        return _control(toggle.macro, item, on, back, event=toggle.event(item, on))
    flash(toggle.said(item, on), "success")
    return redirect(back, 303)


def _favourite_page(lecture: Lecture, on: bool, status: int = 200) -> Response:
    return render(
        "library/favourite_confirm.html",
        lecture=lecture,
        favourite=on,
        back=safe_next(request.values.get("next"), "library.favourites"),
        status=status,
    )


def _save_page(series: Series, on: bool, status: int = 200) -> Response:
    return render(
        "library/series_save_confirm.html",
        series=series,
        saved=on,
        back=safe_next(request.values.get("next"), "library.saved_series"),
        status=status,
    )


FAVOURITE = Toggle(
    load=lambda slug: _lecture_or_404(slug),
    is_on=lambda user_id, item_id: queries.is_favourite(user_id, item_id),
    set_on=lambda user_id, item_id, on: services.set_favourite(user_id, item_id, on),
    macro="favourite_toggle",
    confirm_page=_favourite_page,
    confirm_endpoint="library.favourite_confirm",
    back_endpoint="library.favourites",
    sign_in_message=_l("Sign in to keep your favourite lectures."),
    event=lambda item, on: {"library:favourite": {"lecture": str(item.id), "favourite": on}},
    said=lambda item, on: (
        _("“%(title)s” is in your favourites.", title=item.title)
        if on
        else _("“%(title)s” is no longer in your favourites.", title=item.title)
    ),
)
SAVE = Toggle(
    load=lambda slug: _series_or_404(slug),
    is_on=lambda user_id, item_id: queries.is_saved(user_id, item_id),
    set_on=lambda user_id, item_id, on: services.set_series_saved(user_id, item_id, on),
    macro="save_toggle",
    confirm_page=_save_page,
    confirm_endpoint="library.series_save_confirm",
    back_endpoint="library.saved_series",
    sign_in_message=_l("Sign in to save series and follow them."),
    event=lambda item, on: {"library:saved": {"series": str(item.id), "saved": on}},
    said=lambda item, on: (
        _("“%(title)s” is saved in your library.", title=item.title)
        if on
        else _("“%(title)s” is no longer saved in your library.", title=item.title)
    ),
)


@bp.post("/library/favourites/<slug>")
def favourite_set(slug: str) -> Response:
    return _toggle(FAVOURITE, slug)


def _confirm(toggle: Toggle, slug: str) -> Response:
    """After signing in, the action asked for, to confirm in one click (a GET changes nothing)."""
    item = toggle.load(slug)
    return toggle.confirm_page(item, toggle.is_on(current_user.id, item.id))


@bp.get("/library/favourites/<slug>/add")
@login_required
def favourite_confirm(slug: str) -> Response:
    return _confirm(FAVOURITE, slug)


@bp.post("/library/saved/<slug>")
def series_save(slug: str) -> Response:
    return _toggle(SAVE, slug)


@bp.get("/library/saved/<slug>/add")
@login_required
def series_save_confirm(slug: str) -> Response:
    return _confirm(SAVE, slug)


# Played, unplayed, removed from continue listening


@bp.post("/library/played/<slug>")
def played_set(slug: str) -> Response:
    if not current_user.is_authenticated:
        return _sign_in_first(_posted_next(), _("Sign in to keep track of what you have heard."))
    lecture = _lecture_or_404(slug)
    form = ToggleForm()
    back = _posted_next()
    if not form.validate_on_submit():
        completed = queries.is_completed(current_user.id, lecture.id)
        return _control("played_toggle", lecture, completed, back, status=422)
    played = form.state.data == "on"
    if played:
        assert lecture.audio is not None  # a visible lecture has audio
        services.mark_played(current_user.id, lecture.id, lecture.audio.duration_seconds)
    else:
        services.mark_unplayed(current_user.id, lecture.id)
    db.session.commit()
    if wants_fragment():
        event = {"library:played": {"lecture": str(lecture.id), "played": played}}
        return _control("played_toggle", lecture, played, back, event=event)
    if played:
        flash(_("“%(title)s” is marked as played.", title=lecture.title), "success")
    else:
        flash(_("“%(title)s” is marked as unplayed.", title=lecture.title), "success")
    return redirect(back, 303)


@bp.post("/library/continue/<slug>/remove")
def continue_remove(slug: str) -> Response:
    if not current_user.is_authenticated:
        return _sign_in_first(_posted_next(), _("Sign in to manage your library."))
    lecture = _lecture_or_404(slug)
    form = BackForm()
    if not form.validate_on_submit():
        abort(400)  # only the CSRF token can be wrong, and CSRFProtect answers that first
    services.dismiss(current_user.id, lecture.id)
    db.session.commit()
    if wants_fragment():
        response = make_response("", 200)
        response.headers["HX-Trigger"] = json.dumps(
            {"library:removed": {"lecture": str(lecture.id)}}
        )
        return response
    flash(
        _(
            "“%(title)s” is off your continue-listening list until you play it again.",
            title=lecture.title,
        ),
        "success",
    )
    return redirect(_posted_next(), 303)
