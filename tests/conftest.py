"""Test fixtures: a real PostgreSQL database migrated from empty, one rolled-back
transaction per test, the real media store in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import create_engine, event, make_url, text

from durus import create_app
from durus.config import DEFAULT_INSTANCE_PATH, sqlalchemy_url
from durus.embedded_db import ensure_database, server_uri, with_database
from durus.extensions import db, limiter
from durus.i18n import compile_catalogues

TEST_DATABASE = "durus_test"
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


compile_catalogues()  # the Arabic interface, when the tests run without `make`


def _test_database_url() -> str:
    """TEST_DATABASE_URL as given; else a database of its own (`<name>_test`) beside the one
    DATABASE_URL names; else `durus_test` on the embedded server. Never the development data."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        return sqlalchemy_url(url)
    if url := os.environ.get("DATABASE_URL"):
        main = make_url(sqlalchemy_url(url))
        name = f"{main.database}_test"
        libpq = main.set(drivername="postgresql", database="postgres")
        ensure_database(libpq.render_as_string(hide_password=False), name)
        return main.set(database=name).render_as_string(hide_password=False)
    admin = server_uri(DEFAULT_INSTANCE_PATH / "pgdata")
    ensure_database(admin, TEST_DATABASE)
    return sqlalchemy_url(with_database(admin, TEST_DATABASE))


def reset_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url() -> str:
    url = _test_database_url()
    reset_schema(url)
    return url


class IsolatedClient(FlaskClient):
    """Each request runs in an application context of its own, as in production. (The test
    holds one open for its factories; sharing it would let `g` — Flask-Login's current
    user, Flask-WTF's token — leak from one request into the next.)"""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_test_app(database_url: str, root: Path, **overrides: Any) -> Flask:
    """An application on the test database with its files under `root`."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MEDIA_ROOT": str(root / "media"),
            "ANALYTICS_DIR": str(root / "analytics"),
            "MAIL_OUTBOX": str(root / "outbox"),
            **overrides,
        }
    )
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_test_app(database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    dispose(app)


def dispose(app: Flask) -> None:
    """Close the pooled connections of an app made for one test."""
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """make_app(**config): another application on the test database, for tests of
    configuration; its connections are closed after the test."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        made.append(make_test_app(database_url, tmp_path / f"app{len(made)}", **overrides))
        return made[-1]

    yield factory
    for app in made:
        dispose(app)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app: Flask) -> None:
    """Rate-limit counters live in memory per app: each test starts with none."""
    with app.app_context():
        limiter.reset()


class _ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session always picks the engine; tests pin it to one connection."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        return self.bind


@contextmanager
def rolled_back(app: Flask) -> Iterator[Any]:
    """Run inside one transaction of `app`'s database that is rolled back at the end.
    Commits inside the code under test release savepoints of the outer transaction."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "class_": _ConnectionBoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Any]:
    """Everything a test (and the requests it makes) writes is rolled back afterwards."""
    with rolled_back(app) as session:
        yield session


@pytest.fixture
def client(app: Flask, db_session: Any) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def media_root(app: Flask) -> Path:
    return Path(app.config["MEDIA_ROOT"])


@pytest.fixture
def outbox(app: Flask) -> Path:
    """The development mail outbox, emptied: the messages a test sends land here."""
    folder = Path(app.config["MAIL_OUTBOX"])
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    return folder


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """`with count_queries() as statements:` collects the SQL sent to the database."""

    @contextmanager
    def counter() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.startswith(TRANSACTION_CONTROL):
                statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counter
