"""The migrations are the schema: they go down and up again, and match the models."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect, text

from durus.extensions import db
from durus.models import Base

ENUM_TYPES = {"user_role", "account_state", "publication_state", "media_kind", "text_direction"}


def _enum_types() -> set[str]:
    rows = db.session.execute(text("SELECT typname FROM pg_type WHERE typtype = 'e'"))
    return {name for (name,) in rows}


def test_downgrade_to_base_and_upgrade_again(app: Flask) -> None:
    with app.app_context():
        flask_migrate.downgrade(revision="base")
        db.session.remove()
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        assert _enum_types() & ENUM_TYPES == set()
        db.session.remove()

        flask_migrate.upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        assert _enum_types() >= ENUM_TYPES
        # Reference data comes back with the schema.
        assert db.session.scalar(text("SELECT direction FROM languages WHERE code = 'ar'")) == "rtl"
        db.session.remove()


def test_models_and_migrations_agree(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
