"""Who may do what: the one place that answers, called by every route that needs to know.

Templates only hide links; the server asks here before every read of private data and every
change.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from .extensions import db
from .models import EditorScope, Role, User


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def is_admin(user: Any) -> bool:
    return _signed_in(user) and user.role is Role.ADMIN


def is_editor(user: Any) -> bool:
    """Has editorial rights somewhere (an editor, or an administrator)."""
    return _signed_in(user) and user.role in (Role.EDITOR, Role.ADMIN)


def may_edit_scholar(user: Any, scholar_id: uuid.UUID) -> bool:
    """Administrators everywhere; editors for the scholars in their scope."""
    if is_admin(user):
        return True
    if not is_editor(user):
        return False
    scope = select(EditorScope).where(
        EditorScope.user_id == user.id, EditorScope.scholar_id == scholar_id
    )
    return db.session.scalar(select(scope.exists())) is True


def may_edit(user: Any, item: Any) -> bool:
    """For a series or a lecture: may `user` edit it (and see it as a draft)?"""
    return may_edit_scholar(user, item.scholar_id)


def scholar_ids_in_scope(user: User) -> list[uuid.UUID] | None:
    """The scholars an editor may manage; None means all (an administrator)."""
    if is_admin(user):
        return None
    if not is_editor(user):
        return []
    return list(
        db.session.scalars(select(EditorScope.scholar_id).where(EditorScope.user_id == user.id))
    )


def may_manage_accounts(user: Any) -> bool:
    return is_admin(user)
