"""`flask backup` and `flask restore`: a seeded database survives the round trip row for row,
and the restored copy serves the site; restore refuses what it must not touch."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flask_migrate
import psycopg
import pytest
from flask import Flask
from psycopg import sql
from sqlalchemy import make_url

from durus.backup import (
    BackupError,
    archive_tables,
    database_target,
    default_backup_path,
    find_program,
)
from durus.embedded_db import ensure_database
from tests.conftest import dispose, make_test_app
from tests.helpers import csrf_token

TABLES = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""


def _libpq(url: str, database: str) -> str:
    return (
        make_url(url)
        .set(drivername="postgresql", database=database)
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="module")
def fresh_database(database_url: str) -> Iterator[Any]:
    """fresh_database(suffix): the SQLAlchemy URL of a new, empty database beside the
    session's; each is dropped at the end of the module."""
    admin = _libpq(database_url, "postgres")
    made: list[str] = []

    def create(suffix: str) -> str:
        name = f"{make_url(database_url).database}_{suffix}"
        _drop(admin, name)
        ensure_database(admin, name)
        made.append(name)
        return make_url(database_url).set(database=name).render_as_string(hide_password=False)

    yield create
    for name in made:
        _drop(admin, name)


def _drop(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="module")
def source(fresh_database: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app on a database of its own, migrated and loaded with the demo data (committed)."""
    app = make_test_app(fresh_database("backup_source"), tmp_path_factory.mktemp("source"))
    with app.app_context():
        flask_migrate.upgrade()
        result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    yield app
    dispose(app)


@pytest.fixture(scope="module")
def archive(source: Flask, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backups") / "durus.dump"
    result = source.test_cli_runner().invoke(args=["backup", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {path} (" in result.output
    return path


def _fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Per table: row count and an order-independent checksum of every row's text."""
    with psycopg.connect(_libpq(url, make_url(url).database or "")) as conn:
        tables = [name for (name,) in conn.execute(TABLES)]
        result = {}
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' "
                "ORDER BY md5(t::text)), '')) FROM {} t"
            ).format(sql.Identifier(table))
            result[table] = conn.execute(query).fetchone()
    return result


def test_round_trip_restores_every_row_and_the_site_works(
    source: Flask, archive: Path, fresh_database: Any, tmp_path: Path
) -> None:
    target_url = fresh_database("backup_target")
    # Media are copied beside the dump: the restored site reads the same folder.
    target = make_test_app(target_url, tmp_path, MEDIA_ROOT=source.config["MEDIA_ROOT"])
    try:
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert "Restored" in result.output

        before = _fingerprints(source.config["SQLALCHEMY_DATABASE_URI"])
        after = _fingerprints(target_url)
        assert {"alembic_version", "lectures", "users", "media_assets"} <= set(before)
        assert before["lectures"][0] >= 30
        assert after == before

        _smoke(target)
    finally:
        dispose(target)


def _smoke(app: Flask) -> None:
    client = app.test_client()
    home = client.get("/")
    assert home.status_code == 200
    assert 'href="/lectures/' in home.text
    slug = home.text.split('href="/lectures/', 1)[1].split('"', 1)[0]
    lecture = client.get(f"/lectures/{slug}")
    assert lecture.status_code == 200
    audio_url = lecture.text.split('data-audio="', 1)[1].split('"', 1)[0]
    with client.get(audio_url, headers={"Range": "bytes=0-99"}) as audio:
        assert audio.status_code == 206
        assert len(audio.data) == 100
    signed_in = client.post(
        "/auth/sign-in",
        data={
            "email": "listener@durus.example",
            "password": "durus-listener-demo",
            "csrf_token": csrf_token(client),
        },
    )
    assert signed_in.status_code == 303, signed_in.text
    assert client.get("/library").status_code == 200


def test_backup_lists_the_tables_it_wrote(archive: Path, source: Flask) -> None:
    pg_restore = find_program("pg_restore", 0)
    target = database_target(source.config["SQLALCHEMY_DATABASE_URI"])
    tables = archive_tables(pg_restore, archive, target)
    assert "public.alembic_version" in tables
    assert "public.lectures" in tables


def test_restore_refuses_a_database_that_has_tables(source: Flask, archive: Path) -> None:
    result = source.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1
    assert "is not empty" in result.output
    assert "Traceback" not in result.output


def test_a_failed_restore_leaves_nothing_behind(
    archive: Path, fresh_database: Any, tmp_path: Path
) -> None:
    url = fresh_database("backup_clash")
    with psycopg.connect(_libpq(url, make_url(url).database or ""), autocommit=True) as conn:
        conn.execute("CREATE TYPE user_role AS ENUM ('someone else')")  # no table: "empty"
    target = make_test_app(url, tmp_path)
    try:
        result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    finally:
        dispose(target)
    assert result.exit_code == 1
    assert "pg_restore failed, nothing restored" in result.output
    assert "user_role" in result.output
    assert _fingerprints(url) == {}


def test_restore_refuses_a_file_that_is_not_an_archive(app: Flask, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"not a dump at all\n" * 10)
    result = app.test_cli_runner().invoke(args=["restore", str(garbage)])
    assert result.exit_code == 1
    assert "is not a pg_dump custom-format archive" in result.output


def test_restore_refuses_a_missing_file(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "missing.dump")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_backup_will_not_overwrite_an_archive(source: Flask, archive: Path) -> None:
    result = source.test_cli_runner().invoke(args=["backup", "--output", str(archive)])
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_a_client_older_than_the_server_is_refused() -> None:
    with pytest.raises(BackupError, match="at least as new as the server"):
        find_program("pg_dump", 999)


def test_default_archive_name_is_dated(tmp_path: Path) -> None:
    path = default_backup_path(tmp_path, datetime(2026, 11, 22, 3, 4, 5, tzinfo=UTC))
    assert path == tmp_path / "backups" / "durus-20261122-030405.dump"
