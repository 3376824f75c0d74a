"""Writing the audit trail: one row per change, added to the same transaction as the change."""

from __future__ import annotations

import uuid
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
