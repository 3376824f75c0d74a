"""Helpers of the workspace tests: an editor signed in with a scholar in their scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from durus.extensions import db
from durus.models import AuditEntry, EditorScope, Role, Scholar, User
from tests.factories import make_scholar
from tests.helpers import make_account, post, sign_in

VERSION = re.compile(r'name="version" type="hidden" value="([^"]+)"|name="version" value="([^"]+)"')


@dataclass
class Editor:
    user: User
    scholar: Scholar
    client: FlaskClient


def signed_in_editor(client: FlaskClient, role: Role = Role.EDITOR, **fields: Any) -> Editor:
    user = make_account(role=role, **fields)
    scholar = make_scholar()
    db.session.add(EditorScope(user_id=user.id, scholar_id=scholar.id))
    db.session.flush()
    sign_in(client, user)
    return Editor(user, scholar, client)


def version_on(html: str) -> str:
    match = VERSION.search(html)
    assert match, "no version field on the page"
    return match.group(1) or match.group(2)


def audit_actions(entity_type: str, entity_id: Any) -> list[str]:
    """The actions recorded for an item, sorted (a test runs in one transaction, where every
    row has the same created_at)."""
    return sorted(
        db.session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id
            )
        )
    )


def send(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST a form as a signed-in person (the token from the home page)."""
    return post(client, path, data, token_from="/", **kwargs)
