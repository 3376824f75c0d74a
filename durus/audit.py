"""The audit trail: writing one row per change, added to the same transaction as the change;
and reading an entry as people do (which fields changed, from what to what, in words)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from .extensions import db
from .i18n import lazy_gettext as _l
from .models import AuditEntry


def record(
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | None,
    *,
    actor_id: uuid.UUID | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def forget_personal_data(entity_type: str, entity_id: uuid.UUID) -> None:
    """Keep that changes happened to an entity, drop what they contained (account deletion)."""
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .values(before=None, after=None)
    )


def changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for each field whose value differs."""
    before, after_ = entry.before or {}, entry.after or {}
    keys = list(dict.fromkeys([*before, *after_]))
    return [(k, before.get(k), after_.get(k)) for k in keys if before.get(k) != after_.get(k)]


# Field names people read in a diff. A name missing here is humanised by rule (in English).
FIELD_LABELS = {
    "audio_asset_id": _l("Audio asset ID"),
    "biography": _l("Biography"),
    "body": _l("Body"),
    "description": _l("Description"),
    "display_name": _l("Display name"),
    "email": _l("Email"),
    "from": _l("From position"),
    "is_active": _l("Active"),
    "issuer": _l("Issuer"),
    "language": _l("Language"),
    "language_code": _l("Language"),
    "moved": _l("Moved lecture"),
    "name": _l("Name"),
    "name_original": _l("Name in original script"),
    "name_original_language": _l("Language of the original name"),
    "note_id": _l("Note ID"),
    "order": _l("Order"),
    "photo_asset_id": _l("Photo asset ID"),
    "position": _l("Position"),
    "published_at": _l("Published at"),
    "reason": _l("Reason"),
    "recorded_on": _l("Recorded on"),
    "role": _l("Role"),
    "scholar": _l("Scholar"),
    "scholar_id": _l("Scholar ID"),
    "scholars": _l("Scholars"),
    "series_id": _l("Series ID"),
    "slug": _l("Slug"),
    "state": _l("State"),
    "title": _l("Title"),
    "to": _l("To position"),
    "topics": _l("Topics"),
}
# The actions the application records, in words; an unknown code is humanised by rule.
ACTION_LABELS = {
    "lecture.archived": _l("Lecture archived"),
    "lecture.audio_replaced": _l("Lecture audio replaced"),
    "lecture.created": _l("Lecture created"),
    "lecture.deleted": _l("Lecture deleted"),
    "lecture.published": _l("Lecture published"),
    "lecture.scheduled": _l("Lecture scheduled"),
    "lecture.unpublished": _l("Lecture unpublished"),
    "lecture.updated": _l("Lecture updated"),
    "note.added": _l("Note added"),
    "note.deleted": _l("Note deleted"),
    "scholar.activated": _l("Scholar activated"),
    "scholar.created": _l("Scholar created"),
    "scholar.deactivated": _l("Scholar deactivated"),
    "scholar.photo_changed": _l("Scholar photo changed"),
    "scholar.updated": _l("Scholar updated"),
    "series.archived": _l("Series archived"),
    "series.created": _l("Series created"),
    "series.published": _l("Series published"),
    "series.reordered": _l("Series reordered"),
    "series.scheduled": _l("Series scheduled"),
    "series.unpublished": _l("Series unpublished"),
    "series.updated": _l("Series updated"),
    "user.created": _l("User created"),
    "user.deactivated": _l("User deactivated"),
    "user.deleted": _l("User deleted"),
    "user.identity_linked": _l("User identity linked"),
    "user.password_changed": _l("User password changed"),
    "user.password_reset_sent": _l("User password reset sent"),
    "user.profile_changed": _l("User profile changed"),
    "user.reactivated": _l("User reactivated"),
    "user.role_changed": _l("User role changed"),
    "user.scope_added": _l("User scope added"),
    "user.scope_removed": _l("User scope removed"),
    "user.signed_up": _l("User signed up"),
    "user.suspended": _l("User suspended"),
}
ENTITY_TYPE_LABELS = {
    "lecture": _l("Lecture"),
    "scholar": _l("Scholar"),
    "series": _l("Series"),
    "user": _l("User"),
}
# Stored values that are codes (a role, a state), in words; other values are shown as stored.
VALUE_LABELS = {
    "role": {"listener": _l("listener"), "editor": _l("editor"), "admin": _l("admin")},
    "state": {
        "draft": _l("draft"),
        "published": _l("published"),
        "archived": _l("archived"),
        "active": _l("active"),
        "suspended": _l("suspended"),
        "deactivated": _l("deactivated"),
    },
}


def _humanised(code: str) -> str:
    words = ["ID" if word == "id" else word for word in code.split("_") if word]
    text = " ".join(words) or code
    return text[:1].upper() + text[1:]


def field_label(name: str) -> str:
    """`display_name` → "Display name", `series_id` → "Series ID"."""
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    return _humanised(name)


def action_label(action: str) -> str:
    """`user.role_changed` → "User role changed"."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    return _humanised(action.replace(".", "_"))


def entity_type_label(entity_type: str) -> str:
    """`user` → "User"."""
    if entity_type in ENTITY_TYPE_LABELS:
        return str(ENTITY_TYPE_LABELS[entity_type])
    return _humanised(entity_type)


def as_text(value: Any, field: str | None = None) -> str | None:
    """A stored value as text for people: None stays None (shown as a dash). The values of a
    field that stores codes (`role`, `state`) are put in words."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        if field in VALUE_LABELS and value in VALUE_LABELS[field]:
            return str(VALUE_LABELS[field][value])
        return value or _("(empty)")
    if not value and isinstance(value, list | dict):
        return _("(empty)")
    if isinstance(value, list):
        return ", ".join(as_text(item) or "—" for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str | None
    after: str | None


def readable_changes(entry: AuditEntry) -> list[Change]:
    return [
        Change(name, field_label(name), as_text(before, name), as_text(after_, name))
        for name, before, after_ in changes(entry)
    ]


def changes_summary(entry: AuditEntry) -> str:
    """One line: "Title: Old → New; State: draft → published"."""
    return "; ".join(
        f"{c.label}: {c.before or '—'} → {c.after or '—'}" for c in readable_changes(entry)
    )
