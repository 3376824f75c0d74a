"""The audit log: every recorded change with who, what, on which thing, and the values before
and after; filtered by actor, action, entity and dates, newest first, and exported as CSV."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, request, stream_with_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from .. import audit as trail
from ..htmx import render
from ..models import User
from ..pagination import BadCursor
from . import audit_queries as queries
from . import bp
from .audit_forms import AuditFilterForm, as_uuid

FILTER_ARGS = ("actor", "action", "entity_type", "entity_id", "date_from", "date_to")
# Where each kind of entity is edited; a page not (yet) part of the application is not linked.
ENTITY_PAGES = {
    "user": ("admin.user", "user_id"),
    "scholar": ("editorial.scholar_edit", "scholar_id"),
    "series": ("editorial.series_edit", "series_id"),
    "lecture": ("editorial.lecture_edit", "lecture_id"),
}


def entity_url(kind: str, entity_id: uuid.UUID | None) -> str | None:
    endpoint, arg = ENTITY_PAGES.get(kind, (None, None))
    if endpoint is None or entity_id is None or endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **{arg: entity_id})


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.set_choices(**queries.filter_choices())
    return form


def _actor(form: AuditFilterForm) -> tuple[User | None, str | None]:
    """The account the actor filter names, or a notice saying there is none."""
    wanted = form.actor.data
    if not wanted:
        return None, None
    user_id = as_uuid(wanted)
    user = queries.user_by_id(user_id) if user_id else queries.user_by_email(wanted)
    if user is None:
        notice = (
            _("No account has this ID.")
            if user_id
            else _("No account has the email %(email)s.", email=wanted)
        )
        return None, notice
    return user, None


def _filters(form: AuditFilterForm, actor: User | None) -> queries.AuditFilters:
    return queries.AuditFilters(
        actor_id=actor.id if actor else None,
        action=form.action.data or None,
        entity_type=form.entity_type.data or None,
        entity_id=as_uuid(form.entity_id.data),
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


def _filter_args() -> dict[str, str]:
    return {key: value for key in FILTER_ARGS if (value := request.args.get(key, "").strip())}


def _page(form: AuditFilterForm, status: int = 200, **context: Any) -> Response:
    return render(
        "admin/audit.html",
        status=status,
        **{"page": None, "notice": None, "actor": None, **context},
        form=form,
        entity_url=entity_url,
        csv_url=url_for("admin.audit_csv", **_filter_args()),
    )


@bp.get("/audit")
def audit() -> Response:
    form = _form()
    if not form.validate():
        return _page(form, 400)
    actor, notice = _actor(form)
    if notice:
        return _page(form, notice=notice)
    cursor = request.args.get("after") or None
    try:
        page = queries.entry_page(_filters(form, actor), cursor)
    except BadCursor:
        abort(400)
    labels = queries.entity_labels(row.entry for row in page.items)
    return _page(
        form,
        block="audit_rows" if cursor else None,
        page=page,
        actor=actor,
        entities={row.entry.id: queries.entity_of(row.entry, labels) for row in page.items},
        changes=trail.readable_changes,
        action_label=trail.action_label,
        entity_type_label=trail.entity_type_label,
    )


# The export is a data file, the same whoever downloads it: its column names, codes and change
# summaries are in English (the language of the codes), its names and titles as stored.
CSV_LOCALE = "en_GB"
# A cell starting with one of these is a formula to a spreadsheet: it is quoted as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = (
    "time",
    "actor email",
    "actor name",
    "action",
    "entity type",
    "entity id",
    "entity label",
    "changes",
    "before",
    "after",
)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _json(value: dict[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _csv_record(row: queries.AuditRow, entity: queries.Entity) -> list[str]:
    entry = row.entry
    return [
        _cell(value)
        for value in (
            row.when.isoformat(),
            row.actor_email,
            row.actor_name,
            entry.action,
            entry.entity_type,
            entry.entity_id,
            entity.text,
            trail.changes_summary(entry),
            _json(entry.before),
            _json(entry.after),
        )
    ]


def _csv_lines(batches: Iterable[list[queries.AuditRow]]) -> Iterator[str]:
    """The header at once, then the lines of each batch of entries as it is read. A byte-order
    mark first, so that spreadsheets (Excel) read the file as UTF-8 and Arabic names arrive
    intact rather than as mojibake."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield "\ufeff" + flush()
    with force_locale(CSV_LOCALE):
        for rows in batches:
            labels = queries.entity_labels(row.entry for row in rows)
            for row in rows:
                writer.writerow(_csv_record(row, queries.entity_of(row.entry, labels)))
            yield flush()


@bp.get("/audit.csv")
def audit_csv() -> Response:
    form = _form()
    if not form.validate():
        return _page(form, 400)
    actor, notice = _actor(form)
    batches = [] if notice else queries.entry_batches(_filters(form, actor), queries.EXPORT_BATCH)
    filename = f"durus-audit-{datetime.now(UTC):%Y%m%d}.csv"
    response = Response(
        stream_with_context(_csv_lines(batches)), content_type="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
