"""The audit trail: writing one row per change, added to the same transaction as the change;
and reading an entry as people do (which fields changed, from what to what, in words)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update

from .extensions import db
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


# Field names whose words alone would read oddly; the rest are humanised by rule.
FIELD_LABELS = {
    "name_original": "Name in original script",
    "name_original_language": "Language of the original name",
    "is_active": "Active",
    "language_code": "Language",
    "moved": "Moved lecture",
    "from": "From position",
    "to": "To position",
}


def field_label(name: str) -> str:
    """`display_name` → "Display name", `series_id` → "Series ID"."""
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    words = ["ID" if word == "id" else word for word in name.split("_") if word]
    text = " ".join(words) or name
    return text[:1].upper() + text[1:]


def action_label(action: str) -> str:
    """`user.role_changed` → "User role changed"."""
    text = action.replace(".", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def as_text(value: Any) -> str | None:
    """A stored value as text for people: None stays None (shown as a dash)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value or "(empty)"
    if not value and isinstance(value, list | dict):
        return "(empty)"
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
        Change(name, field_label(name), as_text(before), as_text(after_))
        for name, before, after_ in changes(entry)
    ]


def changes_summary(entry: AuditEntry) -> str:
    """One line: "Title: Old → New; State: draft → published"."""
    return "; ".join(
        f"{c.label}: {c.before or '—'} → {c.after or '—'}" for c in readable_changes(entry)
    )
