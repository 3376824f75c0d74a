"""Concurrent edits: a form carries the item's `updated_at` as it was when the form was
opened; a save whose value no longer matches was overtaken by someone else's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import AuditEntry, User


def token(item: Any) -> str:
    return item.updated_at.isoformat()


def is_stale(item: Any, submitted: str | None) -> bool:
    if not submitted:
        return True
    try:
        return datetime.fromisoformat(submitted) != item.updated_at
    except ValueError:
        return True


def last_change(entity_type: str, entity_id: Any) -> tuple[str, datetime] | None:
    """(who, when) of the latest audited change, for "changed by X at T"."""
    row = db.session.execute(
        select(User.display_name, AuditEntry.created_at)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.created_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return (row[0] or _("someone"), row[1])
