"""Two administrators demote each other at the same moment: one must stay. (Real commits on
separate connections, so this test cleans up after itself instead of rolling back.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from durus.admin.account_services import Refused, change_role
from durus.extensions import db
from durus.models import AccountState, AuditEntry, Role, User


@pytest.fixture
def two_admins(app: Flask) -> Iterator[tuple[User, User]]:
    with app.app_context():
        first = User(email="race-a@example.com", display_name="A", role=Role.ADMIN)
        second = User(email="race-b@example.com", display_name="B", role=Role.ADMIN)
        db.session.add_all([first, second])
        db.session.commit()
        ids = (first.id, second.id)
        try:
            yield first, second
        finally:
            db.session.rollback()
            db.session.execute(delete(AuditEntry).where(AuditEntry.entity_id.in_(ids)))
            db.session.execute(delete(User).where(User.id.in_(ids)))
            db.session.commit()
            db.session.remove()


def test_concurrent_demotions_leave_one_administrator(
    app: Flask, two_admins: tuple[User, User]
) -> None:
    first, second = two_admins
    with app.app_context():
        active = select(func.count()).where(User.role == Role.ADMIN, User.state == "active")
        assert db.session.scalar(active) == 2, "other administrators would hide the race"
        db.session.remove()
    locked = threading.Event()
    outcomes: dict[str, str] = {}

    def demote(name: str, target_id: object, actor_id: object, hold: bool) -> None:
        with app.app_context():
            try:
                if not hold:
                    locked.wait(5)
                target = db.session.get(User, target_id)
                change_role(target, Role.EDITOR, actor_id=actor_id)
                db.session.flush()
                if hold:
                    locked.set()  # the other demotion starts while this one holds the locks
                    threading.Event().wait(0.5)
                db.session.commit()
                outcomes[name] = "demoted"
            except Refused:
                db.session.rollback()
                outcomes[name] = "refused"
            finally:
                locked.set()
                db.session.remove()

    threads = [
        threading.Thread(target=demote, args=("a", first.id, second.id, True)),
        threading.Thread(target=demote, args=("b", second.id, first.id, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert outcomes == {"a": "demoted", "b": "refused"}
    with app.app_context():
        remaining = db.session.scalars(
            select(User.email).where(User.role == Role.ADMIN, User.state == AccountState.ACTIVE)
        ).all()
        assert remaining == ["race-b@example.com"]
        db.session.remove()
