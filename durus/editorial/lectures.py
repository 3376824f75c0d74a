"""Editorial: lectures — create with an audio upload, edit, publish, replace audio, delete,
preview. Every view loads its lecture (or scholar) through access.py: 404, 403 or sign in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from ..catalogue import queries
from ..extensions import db
from ..htmx import render
from ..i18n import lazy_gettext as _l
from ..models import Lecture, MediaAsset, PublicationState, Scholar, Series
from . import bp, versions
from . import queries as editorial_queries
from .access import editor_required, lecture_for_edit, scholar_for_edit
from .forms import NoteForm
from .lecture_forms import (
    DeleteForm,
    LectureCreateForm,
    LectureEditForm,
    LectureFields,
    PublicationForm,
    ReplaceAudioForm,
)
from .lecture_services import (
    DeleteRefused,
    LectureData,
    create_lecture,
    delete_lecture,
    replace_audio,
    topic_ids,
    update_lecture,
)
from .publication import TransitionRefused, allowed_targets, change_state, scheduled_message
from .uploads import UploadRefused, UploadTooLarge, save_audio_upload, too_large_message

ACTION_LABELS = {
    PublicationState.PUBLISHED: _l("Publish"),
    PublicationState.DRAFT: _l("Unpublish (back to draft)"),
    PublicationState.ARCHIVED: _l("Archive"),
}


@bp.errorhandler(413)
def upload_too_large(error: RequestEntityTooLarge) -> Response:
    return render(
        "errors/error.html",
        block="error_message",
        error=error,
        message=too_large_message(),
        status=413,
    )


def _data(form: LectureFields) -> LectureData:
    return LectureData(
        title=form.title.data or "",
        description=form.description.data or "",
        language_code=form.language.data or "",
        recorded_on=form.recorded_on.data,
        topic_ids=form.topic_ids(),
        series_id=form.series_id(),
        position=form.position.data,
    )


def _upload(form: Any) -> MediaAsset | None:
    """The form's file as an asset, or None with the reason on the field."""
    upload = form.audio.data
    try:
        return save_audio_upload(upload.stream, upload.filename, actor_id=current_user.id)
    except UploadTooLarge:
        raise RequestEntityTooLarge() from None
    except UploadRefused as exc:
        form.audio.errors = [*form.audio.errors, str(exc)]
        return None


@bp.route("/scholars/<uuid:scholar_id>/lectures/new", methods=["GET", "POST"])
@editor_required
def lecture_new(scholar_id: uuid.UUID) -> Response:
    scholar = scholar_for_edit(scholar_id)
    form = LectureCreateForm()
    form.set_choices(scholar.id)
    if request.method == "GET":
        form.language.data = scholar.name_original_language or "en"
        if request.args.get("series"):
            form.series.data = request.args["series"]
    if form.validate_on_submit() and (asset := _upload(form)) is not None:
        lecture = create_lecture(scholar.id, _data(form), asset, actor_id=current_user.id)
        db.session.commit()
        flash(_("The draft “%(title)s” was created.", title=lecture.title), "success")
        return redirect(url_for("editorial.lecture_edit", lecture_id=lecture.id), 303)
    return render(
        "editorial/lecture_new.html",
        block="lecture_form",
        scholar=scholar,
        form=form,
        max_mb=_max_mb(),
        status=422 if form.is_submitted() else 200,
    )


@bp.route("/lectures/<uuid:lecture_id>/edit", methods=["GET", "POST"])
@editor_required
def lecture_edit(lecture_id: uuid.UUID) -> Response:
    lecture = lecture_for_edit(lecture_id)
    form = LectureEditForm(lecture=lecture)
    form.set_choices(lecture.scholar_id)
    conflict = None
    if request.method == "GET":
        _fill(form, lecture)
    elif form.validate_on_submit():
        if versions.is_stale(lecture, form.version.data):
            conflict = _conflict_message(lecture)
            form.version.data = versions.token(lecture)
        else:
            update_lecture(lecture, _data(form), form.slug.data, actor_id=current_user.id)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("editorial.lecture_edit", lecture_id=lecture.id), 303)
    return render(
        "editorial/lecture_edit.html",
        block="lecture_form",
        status=422 if form.is_submitted() else 200,
        form=form,
        conflict=conflict,
        notes=editorial_queries.notes_of(lecture_id=lecture.id),
        note_form=NoteForm(formdata=None),
        note_target=("lecture", lecture.id),
        **_page_context(lecture),
    )


@bp.route("/lectures/<uuid:lecture_id>/publication", methods=["GET", "POST"])
@editor_required
def lecture_publication(lecture_id: uuid.UUID) -> Response:
    """GET ?target=…: the confirmation for that change; POST: make it."""
    lecture = lecture_for_edit(lecture_id)
    targets = allowed_targets(lecture)
    form = PublicationForm(request.args) if request.method == "GET" else PublicationForm()
    form.set_choices(targets)
    if request.method == "GET" or not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _publication_page(lecture, form, status)
    target = form.target_state()
    if _needs_confirmation(lecture, target) and form.confirm.data != "yes":
        return _publication_page(lecture, form, 200, confirming=True)
    try:
        change_state(lecture, target, actor_id=current_user.id, publish_at=form.publish_at.data)
    except TransitionRefused as exc:
        form.target.errors = [str(exc)]
        return _publication_page(lecture, form, 422)
    db.session.commit()
    flash(_state_message(lecture), "success")
    return redirect(url_for("editorial.lecture_edit", lecture_id=lecture.id), 303)


@bp.route("/lectures/<uuid:lecture_id>/audio", methods=["GET", "POST"])
@editor_required
def lecture_audio(lecture_id: uuid.UUID) -> Response:
    """Replace the audio: a deliberate, confirmed action; the old asset is kept."""
    lecture = lecture_for_edit(lecture_id)
    form = ReplaceAudioForm()
    if form.validate_on_submit() and (asset := _upload(form)) is not None:
        if asset.id == lecture.audio_asset_id:
            form.audio.errors = [_("This is the audio the lecture already has.")]
        else:
            replace_audio(lecture, asset, actor_id=current_user.id)
            db.session.commit()
            flash(_("The audio was replaced. The previous file is kept."), "success")
            return redirect(url_for("editorial.lecture_edit", lecture_id=lecture.id), 303)
    return render(
        "editorial/lecture_audio.html",
        block="lecture_form",
        status=422 if form.is_submitted() else 200,
        form=form,
        max_mb=_max_mb(),
        **_page_context(lecture),
    )


@bp.route("/lectures/<uuid:lecture_id>/delete", methods=["GET", "POST"])
@editor_required
def lecture_delete(lecture_id: uuid.UUID) -> Response:
    lecture = lecture_for_edit(lecture_id)
    form = DeleteForm()
    refused = None
    if form.validate_on_submit():
        scholar_id, title = lecture.scholar_id, lecture.title
        try:
            delete_lecture(lecture, actor_id=current_user.id)
        except DeleteRefused as exc:
            refused = str(exc)
        else:
            db.session.commit()
            flash(_("The draft “%(title)s” was deleted.", title=title), "success")
            return redirect(_after_delete(scholar_id), 303)
    return render(
        "editorial/lecture_delete.html",
        block="lecture_form",
        status=(409 if refused else 422) if form.is_submitted() else 200,
        form=form,
        refused=refused,
        **_page_context(lecture),
    )


@bp.get("/lectures/<uuid:lecture_id>/preview")
@editor_required
def lecture_preview(lecture_id: uuid.UUID) -> Response:
    """The listener's lecture page, as it will look, for editors in scope only."""
    lecture_for_edit(lecture_id)
    lecture = db.session.scalars(
        select(Lecture)
        .where(Lecture.id == lecture_id)
        .options(
            selectinload(Lecture.scholar).selectinload(Scholar.original_language),
            selectinload(Lecture.series).selectinload(Series.language),
            selectinload(Lecture.language),
            selectinload(Lecture.audio),
            selectinload(Lecture.topics),
        )
        .execution_options(populate_existing=True)
    ).one()
    previous, following = queries.neighbours(lecture)
    return render(
        "editorial/lecture_preview.html",
        lecture=lecture,
        previous=previous,
        following=following,
        progress=queries.progress_of(current_user.id, lecture.id),
        start_at=None,
    )


def _fill(form: LectureEditForm, lecture: Lecture) -> None:
    form.title.data = lecture.title
    form.slug.data = lecture.slug
    form.description.data = lecture.description
    form.language.data = lecture.language_code
    form.recorded_on.data = lecture.recorded_on
    form.topics.data = [str(t) for t in topic_ids(lecture.id)]
    form.series.data = str(lecture.series_id) if lecture.series_id else ""
    form.position.data = lecture.position
    form.version.data = versions.token(lecture)


def _conflict_message(lecture: Lecture) -> str:
    change = versions.last_change("lecture", lecture.id)
    who, when = change if change else (_("someone"), lecture.updated_at)
    return _(
        "This lecture was changed by %(who)s at %(when)s UTC after you opened it. "
        "Review the form and save again.",
        who=who,
        when=f"{when:%Y-%m-%d %H:%M}",
    )


def _page_context(lecture: Lecture) -> dict[str, Any]:
    scholar = db.session.get(Scholar, lecture.scholar_id)
    series = db.session.get(Series, lecture.series_id) if lecture.series_id else None
    audio = db.session.get(MediaAsset, lecture.audio_asset_id) if lecture.audio_asset_id else None
    return {
        "lecture": lecture,
        "scholar": scholar,
        "series": series,
        "audio": audio,
        "targets": [(t, str(ACTION_LABELS[t])) for t in allowed_targets(lecture)],
        "visible": _listeners_see(lecture),
        "scheduled": lecture.state is PublicationState.PUBLISHED and not _listeners_see(lecture),
    }


def _publication_page(
    lecture: Lecture, form: PublicationForm, status: int, confirming: bool = False
) -> Response:
    target = form.target.data if form.target.data in form_targets(form) else None
    if target and (confirming or request.method == "GET"):
        form.confirm.data = "yes"
    return render(
        "editorial/lecture_publication.html",
        block="lecture_form",
        status=status,
        form=form,
        target=PublicationState(target) if target else None,
        **_page_context(lecture),
    )


def form_targets(form: PublicationForm) -> set[str]:
    return {value for value, _label in form.target.choices or []}


def _listeners_see(lecture: Lecture) -> bool:
    published = lecture.state is PublicationState.PUBLISHED
    return (
        published
        and lecture.published_at is not None
        and (lecture.published_at <= datetime.now(UTC))
    )


def _needs_confirmation(lecture: Lecture, target: PublicationState) -> bool:
    return target is not PublicationState.PUBLISHED and _listeners_see(lecture)


def _state_message(lecture: Lecture) -> str:
    if lecture.state is PublicationState.PUBLISHED and not _listeners_see(lecture):
        return scheduled_message(lecture.published_at)
    return {
        PublicationState.PUBLISHED: _("Published: listeners can see it now."),
        PublicationState.DRAFT: _("Unpublished: it is a draft again."),
        PublicationState.ARCHIVED: _("Archived."),
    }[lecture.state]


def _after_delete(scholar_id: uuid.UUID) -> str:
    for endpoint, args in (
        ("editorial.scholar_edit", {"scholar_id": scholar_id}),
        ("editorial.workspace", {}),
    ):
        if endpoint in current_app.view_functions:
            return url_for(endpoint, **args)
    return url_for("editorial.lecture_new", scholar_id=scholar_id)


def _max_mb() -> int:
    return int(current_app.config["MAX_AUDIO_UPLOAD_MB"])
