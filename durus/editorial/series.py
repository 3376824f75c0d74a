"""Series: create, edit, publish now or at a future time, unpublish, archive (only the
allowed transitions are offered, and checked again), and the order of their lectures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import flash, get_template_attribute, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from .. import audit
from ..catalogue import queries as catalogue_queries
from ..extensions import db
from ..htmx import render, wants_fragment
from ..i18n import lazy_gettext as _l
from ..models import PublicationState, Scholar, Series
from . import bp, ordering, publication, queries, slugs, versions
from .access import editor_required, scholar_for_edit, series_for_edit
from .forms import MoveForm, NoteForm, SeriesForm, TransitionForm, check_slug
from .helpers import current_values, done, save_edit, stale_message

FIELDS = ("title", "description", "language_code", "slug")
LABELS = {
    "published": _l("Publish"),
    "draft": _l("Unpublish"),
    "archived": _l("Archive"),
}
NOW_IS = {
    "published": _l("The series is now published."),
    "draft": _l("The series is now draft."),
    "archived": _l("The series is now archived."),
}


def snapshot(series: Series) -> dict[str, Any]:
    return {field: getattr(series, field) for field in FIELDS}


def listeners_see(series: Series) -> bool:
    published = series.state is PublicationState.PUBLISHED
    return published and series.published_at is not None and series.published_at <= _now()


def _now() -> datetime:
    return datetime.now(UTC)


def _form(series: Series | None = None) -> SeriesForm:
    form = SeriesForm(obj=series)
    form.language_code.choices = queries.language_choices()
    if series is not None and request.method == "GET":
        form.version.data = versions.token(series)
    return form


def _slug_problem(slug: str | None, exclude_id: uuid.UUID | None) -> str | None:
    if slug and slugs.slug_taken(Series, slug, exclude_id):
        return _("This address is taken: choose another.")
    return None


def _check_slug(form: SeriesForm, exclude_id: uuid.UUID | None) -> bool:
    problem = _slug_problem(form.slug.data, exclude_id)
    if problem:
        form.slug.errors.append(problem)
    return problem is None


def _apply(form: SeriesForm, series: Series) -> None:
    series.title = form.title.data.strip()
    series.description = form.description.data or ""
    series.language_code = form.language_code.data


@bp.route("/scholars/<uuid:scholar_id>/series/new", methods=["GET", "POST"])
@editor_required
def series_create(scholar_id: uuid.UUID) -> Response:
    scholar = scholar_for_edit(scholar_id)
    form = _form()
    if form.validate_on_submit() and _check_slug(form, None):
        slug = form.slug.data or slugs.unique_slug(Series, form.title.data)
        series = Series(scholar_id=scholar.id, slug=slug, state=PublicationState.DRAFT)
        _apply(form, series)
        db.session.add(series)
        db.session.flush()
        audit.record(
            "series.created", "series", series.id, actor_id=current_user.id,
            after={**snapshot(series), "scholar_id": str(scholar.id), "state": "draft"},
        )  # fmt: skip
        db.session.commit()
        flash(_("The series “%(title)s” was created as a draft.", title=series.title), "success")
        return done("editorial.series_edit", series_id=series.id)
    status = 422 if form.is_submitted() else 200
    return render("editorial/series_new.html", scholar=scholar, form=form, status=status)


@bp.get("/scholars/<uuid:scholar_id>/series/slug-check")
@editor_required
def series_slug_check(scholar_id: uuid.UUID) -> Response:
    """Inline validation as one types: the slug field again, with its message."""
    scholar_for_edit(scholar_id)
    form = SeriesForm(formdata=request.args, meta={"csrf": False})
    if form.slug.validate(form):
        try:
            check_slug(form.slug.data)
        except ValidationError as error:
            form.slug.errors.append(str(error))
    series_id = request.args.get("series_id", "")
    try:
        exclude = uuid.UUID(series_id) if series_id else None
    except ValueError:
        exclude = None
    if not form.slug.errors:
        _check_slug(form, exclude)
    macro = get_template_attribute("editorial/_fields.html", "slug_field")
    response = make_response(macro(form.slug, _check_url(scholar_id, exclude)))
    response.vary.add("HX-Request")
    return response


def _check_url(scholar_id: uuid.UUID, series_id: uuid.UUID | None) -> str:
    return url_for("editorial.series_slug_check", scholar_id=scholar_id, series_id=series_id)


def _page(
    series: Series,
    form: SeriesForm | None = None,
    status: int = 200,
    *,
    block: str | None = None,
    conflict: str | None = None,
    transition: TransitionForm | None = None,
    move_error: str | None = None,
) -> Response:
    scholar = db.session.get(Scholar, series.scholar_id)
    if form is None:
        form = _form(series)
    return render(
        "editorial/series_edit.html",
        block=block,
        status=status,
        series=series,
        scholar=scholar,
        form=form,
        check_url=_check_url(series.scholar_id, series.id),
        state=queries.state_label(series, _now()),
        targets=[t.value for t in publication.allowed_targets(series)],
        labels=LABELS,
        needs_confirm=listeners_see(series),
        transition=transition or TransitionForm(formdata=None),
        version=versions.token(series),
        lectures=ordering.lectures_in_order(series.id),
        move_error=move_error,
        lecture_edit=queries.lecture_endpoint("lecture_edit"),
        notes=queries.notes_of(series_id=series.id),
        note_form=NoteForm(formdata=None),
        note_target=("series", series.id),
        conflict=conflict,
        state_label=queries.state_label,
        now=_now(),
    )


@bp.route("/series/<uuid:series_id>", methods=["GET", "POST"])
@editor_required
def series_edit(series_id: uuid.UUID) -> Response:
    series = series_for_edit(series_id)
    form = _form(series)
    if not form.validate_on_submit() or not _check_slug(form, series.id):
        return _page(series, form, 422 if form.is_submitted() else 200, block="series_form")
    if versions.is_stale(series, form.version.data):
        fresh = current_values(form, series)
        return _page(
            series, fresh, 422, block="series_form", conflict=stale_message("series", series)
        )
    save_edit("series", series, snapshot, lambda: _apply(form, series), form.slug.data)
    flash(_("Saved."), "success")
    return done("editorial.series_edit", series_id=series.id)


@bp.post("/series/<uuid:series_id>/state")
@editor_required
def series_state(series_id: uuid.UUID) -> Response:
    series = series_for_edit(series_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        return _page(series, status=422, transition=form)
    target = PublicationState(form.target.data)
    if target.value not in [t.value for t in publication.allowed_targets(series)]:
        form.target.errors.append(
            _(
                "A %(state)s series cannot become %(target)s.",
                state=publication.state_name(series.state),
                target=publication.state_name(target),
            )
        )
        return _page(series, status=422, transition=form)
    if versions.is_stale(series, form.version.data):
        return _page(series, status=422, conflict=stale_message("series", series))
    if target is not PublicationState.PUBLISHED and listeners_see(series) and not form.confirm.data:
        return render(
            "editorial/series_confirm.html",
            series=series,
            target=target.value,
            version=versions.token(series),
        )
    publish_at = form.publish_at.data if target is PublicationState.PUBLISHED else None
    publication.change_state(series, target, actor_id=current_user.id, publish_at=publish_at)
    db.session.commit()
    if publish_at is not None:
        flash(publication.scheduled_message(publish_at), "success")
    else:
        flash(str(NOW_IS[target.value]), "success")
    return done("editorial.series_edit", series_id=series.id)


@bp.post("/series/<uuid:series_id>/lectures/<uuid:lecture_id>/move")
@editor_required
def series_lecture_move(series_id: uuid.UUID, lecture_id: uuid.UUID) -> Response:
    series = series_for_edit(series_id)
    form = MoveForm()
    if not form.validate_on_submit():
        errors = [str(e) for field in form for e in field.errors] or [_("Say where to move it.")]
        return _page(series, status=422, block="series_lectures", move_error=" ".join(errors))
    try:
        ordering.move(
            series, lecture_id, actor_id=current_user.id,
            direction=form.direction.data or None, position=form.position.data,
        )  # fmt: skip
    except ordering.NotInSeries:
        return _page(
            series, status=422, block="series_lectures",
            move_error=_("That lecture is not in this series (any more): reload the page."),
        )  # fmt: skip
    db.session.commit()
    if wants_fragment():
        response = _page(series, block="series_lectures")
        response.headers["HX-Trigger"] = "lectures-reordered"
        return response
    flash(_("The order was saved."), "success")
    return done("editorial.series_edit", series_id=series.id)


@bp.get("/series/<uuid:series_id>/preview")
@editor_required
def series_preview(series_id: uuid.UUID) -> Response:
    """The listener's series page as it will look once published, for editors in scope only.
    It lists the lectures listeners would see then: the series' published lectures whose time
    has come, in order (drafts and scheduled lectures are left out, as listeners' page would)."""
    series_for_edit(series_id)
    series = db.session.scalars(
        select(Series)
        .where(Series.id == series_id)
        .options(
            selectinload(Series.scholar).selectinload(Scholar.original_language),
            selectinload(Series.language),
        )
        .execution_options(populate_existing=True)
    ).one()
    rows = catalogue_queries.series_preview_rows(series, current_user.id)
    total = sum((row.lecture.audio.duration_seconds or Decimal(0) for row in rows), Decimal(0))
    return render(
        "editorial/series_preview.html",
        series=series,
        summary=catalogue_queries.SeriesSummary(series, len(rows), total),
        rows=rows,
        more_after=None,
        state=queries.state_label(series, _now()),
    )
