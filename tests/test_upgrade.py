"""Upgrading a live database: the previous release's schema with data in every table goes
through this release's migrations intact, and a migration that cannot get its lock gives up
after lock_timeout with one readable line instead of stalling the site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import create_engine, make_url, text

from durus.admin.account_queries import Filters, list_users
from durus.admin.audit_queries import AuditFilters, entry_page
from durus.auth.passwords import hash_password
from durus.config import ConfigurationError
from durus.extensions import db
from tests.conftest import dispose, make_test_app
from tests.helpers import sign_in

PREVIOUS_RELEASE = "0005_admin"  # the head of the release running in production
PASSWORD = "the old release's password"
SHA = "ab" * 32

# Plain SQL valid for the previous release's schema: what production holds, in every table.
PREVIOUS_RELEASE_DATA = """
INSERT INTO users (id, email, display_name, role, state, interface_language, time_zone,
                   playback_rate, autoplay_next, session_version, last_sign_in_at, created_at)
VALUES
  ('00000000-0000-0000-0000-00000000000a', 'admin@example.com', 'Head Admin', 'admin', 'active',
   'en', 'UTC', 1.00, true, 3, '2026-11-01 09:00+00', '2026-01-01 00:00+00'),
  ('00000000-0000-0000-0000-00000000000b', 'amina@example.com', 'Amina Yūsuf', 'listener',
   'active', 'ar', 'Asia/Riyadh', 1.25, false, 1, NULL, '2026-02-01 00:00+00'),
  ('00000000-0000-0000-0000-00000000000c', 'editor@example.com', 'Idris Editor', 'editor',
   'suspended', 'en', 'Europe/London', 1.00, true, 2, '2026-10-01 09:00+00',
   '2026-03-01 00:00+00');
INSERT INTO user_credentials (user_id, password_hash) VALUES
  ('00000000-0000-0000-0000-00000000000a', :admin_hash),
  ('00000000-0000-0000-0000-00000000000b', :listener_hash);
INSERT INTO user_identities (user_id, issuer, subject) VALUES
  ('00000000-0000-0000-0000-00000000000c', 'https://accounts.example.com', 'subject-1');
INSERT INTO topics (id, slug, name, name_ar) VALUES
  ('00000000-0000-0000-0000-0000000000f1', 'fiqh', 'Fiqh', 'فقه');
INSERT INTO media_assets (id, kind, storage_key, content_type, byte_size, duration_seconds,
                          bitrate, sha256, original_filename, created_by_id)
VALUES
  ('00000000-0000-0000-0000-0000000000a1', 'audio', 'audio/ab/one.mp3', 'audio/mpeg', 480000,
   3600.5, 128000, :sha, 'one.mp3', '00000000-0000-0000-0000-00000000000c'),
  ('00000000-0000-0000-0000-0000000000a2', 'image', 'images/ab/photo.jpg', 'image/jpeg', 20000,
   NULL, NULL, :sha, 'photo.jpg', NULL);
INSERT INTO scholars (id, slug, name, name_original, name_original_language, biography,
                      photo_asset_id)
VALUES ('00000000-0000-0000-0000-0000000000c1', 'ibn-example', 'Ibn Example', 'ابن المثال',
        'ar', 'A teacher of fiqh.', '00000000-0000-0000-0000-0000000000a2');
INSERT INTO editor_scopes (user_id, scholar_id) VALUES
  ('00000000-0000-0000-0000-00000000000c', '00000000-0000-0000-0000-0000000000c1');
INSERT INTO series (id, scholar_id, slug, title, description, language_code, state,
                    published_at)
VALUES ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000c1',
        'kitab-al-taharah', 'كتاب الطهارة', 'Purification, chapter by chapter.', 'ar',
        'published', '2026-05-01 00:00+00');
INSERT INTO lectures (id, scholar_id, series_id, position, slug, title, description,
                      language_code, state, published_at, recorded_on, audio_asset_id)
VALUES
  ('00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000c1',
   '00000000-0000-0000-0000-0000000000d1', 1, 'water-and-its-kinds', 'Water and its kinds',
   'The first lesson.', 'en', 'published', '2026-05-01 00:00+00', '2026-04-30',
   '00000000-0000-0000-0000-0000000000a1'),
  ('00000000-0000-0000-0000-0000000000e2', '00000000-0000-0000-0000-0000000000c1', NULL, NULL,
   'a-draft', 'A draft', '', 'ar', 'draft', NULL, NULL, NULL);
INSERT INTO lecture_topics (lecture_id, topic_id) VALUES
  ('00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000f1');
INSERT INTO slug_redirects (old_slug, lecture_id) VALUES
  ('water', '00000000-0000-0000-0000-0000000000e1');
INSERT INTO editorial_notes (lecture_id, author_id, body) VALUES
  ('00000000-0000-0000-0000-0000000000e2', '00000000-0000-0000-0000-00000000000c',
   'Audio still to come.');
INSERT INTO user_progress (user_id, lecture_id, position_seconds, completed_at, observed_at,
                           dismissed_at)
VALUES ('00000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-0000000000e1', 754.5,
        NULL, '2026-11-20 20:00+00', NULL);
INSERT INTO favourites (user_id, lecture_id) VALUES
  ('00000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-0000000000e1');
INSERT INTO library_series (user_id, series_id) VALUES
  ('00000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-0000000000d1');
INSERT INTO audit_log (actor_id, action, entity_type, entity_id, before, after, created_at)
VALUES
  (NULL, 'user.created', 'user', '00000000-0000-0000-0000-00000000000a', NULL,
   '{"role": "admin"}', '2026-01-01 00:00+00'),
  ('00000000-0000-0000-0000-00000000000a', 'user.suspended', 'user',
   '00000000-0000-0000-0000-00000000000c', '{"state": "active"}', '{"state": "suspended"}',
   '2026-11-02 10:00+00'),
  ('00000000-0000-0000-0000-00000000000c', 'lecture.published', 'lecture',
   '00000000-0000-0000-0000-0000000000e1', NULL, '{"state": "published"}',
   '2026-05-01 00:00+00');
"""


@pytest.fixture
def scratch_database(database_url: str) -> Iterator[str]:
    """A database of its own beside the test database, dropped afterwards."""
    url = make_url(database_url)
    name = f"{url.database}_upgrade"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def old_app(scratch_database: str, tmp_path: Path) -> Iterator[Flask]:
    """This release's code on a database at the previous release's head."""
    app = make_test_app(scratch_database, tmp_path)
    with app.app_context():
        flask_migrate.upgrade(revision=PREVIOUS_RELEASE)
    yield app
    dispose(app)


def _columns() -> dict[str, list[str]]:
    rows = db.session.execute(
        text(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        )
    )
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        if table != "alembic_version":
            tables.setdefault(table, []).append(column)
    return tables


def _contents(tables: dict[str, list[str]]) -> dict[str, tuple[int, str]]:
    """Each table's row count and a checksum of those columns' values, in a fixed order."""
    found = {}
    for table, columns in tables.items():
        listed = ", ".join(f'"{c}"' for c in columns)
        rows = f'SELECT {listed} FROM "{table}"'
        checksum = "md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))"
        found[table] = tuple(
            db.session.execute(text(f"SELECT count(*), {checksum} FROM ({rows}) AS r")).one()
        )
    return found


def _load_previous_release_data() -> None:
    hashes = {"admin_hash": hash_password(PASSWORD), "listener_hash": hash_password(PASSWORD)}
    for statement in PREVIOUS_RELEASE_DATA.split(";\n"):
        if statement.strip():
            db.session.execute(text(statement), {**hashes, "sha": SHA})
    db.session.commit()


def test_previous_release_with_data_upgrades_intact(old_app: Flask) -> None:
    with old_app.app_context():
        _load_previous_release_data()
        before_columns = _columns()
        before = _contents(before_columns)
        empty = [table for table, (count, _) in before.items() if count == 0]
        assert empty == [], "give every table of the previous release a row"
        db.session.remove()

        flask_migrate.upgrade()

        config = old_app.extensions["migrate"].migrate.get_config()
        head = ScriptDirectory.from_config(config).get_current_head()
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == head
        assert _contents(before_columns) == before
        invalid = db.session.scalar(text("SELECT count(*) FROM pg_index WHERE NOT indisvalid"))
        assert invalid == 0
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []

        # The new release's queries on the old data, through the indexes 0005 added.
        everyone = list_users(Filters(sort="last_sign_in"), None).items
        assert [u.display_name for u in everyone] == ["Head Admin", "Idris Editor", "Amina Yūsuf"]
        found = list_users(Filters(q="yusuf"), None).items
        assert [u.email for u in found] == ["amina@example.com"]
        entries = entry_page(AuditFilters(action="user.suspended"), None).items
        assert [str(e.entry.entity_id) for e in entries] == ["00000000-0000-0000-0000-00000000000c"]
        db.session.remove()

    # People sign in with the passwords they had and find what they had.
    admin = old_app.test_client()
    sign_in(admin, SimpleNamespace(email="admin@example.com"), PASSWORD)
    assert "Amina Yūsuf" in admin.get("/admin/users?q=amina").text
    assert "user.suspended" in admin.get("/admin/audit?action=user.suspended").text
    listener = old_app.test_client()
    sign_in(listener, SimpleNamespace(email="amina@example.com"), PASSWORD)
    assert "Water and its kinds" in listener.get("/library").text
    # 0006 filled the stored search values of the rows that were there.
    assert "Water and its kinds" in listener.get("/search?q=kinds+of+water").text
    moved = listener.get("/lectures/water")
    assert moved.headers["Location"].endswith("/lectures/water-and-its-kinds")


@pytest.fixture
def quick_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIGRATION_LOCK_TIMEOUT", "100ms")
    # A backstop: were lock_timeout not in effect, the test would fail here, not hang.
    monkeypatch.setenv("MIGRATION_STATEMENT_TIMEOUT", "30s")


def _indexes(table: str) -> dict[str, bool]:
    """The indexes of `table`, and whether each is valid (usable)."""
    rows = db.session.execute(
        text(
            "SELECT indexrelid::regclass::text, indisvalid FROM pg_index"
            " WHERE indrelid = CAST(:table AS regclass)"
        ),
        {"table": table},
    )
    return dict(rows.all())


@pytest.mark.usefixtures("quick_timeouts")
def test_a_migration_that_cannot_get_its_lock_gives_up_and_can_run_again(old_app: Flask) -> None:
    with old_app.app_context():
        _load_previous_release_data()
        # A writer's transaction left open on series: 0006 does the lectures first, then
        # cannot add the columns to series (that needs the table to itself) and gives up.
        writer = db.engine.connect()
        writer.execute(text("LOCK TABLE series IN ROW EXCLUSIVE MODE"))
        try:
            with pytest.raises(ConfigurationError, match="lock_timeout") as stopped:
                flask_migrate.upgrade()
        finally:
            writer.rollback()
            writer.close()
        assert "\n" not in str(stopped.value)
        assert "ALTER TABLE series" in str(stopped.value)
        version = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        assert version == PREVIOUS_RELEASE
        assert "ix_lectures_search_document_stored" in _indexes("lectures")
        assert "ix_series_search_document_stored" not in _indexes("series")
        db.session.remove()

        flask_migrate.upgrade()  # once the lock is free, running it again finishes the job

        for table in ("lectures", "series", "scholars"):
            done = _indexes(table)
            assert done[f"ix_{table}_search_document_stored"] is True
            assert f"ix_{table}_search_document" not in done  # 0003's expression index
            assert all(done.values())
            unfilled = f"SELECT count(*) FROM {table} WHERE search_document IS NULL"
            assert db.session.scalar(text(unfilled)) == 0
        db.session.remove()


def test_offline_sql_starts_with_the_timeouts(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["db", "upgrade", "--sql", "0004_library:head"])
    assert result.exit_code == 0, result.output
    assert result.output.index("SET lock_timeout = '5s';") < result.output.index("BEGIN;")
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_users_created_at_id" in result.output


def test_a_timeout_that_is_not_a_duration_is_refused_in_one_line(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIGRATION_LOCK_TIMEOUT", "soon")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert result.output == (
        "durus: MIGRATION_LOCK_TIMEOUT must be a duration such as 5s or 500ms, not 'soon'\n"
    )
