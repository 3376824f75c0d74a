"""Scholars: administrators create them and set them active or inactive; editors in scope
edit the profile, photo included (a new photo is a new image asset; the old one is kept)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from .. import audit, policy
from ..extensions import db
from ..htmx import render
from ..models import MediaAsset, Scholar, Series
from . import bp, queries, slugs, versions
from .access import admin_required, editor_required, scholar_for_edit
from .forms import NoteForm, ScholarActiveForm, ScholarForm, ScholarPhotoForm
from .helpers import current_values, done, save_edit, stale_message
from .images import save_image_upload
from .uploads import UploadRefused, UploadTooLarge

FIELDS = ("name", "name_original", "name_original_language", "biography", "slug")


def snapshot(scholar: Scholar) -> dict[str, Any]:
    return {field: getattr(scholar, field) for field in (*FIELDS, "is_active")}


def _form(scholar: Scholar | None = None) -> ScholarForm:
    form = ScholarForm(obj=scholar)
    form.name_original_language.choices = queries.language_choices(optional=True)
    if scholar is not None and request.method == "GET":
        form.version.data = versions.token(scholar)
    return form


def _check_slug(form: ScholarForm, exclude_id: uuid.UUID | None) -> bool:
    if form.slug.data and slugs.slug_taken(Scholar, form.slug.data, exclude_id):
        form.slug.errors.append(_("This address is taken: choose another."))
        return False
    return True


def _apply(form: ScholarForm, scholar: Scholar) -> None:
    scholar.name = form.name.data.strip()
    scholar.name_original = (form.name_original.data or "").strip() or None
    scholar.name_original_language = (
        form.name_original_language.data if scholar.name_original else None
    )
    scholar.biography = form.biography.data or ""


@bp.route("/scholars/new", methods=["GET", "POST"])
@admin_required
def scholar_create() -> Response:
    form = _form()
    if form.validate_on_submit() and _check_slug(form, None):
        slug = form.slug.data or slugs.unique_slug(Scholar, form.name.data)
        scholar = Scholar(slug=slug)
        _apply(form, scholar)
        db.session.add(scholar)
        db.session.flush()
        audit.record(
            "scholar.created", "scholar", scholar.id, actor_id=current_user.id,
            after=snapshot(scholar),
        )  # fmt: skip
        db.session.commit()
        flash(_("%(name)s was added.", name=scholar.name), "success")
        return done("editorial.scholar_edit", scholar_id=scholar.id)
    status = 422 if form.is_submitted() else 200
    return render("editorial/scholar_new.html", form=form, status=status)


def _photo(scholar: Scholar) -> MediaAsset | None:
    if scholar.photo_asset_id is None:
        return None
    return db.session.get(MediaAsset, scholar.photo_asset_id)


def _page(
    scholar: Scholar,
    form: ScholarForm,
    status: int = 200,
    active_form: ScholarActiveForm | None = None,
    conflict: str | None = None,
    photo_form: ScholarPhotoForm | None = None,
) -> Response:
    series = list(
        db.session.scalars(
            select(Series).where(Series.scholar_id == scholar.id).order_by(Series.title).limit(500)
        )
    )
    return render(
        "editorial/scholar_edit.html",
        block="scholar_form",
        status=status,
        scholar=scholar,
        form=form,
        series=series,
        active_form=active_form
        or ScholarActiveForm(formdata=None, active="active" if scholar.is_active else "inactive"),
        is_admin=policy.is_admin(current_user),
        photo=_photo(scholar),
        photo_form=photo_form or ScholarPhotoForm(formdata=None),
        notes=queries.notes_of(scholar_id=scholar.id),
        note_form=NoteForm(formdata=None),
        note_target=("scholar", scholar.id),
        conflict=conflict,
    )


@bp.route("/scholars/<uuid:scholar_id>", methods=["GET", "POST"])
@editor_required
def scholar_edit(scholar_id: uuid.UUID) -> Response:
    scholar = scholar_for_edit(scholar_id)
    form = _form(scholar)
    if not form.validate_on_submit() or not _check_slug(form, scholar.id):
        return _page(scholar, form, 422 if form.is_submitted() else 200)
    if versions.is_stale(scholar, form.version.data):
        fresh = current_values(form, scholar)
        return _page(scholar, fresh, 422, conflict=stale_message("scholar", scholar))
    save_edit("scholar", scholar, snapshot, lambda: _apply(form, scholar), form.slug.data)
    flash(_("Saved."), "success")
    return done("editorial.scholar_edit", scholar_id=scholar.id)


@bp.post("/scholars/<uuid:scholar_id>/active")
@admin_required
def scholar_active(scholar_id: uuid.UUID) -> Response:
    scholar = scholar_for_edit(scholar_id)
    form = ScholarActiveForm()
    if not form.validate_on_submit():
        return _page(scholar, _form(scholar), 422, active_form=form)
    active = form.active.data == "active"
    if active != scholar.is_active:
        before = snapshot(scholar)
        scholar.is_active = active
        action = "scholar.activated" if active else "scholar.deactivated"
        audit.record(
            action, "scholar", scholar.id, actor_id=current_user.id,
            before=before, after=snapshot(scholar),
        )  # fmt: skip
        db.session.commit()
    if active:
        flash(_("%(name)s is active.", name=scholar.name), "success")
    else:
        flash(_("%(name)s is inactive.", name=scholar.name), "success")
    return done("editorial.scholar_edit", scholar_id=scholar.id)


@bp.post("/scholars/<uuid:scholar_id>/photo")
@editor_required
def scholar_photo(scholar_id: uuid.UUID) -> Response:
    scholar = scholar_for_edit(scholar_id)
    form = ScholarPhotoForm()
    if not form.validate_on_submit():
        return _page(scholar, _form(scholar), 422, photo_form=form)
    upload = form.photo.data
    try:
        asset = save_image_upload(upload.stream, upload.filename, actor_id=current_user.id)
    except UploadRefused as exc:
        form.photo.errors = [*form.photo.errors, str(exc)]
        status = 413 if isinstance(exc, UploadTooLarge) else 422
        return _page(scholar, _form(scholar), status, photo_form=form)
    before = scholar.photo_asset_id
    if asset.id != before:
        scholar.photo_asset_id = asset.id
        audit.record(
            "scholar.photo_changed", "scholar", scholar.id, actor_id=current_user.id,
            before={"photo_asset_id": str(before) if before else None},
            after={"photo_asset_id": str(asset.id)},
        )  # fmt: skip
    db.session.commit()
    flash(_("The photo was saved."), "success")
    return done("editorial.scholar_edit", scholar_id=scholar.id)
