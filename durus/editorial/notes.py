"""Internal notes on a scholar, series or lecture: added and deleted in the workspace, shown
beside the item, never on a listener's page."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, flash, get_template_attribute, make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import audit
from ..extensions import db
from ..htmx import render, wants_fragment
from ..models import EditorialNote, Lecture
from . import bp, queries
from .access import editor_required, lecture_for_edit, scholar_for_edit, series_for_edit
from .forms import ConfirmForm, NoteForm

LOADERS = {"scholar": scholar_for_edit, "series": series_for_edit, "lecture": lecture_for_edit}


def subject_url(kind: str, item_id: uuid.UUID, notes: bool = False) -> str:
    """The workspace page of an item (for a lecture's notes, the lecture's notes page)."""
    if kind == "lecture":
        edit = queries.lecture_endpoint("lecture_edit")
        if edit and not notes:
            return url_for(edit, lecture_id=item_id)
        return url_for("editorial.lecture_notes", lecture_id=item_id)
    return url_for(f"editorial.{kind}_edit", **{f"{kind}_id": item_id})


def _notes_block(kind: str, item_id: uuid.UUID, form: NoteForm, status: int = 200) -> Response:
    macro = get_template_attribute("editorial/_notes.html", "notes_panel")
    notes = queries.notes_of(**{f"{kind}_id": item_id})
    response = make_response(macro(notes, form, (kind, item_id)), status)
    response.vary.add("HX-Request")
    return response


def _add(kind: str, item_id: uuid.UUID) -> Response:
    item: Any = LOADERS[kind](item_id)
    form = NoteForm()
    if not form.validate_on_submit():
        if wants_fragment():
            return _notes_block(kind, item.id, form, 422)
        return render(
            "editorial/notes_page.html", status=422, kind=kind, item=item, form=form,
            notes=queries.notes_of(**{f"{kind}_id": item.id}), back=subject_url(kind, item.id),
        )  # fmt: skip
    note = EditorialNote(author_id=current_user.id, body=form.body.data.strip())
    setattr(note, f"{kind}_id", item.id)
    db.session.add(note)
    db.session.flush()
    audit.record(
        "note.added", kind, item.id, actor_id=current_user.id,
        after={"note_id": str(note.id), "body": note.body},
    )  # fmt: skip
    db.session.commit()
    if wants_fragment():
        response = _notes_block(kind, item.id, NoteForm(formdata=None))
        response.headers["HX-Trigger"] = "notes-changed"
        return response
    flash(_("Note added."), "success")
    return redirect(subject_url(kind, item.id, notes=True), 303)


@bp.post("/scholars/<uuid:scholar_id>/notes")
@editor_required
def scholar_note_add(scholar_id: uuid.UUID) -> Response:
    return _add("scholar", scholar_id)


@bp.post("/series/<uuid:series_id>/notes")
@editor_required
def series_note_add(series_id: uuid.UUID) -> Response:
    return _add("series", series_id)


@bp.post("/lectures/<uuid:lecture_id>/notes")
@editor_required
def lecture_note_add(lecture_id: uuid.UUID) -> Response:
    return _add("lecture", lecture_id)


@bp.get("/lectures/<uuid:lecture_id>/notes")
@editor_required
def lecture_notes(lecture_id: uuid.UUID) -> Response:
    lecture: Lecture = lecture_for_edit(lecture_id)
    return render(
        "editorial/notes_page.html", kind="lecture", item=lecture, form=NoteForm(formdata=None),
        notes=queries.notes_of(lecture_id=lecture.id), back=subject_url("lecture", lecture.id),
    )  # fmt: skip


@bp.post("/notes/<uuid:note_id>/delete")
@editor_required
def note_delete(note_id: uuid.UUID) -> Response:
    note = db.session.get(EditorialNote, note_id)
    if note is None:
        abort(404)
    kind = next(k for k in LOADERS if getattr(note, f"{k}_id") is not None)
    item_id = getattr(note, f"{kind}_id")
    LOADERS[kind](item_id)  # 403 outside the editor's scope
    form = ConfirmForm()
    if not form.validate_on_submit() or form.confirm.data != "yes":
        if wants_fragment():
            return _notes_block(kind, item_id, NoteForm(formdata=None), 422)
        flash(_("Confirm deleting the note."), "error")
        return render(
            "editorial/notes_page.html", status=422, kind=kind, item=LOADERS[kind](item_id),
            form=NoteForm(formdata=None), notes=queries.notes_of(**{f"{kind}_id": item_id}),
            back=subject_url(kind, item_id),
        )  # fmt: skip
    audit.record(
        "note.deleted", kind, item_id, actor_id=current_user.id,
        before={"note_id": str(note.id), "body": note.body},
    )  # fmt: skip
    db.session.delete(note)
    db.session.commit()
    if wants_fragment():
        response = _notes_block(kind, item_id, NoteForm(formdata=None))
        response.headers["HX-Trigger"] = "notes-changed"
        return response
    flash(_("Note deleted."), "success")
    return redirect(subject_url(kind, item_id, notes=True), 303)
