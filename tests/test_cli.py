"""`flask create-admin EMAIL` creates an administrator or promotes an existing account."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from durus.auth.passwords import verify_password
from durus.extensions import db
from durus.models import AuditEntry, Role, User, UserCredential
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("db_session")


def _run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["create-admin", *args])


def test_creates_a_new_administrator(app: Flask) -> None:
    result = _run(app, "Head@Durus.com", "--password", "a long enough secret")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "Head@Durus.com"))
    assert user.role is Role.ADMIN
    credential = db.session.get(UserCredential, user.id)
    assert credential.password_hash.startswith("$argon2id$")
    assert verify_password(credential.password_hash, "a long enough secret")
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == user.id))
    assert audit.action == "user.created"


def test_promotes_an_existing_account_matched_without_case(app: Flask) -> None:
    user = make_user(email="amina@example.com")
    result = _run(app, "AMINA@example.com")
    assert result.exit_code == 0, result.output
    assert "now an administrator (was listener)" in result.output
    db.session.refresh(user)
    assert user.role is Role.ADMIN
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == user.id))
    assert (audit.action, audit.before, audit.after) == (
        "user.role_changed",
        {"role": "listener"},
        {"role": "admin"},
    )


def test_refuses_a_short_password_and_creates_nothing(app: Flask) -> None:
    result = _run(app, "new@example.com", "--password", "short")
    assert result.exit_code == 2
    assert "at least 10 characters" in result.output
    assert db.session.scalar(select(User).where(User.email == "new@example.com")) is None


def test_refuses_something_that_is_not_an_email(app: Flask) -> None:
    result = _run(app, "not-an-email", "--password", "a long enough secret")
    assert result.exit_code == 2
    assert "not an email address" in result.output


def test_asks_for_the_password_of_a_new_account(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-admin", "asked@example.com"],
        input="a long enough secret\na long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "asked@example.com"))
    assert user.role is Role.ADMIN
