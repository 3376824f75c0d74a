"""What administrators do to accounts: role, state, editor scopes. Plain functions in the
caller's transaction (the view commits); each change writes its audit row beside it.

The guard "never leave the site without an active administrator" locks the rows of the active
administrators first (SELECT … FOR UPDATE), so two administrators demoting each other at the
same moment cannot both succeed: the second waits, then sees one administrator left.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert

from .. import audit
from ..auth.services import end_all_sessions
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import AccountState, EditorScope, Role, Scholar, User

STATE_ACTIONS = {
    AccountState.SUSPENDED: "suspended",
    AccountState.DEACTIVATED: "deactivated",
    AccountState.ACTIVE: "reactivated",
}
RANK = {Role.LISTENER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


class Refused(ValueError):
    """The change is not allowed; the message says why, for the person who asked. The message
    is a lazy translation: `str(refusal)` reads it in the language of the request showing it
    (services never translate, so they run the same in a request, a thread or the CLI)."""


def takes_rights_away(user: User, role: Role) -> bool:
    return RANK[role] < RANK[user.role]


def _active_admin_ids() -> list[uuid.UUID]:
    return list(
        db.session.scalars(
            select(User.id)
            .where(User.role == Role.ADMIN, User.state == AccountState.ACTIVE)
            .order_by(User.id)
            .with_for_update()
        )
    )


def _last_administrator(doing: str, name: str) -> Refused:
    """Why the last active administrator cannot be changed, by what was asked (whole sentences:
    the word order of a translation may differ)."""
    sentences = {
        "demoted": _l(
            "%(name)s is the last active administrator and cannot be demoted. "
            "Make someone else an administrator first.",
            name=name,
        ),
        "suspended": _l(
            "%(name)s is the last active administrator and cannot be suspended. "
            "Make someone else an administrator first.",
            name=name,
        ),
        "deactivated": _l(
            "%(name)s is the last active administrator and cannot be deactivated. "
            "Make someone else an administrator first.",
            name=name,
        ),
        "deleted": _l(
            "%(name)s is the last active administrator and cannot be deleted. "
            "Make someone else an administrator first.",
            name=name,
        ),
    }
    return Refused(sentences[doing])


def _keep_an_administrator(user: User, doing: str) -> None:
    if user.role is not Role.ADMIN or user.state is not AccountState.ACTIVE:
        return
    others = [i for i in _active_admin_ids() if i != user.id]
    if not others:
        raise _last_administrator(doing, user.display_name)


def scope_names(user: User) -> list[str]:
    return list(
        db.session.scalars(
            select(Scholar.name)
            .join(EditorScope, EditorScope.scholar_id == Scholar.id)
            .where(EditorScope.user_id == user.id)
            .order_by(Scholar.name)
        )
    )


def change_role(user: User, role: Role, *, actor_id: uuid.UUID) -> bool:
    """Give `user` this role; False when it already was theirs. A listener keeps no scopes."""
    if user.role is role:
        return False
    if role is not Role.ADMIN:
        _keep_an_administrator(user, "demoted")
    before: dict[str, object] = {"role": user.role.value}
    after: dict[str, object] = {"role": role.value}
    if role is Role.LISTENER:
        removed = scope_names(user)
        if removed:
            before["scholars"] = removed
            after["scholars"] = []
            db.session.execute(delete(EditorScope).where(EditorScope.user_id == user.id))
    user.role = role
    audit.record(
        "user.role_changed", "user", user.id, actor_id=actor_id, before=before, after=after
    )
    return True


def change_state(user: User, state: AccountState, reason: str, *, actor_id: uuid.UUID) -> None:
    """Suspend, deactivate or reactivate `user`. Leaving the active state ends every session
    at once (the next request of any of them is anonymous), and a later reactivation does not
    bring those sessions back."""
    if user.state is state:
        raise Refused(
            {
                AccountState.ACTIVE: _l("The account is already active."),
                AccountState.SUSPENDED: _l("The account is already suspended."),
                AccountState.DEACTIVATED: _l("The account is already deactivated."),
            }[state]
        )
    if state is not AccountState.ACTIVE:
        _keep_an_administrator(user, STATE_ACTIONS[state])
        end_all_sessions(user)
    before = {"state": user.state.value}
    user.state = state
    audit.record(
        f"user.{STATE_ACTIONS[state]}",
        "user",
        user.id,
        actor_id=actor_id,
        before=before,
        after={"state": state.value, "reason": reason},
    )


def add_scope(user: User, scholar: Scholar, *, actor_id: uuid.UUID) -> bool:
    """Let editor `user` manage `scholar`; False when they already could."""
    if user.role is not Role.EDITOR:
        raise Refused(
            _l("Administrators manage every scholar already.")
            if user.role is Role.ADMIN
            else _l("Make this person an editor before assigning scholars.")
        )
    added = db.session.execute(
        insert(EditorScope)
        .values(user_id=user.id, scholar_id=scholar.id)
        .on_conflict_do_nothing()
        .returning(EditorScope.scholar_id)
    ).first()
    if added is None:
        return False
    audit.record(
        "user.scope_added",
        "user",
        user.id,
        actor_id=actor_id,
        after={"scholar": scholar.name, "scholar_id": str(scholar.id)},
    )
    return True


def remove_scope(user: User, scholar: Scholar, *, actor_id: uuid.UUID) -> bool:
    """Stop `user` managing `scholar`; False when they could not anyway."""
    removed = db.session.execute(
        delete(EditorScope)
        .where(EditorScope.user_id == user.id, EditorScope.scholar_id == scholar.id)
        .returning(EditorScope.scholar_id)
    ).first()
    if removed is None:
        return False
    audit.record(
        "user.scope_removed",
        "user",
        user.id,
        actor_id=actor_id,
        before={"scholar": scholar.name, "scholar_id": str(scholar.id)},
    )
    return True


def ensure_not_last_administrator(user: User) -> None:
    """For account deletion: the last active administrator cannot delete their account."""
    _keep_an_administrator(user, "deleted")
