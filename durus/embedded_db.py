"""The embedded PostgreSQL used when DATABASE_URL is unset.

pgserver keeps one server per data folder running after the process that started it exits,
so every later process (flask CLI, the dev server, pytest) reuses it and starts in
milliseconds. The server listens on a Unix socket only.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import psycopg
from psycopg import sql

EMBEDDED_DATABASE = "durus"


def server_uri(data_dir: Path) -> str:
    """Start (or find) the embedded server and return a libpq URI to its admin database."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; its fallback is fine for a lock file.
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(data_dir, cleanup_mode=None)
    return server.get_uri()


def ensure_database(admin_uri: str, name: str) -> None:
    """Create database `name` on the server behind `admin_uri` unless it exists."""
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def with_database(uri: str, name: str) -> str:
    """The same server URI pointing at database `name` (pgserver URIs end in /postgres?...)."""
    base, _, query = uri.partition("?")
    base = base.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


def embedded_database_url(instance_path: Path, name: str = EMBEDDED_DATABASE) -> str:
    admin = server_uri(instance_path / "pgdata")
    ensure_database(admin, name)
    return with_database(admin, name)
