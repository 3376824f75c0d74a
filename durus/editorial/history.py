"""The history page of a scholar, series or lecture: its audit entries, newest first, with
who, when, what and the values before and after."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, request
from werkzeug.wrappers import Response

from ..audit import readable_changes
from ..htmx import render
from ..pagination import BadCursor
from . import bp, queries
from .access import editor_required, lecture_for_edit, scholar_for_edit, series_for_edit
from .notes import subject_url


def _history(kind: str, item: Any, title: str) -> Response:
    try:
        page = queries.history(kind, item.id, request.args.get("after") or None)
    except BadCursor:
        abort(400)
    return render(
        "editorial/history.html",
        block="history_rows" if request.args.get("after") else None,
        kind=kind,
        item=item,
        title=title,
        page=page,
        changes=readable_changes,
        back=subject_url(kind, item.id),
    )


@bp.get("/scholars/<uuid:scholar_id>/history")
@editor_required
def scholar_history(scholar_id: uuid.UUID) -> Response:
    scholar = scholar_for_edit(scholar_id)
    return _history("scholar", scholar, scholar.name)


@bp.get("/series/<uuid:series_id>/history")
@editor_required
def series_history(series_id: uuid.UUID) -> Response:
    series = series_for_edit(series_id)
    return _history("series", series, series.title)


@bp.get("/lectures/<uuid:lecture_id>/history")
@editor_required
def lecture_history(lecture_id: uuid.UUID) -> Response:
    lecture = lecture_for_edit(lecture_id)
    return _history("lecture", lecture, lecture.title)
