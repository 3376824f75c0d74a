"""Small pieces shared by the editorial views."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import audit
from ..extensions import db
from . import slugs, versions


def stale_message(entity_type: str, item: Any) -> str:
    change = versions.last_change(entity_type, item.id)
    if change is None:
        who, when = _("someone"), item.updated_at
    else:
        who, when = change
    return _(
        "This was changed by %(who)s at %(when)s UTC — review the current values and save again.",
        who=who,
        when=f"{when:%Y-%m-%d %H:%M}",
    )


def current_values(form: Any, item: Any) -> Any:
    """After a stale save: a fresh form of the same kind holding the item's current values, its
    database-backed choices and a new version token, for the editor to review and save again."""
    fresh = type(form)(formdata=None, obj=item)
    for name, field in form._fields.items():
        if hasattr(field, "choices"):
            fresh[name].choices = field.choices
    fresh.version.data = versions.token(item)
    return fresh


def done(endpoint: str, event: str | None = None, **values: Any) -> Response:
    """After a write: a 303 to the page (a targeted htmx request is told where to go)."""
    target = url_for(endpoint, **values)
    if request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true":
        response = make_response("", 204)
        response.headers["HX-Location"] = json.dumps(
            {"path": target, "target": "#content", "select": "#content", "swap": "outerHTML"}
        )
    else:
        response = redirect(target, 303)
    if event:
        response.headers["HX-Trigger"] = event
    response.vary.add("HX-Request")
    return response


def save_edit(
    kind: str,
    item: Any,
    snapshot: Callable[[Any], dict[str, Any]],
    apply: Callable[[], None],
    new_slug: str | None,
) -> None:
    """Apply an edit form to `item` (and its slug, keeping the old one as a redirect), audit the
    before and after when something changed, and commit — one transaction."""
    before = snapshot(item)
    apply()
    if new_slug:
        slugs.rename(item, new_slug)
    after = snapshot(item)
    if after != before:
        audit.record(
            f"{kind}.updated", kind, item.id, actor_id=current_user.id, before=before, after=after
        )
    db.session.commit()
