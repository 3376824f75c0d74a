"""Reading accounts for the administration pages: the filtered, sorted, keyset-paginated
list, and everything the account page shows, in a fixed number of queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from .. import search_text
from ..extensions import db
from ..models import AccountState, AuditEntry, EditorScope, Role, Scholar, User
from ..models.users import SEARCH_TEXT, SEARCH_TRIGRAMS, UserCredential, UserIdentity
from ..pagination import BadCursor, Page, after, decode_cursor, encode_cursor

PAGE_SIZE = 25
STATE_ACTIONS = ("user.suspended", "user.deactivated", "user.reactivated")
RECENT_CHANGES = 8


@dataclass(frozen=True)
class Filters:
    q: str = ""
    role: Role | None = None
    state: AccountState | None = None
    sort: str = "newest"


@dataclass(frozen=True)
class Sort:
    keys: tuple[Any, ...]  # the ORDER BY columns; all ascending or all descending
    descending: bool
    parse: Any  # the cursor's first value back to its type


def _text(value: str) -> str:
    return value


SORTS = {
    "newest": Sort((User.created_at, User.id), True, datetime.fromisoformat),
    "name": Sort((func.lower(User.display_name), User.id), False, _text),
    "email": Sort((func.lower(User.email), User.id), False, _text),
}
LAST_SIGN_IN = "last_sign_in"


def _matching(stmt: Select[Any], query: str) -> Select[Any]:
    """Every word of the query appears inside the name or the email (folded, so 'yusuf'
    finds 'Yūsuf'). The words' inner trigrams let the GIN index find the candidates."""
    words = search_text.words(search_text.clean_query(query))
    grams = sorted({w[i : i + 3] for w in words for i in range(len(w) - 2)})
    if grams:
        stmt = stmt.where(SEARCH_TRIGRAMS.op("@>")(literal(grams, ARRAY(Text))))
    folded = func.durus_fold(SEARCH_TEXT)
    for word in words:
        stmt = stmt.where(folded.contains(word, autoescape=True))
    return stmt


def _sort_key(user: User, sort: str) -> list[Any]:
    if sort == "name":
        return [user.display_name.lower(), user.id]
    if sort == "email":
        return [user.email.lower(), user.id]
    if sort == LAST_SIGN_IN:
        return [user.last_sign_in_at.isoformat() if user.last_sign_in_at else "", user.id]
    return [user.created_at.isoformat(), user.id]


def _after_last_sign_in(stmt: Select[Any], moment: str, user_id: uuid.UUID) -> Select[Any]:
    """Keyset over (last_sign_in_at DESC NULLS LAST, id DESC): never-signed-in accounts last."""
    column = User.last_sign_in_at
    if not moment:
        return stmt.where(column.is_(None), User.id < user_id)
    try:
        at = datetime.fromisoformat(moment)
    except ValueError as exc:
        raise BadCursor(moment) from exc
    later: ColumnElement[bool] = or_(
        column < at, and_(column == at, User.id < user_id), column.is_(None)
    )
    return stmt.where(later)


def list_users(filters: Filters, cursor: str | None) -> Page[User]:
    stmt = select(User)
    if filters.q:
        stmt = _matching(stmt, filters.q)
    if filters.role is not None:
        stmt = stmt.where(User.role == filters.role)
    if filters.state is not None:
        stmt = stmt.where(User.state == filters.state)
    if filters.sort == LAST_SIGN_IN:
        stmt = stmt.order_by(User.last_sign_in_at.desc().nulls_last(), User.id.desc())
    else:
        sort = SORTS[filters.sort]
        stmt = stmt.order_by(*(k.desc() if sort.descending else k for k in sort.keys))
    if cursor:
        first, last_id = decode_cursor(cursor, 2)
        try:
            user_id = uuid.UUID(last_id)
            if filters.sort == LAST_SIGN_IN:
                stmt = _after_last_sign_in(stmt, first, user_id)
            else:
                sort = SORTS[filters.sort]
                stmt = after(stmt, sort.keys, (sort.parse(first), user_id), sort.descending)
        except ValueError as exc:
            raise BadCursor(cursor) from exc
    users = list(db.session.scalars(stmt.limit(PAGE_SIZE + 1)))
    more = len(users) > PAGE_SIZE
    users = users[:PAGE_SIZE]
    next_cursor = encode_cursor(_sort_key(users[-1], filters.sort)) if more else None
    return Page(items=users, next_cursor=next_cursor)


@dataclass(frozen=True)
class AccountDetail:
    user: User
    has_password: bool
    providers: list[str]  # display names of the OpenID Connect providers linked
    scholars: list[Scholar]  # in scope
    other_scholars: list[Scholar]  # the ones that can still be assigned
    last_state_change: tuple[AuditEntry, str | None] | None  # the entry and its actor's name
    recent: list[tuple[AuditEntry, str | None]]
    active_admins: int


def _provider_name(issuer: str) -> str:
    for provider in current_app.config["OIDC_PROVIDERS"]:
        if provider["issuer"] == issuer:
            return provider.get("display_name") or provider["name"]
    return issuer


def _entries(stmt: Select[Any]) -> list[tuple[AuditEntry, str | None]]:
    return [
        (entry, name)
        for entry, name in db.session.execute(
            stmt.add_columns(User.display_name)
            .outerjoin(User, User.id == AuditEntry.actor_id)
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        )
    ]


def scopes(user: User) -> tuple[list[Scholar], list[Scholar]]:
    """The scholars in the user's scope and the others, by name (one query)."""
    rows = db.session.execute(
        select(Scholar, EditorScope.user_id.is_not(None))
        .outerjoin(
            EditorScope,
            and_(EditorScope.scholar_id == Scholar.id, EditorScope.user_id == user.id),
        )
        .order_by(Scholar.name, Scholar.id)
    ).all()
    return [s for s, inside in rows if inside], [s for s, inside in rows if not inside]


def account_detail(user: User) -> AccountDetail:
    has_password = db.session.get(UserCredential, user.id) is not None
    issuers = db.session.scalars(
        select(UserIdentity.issuer)
        .where(UserIdentity.user_id == user.id)
        .order_by(UserIdentity.created_at)
    )
    inside, outside = scopes(user)
    about = select(AuditEntry).where(
        AuditEntry.entity_type == "user", AuditEntry.entity_id == user.id
    )
    last_state = _entries(about.where(AuditEntry.action.in_(STATE_ACTIONS)).limit(1))
    active_admins = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.state == AccountState.ACTIVE)
    )
    return AccountDetail(
        user=user,
        has_password=has_password,
        providers=[_provider_name(issuer) for issuer in issuers],
        scholars=inside,
        other_scholars=outside,
        last_state_change=last_state[0] if last_state else None,
        recent=_entries(about.limit(RECENT_CHANGES)),
        active_admins=active_admins or 0,
    )


@dataclass(frozen=True)
class AccountCounts:
    total: int
    by_role: dict[Role, int]
    by_state: dict[AccountState, int]


def account_counts() -> AccountCounts:
    """How many accounts there are, by role and by state (one query)."""
    by_role = dict.fromkeys(Role, 0)
    by_state = dict.fromkeys(AccountState, 0)
    rows = db.session.execute(
        select(User.role, User.state, func.count()).group_by(User.role, User.state)
    )
    for role, state, count in rows:
        by_role[role] += count
        by_state[state] += count
    return AccountCounts(sum(by_role.values()), by_role, by_state)
