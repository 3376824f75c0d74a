"""The workspace: an editor's scholars, their drafts, scheduled and recently changed items,
with search by title and filters by state, scholar and series. Administrators see all."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import request
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import policy
from ..htmx import render
from . import bp, publication, queries
from .access import editor_required


@bp.app_template_global("is_editor")
def is_editor_global(user: Any) -> bool:
    return policy.is_editor(user)


@bp.app_template_global("publication_state_name")
def publication_state_name(state: Any) -> str:
    return publication.state_name(state)


def _uuid_arg(name: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("")
@editor_required
def workspace() -> Response:
    scope = policy.scholar_ids_in_scope(current_user)
    state = request.args.get("state", "")
    filters = queries.Filters(
        q=request.args.get("q", "").strip()[:200],
        state=state if state in queries.STATES else "",
        scholar_id=_uuid_arg("scholar"),
        series_id=_uuid_arg("series"),
    )
    return render(
        "editorial/workspace.html",
        block="workspace_results",
        scholars=queries.scholars_in_scope(scope),
        series_options=queries.series_options(scope, filters.scholar_id),
        sections=queries.workspace_sections(scope, filters),
        filters=filters,
        states=queries.STATES,
        now=datetime.now(UTC),
        state_label=queries.state_label,
        lecture_edit=queries.lecture_endpoint("lecture_edit"),
    )
