"""The audit trail: who changed what, with the before and after, written in the same
transaction as the change it records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, created_at, not_blank, uuid_pk

NEWEST_FIRST = (text("created_at DESC"), text("id DESC"))


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(not_blank("action"), name="action_not_blank"),
        Index("ix_audit_log_created_at_id", text("created_at DESC"), text("id DESC")),
        # Each filter leads an index read newest first (0005).
        Index("ix_audit_log_actor_id_created_at", "actor_id", *NEWEST_FIRST),
        Index("ix_audit_log_action_created_at", "action", *NEWEST_FIRST),
        Index("ix_audit_log_entity_created_at", "entity_type", "entity_id", *NEWEST_FIRST),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    # Kept when the actor's account is deleted, without their personal data.
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str]
    entity_type: Mapped[str]
    entity_id: Mapped[uuid.UUID | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = created_at()
