"""Who may open an editorial page: every view goes through these loaders and decorator.

An anonymous visitor is sent to sign in; a signed-in person without editorial rights, or an
editor outside the item's scope, gets 403 (the workspace is not public, so existence is not
a secret worth a 404 here, and 403 tells an editor they lack a scope rather than a typo)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from .. import policy
from ..auth.decorators import requires
from ..extensions import db
from ..models import Lecture, Scholar, Series

T = TypeVar("T", Scholar, Series, Lecture)

editor_required: Callable[[Callable[..., Any]], Callable[..., Any]] = requires(policy.is_editor)
admin_required: Callable[[Callable[..., Any]], Callable[..., Any]] = requires(policy.is_admin)


def _editable(model: type[T], item_id: uuid.UUID, scholar_id: Callable[[T], uuid.UUID]) -> T:
    item = db.session.get(model, item_id)
    if item is None:
        abort(404)
    if not policy.may_edit_scholar(current_user, scholar_id(item)):
        abort(403)
    return item


def scholar_for_edit(scholar_id: uuid.UUID) -> Scholar:
    return _editable(Scholar, scholar_id, lambda s: s.id)


def series_for_edit(series_id: uuid.UUID) -> Series:
    return _editable(Series, series_id, lambda s: s.scholar_id)


def lecture_for_edit(lecture_id: uuid.UUID) -> Lecture:
    return _editable(Lecture, lecture_id, lambda lec: lec.scholar_id)
