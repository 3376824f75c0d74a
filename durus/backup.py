"""`flask backup` and `flask restore FILE`: the database as a pg_dump custom-format archive.

pg_dump reads every table in one snapshot, so the archive is consistent while the site runs.
The client programs come from the embedded PostgreSQL (pgserver) when they are new enough for
the server, else from PATH; a client older than the server cannot dump or restore it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
import psycopg
from flask import current_app
from flask.cli import with_appcontext
from psycopg.conninfo import make_conninfo
from sqlalchemy import make_url

# Relations a restore would collide with: anything outside PostgreSQL's own schemas.
USER_RELATIONS = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%'
"""
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")
_TABLE_DATA = re.compile(r"^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) ")


class BackupError(click.ClickException):
    """Shown to the operator as one line, exit status 1."""


@dataclass(frozen=True)
class Target:
    """How the client programs reach the app's database, the password kept out of argv."""

    conninfo: str
    env: dict[str, str]
    name: str


def database_target(sqlalchemy_uri: str) -> Target:
    url = make_url(sqlalchemy_uri)
    params = {k: v for k, v in url.query.items() if isinstance(v, str)}
    params.update(url.translate_connect_args(username="user", database="dbname"))
    password = params.pop("password", None)
    env = {**os.environ, "PGPASSWORD": str(password)} if password else dict(os.environ)
    return Target(make_conninfo(**params), env, url.database or "")


def _connect(target: Target) -> psycopg.Connection:
    password = target.env.get("PGPASSWORD")
    try:
        return psycopg.connect(target.conninfo, password=password, connect_timeout=5)
    except psycopg.OperationalError as error:
        message = str(error).strip().splitlines()[0]
        raise BackupError(f"cannot connect to database {target.name!r}: {message}") from None


def _embedded_bin() -> Path | None:
    spec = importlib.util.find_spec("pgserver")  # located, not imported: no server is started
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _major_version(program: Path) -> int | None:
    try:
        output = subprocess.run(  # noqa: S603 (a PostgreSQL client program, fixed arguments)
            [str(program), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(output)
    return int(match.group(1)) if match else None


def find_program(name: str, server_major: int) -> Path:
    """The embedded server's `name`, else the one on PATH, whichever is at least as new as
    the server; an error naming what was found otherwise."""
    embedded = _embedded_bin()
    on_path = shutil.which(name)
    candidates = [p for p in (embedded and embedded / name, on_path and Path(on_path)) if p]
    found = []
    for program in candidates:
        if not program.is_file():
            continue
        major = _major_version(program)
        if major is not None and major >= server_major:
            return program
        found.append(f"{program} is version {major}")
    if not found:
        raise BackupError(
            f"{name} not found: install the PostgreSQL {server_major} client programs "
            "(or pgserver) so that it is on PATH"
        )
    raise BackupError(
        f"{name} must be at least as new as the server (PostgreSQL {server_major}); "
        + "; ".join(found)
    )


def _run(program: Path, args: list[str], target: Target) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (a PostgreSQL client program, arguments built here)
        [str(program), *args], capture_output=True, text=True, env=target.env, check=False
    )


def _first_error(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return lines[0] if lines else "no message"


def archive_tables(pg_restore: Path, archive: Path, target: Target) -> list[str]:
    """The tables whose rows the archive holds; an error if it is not a pg_dump archive."""
    listing = _run(pg_restore, ["--list", str(archive)], target)
    if listing.returncode != 0:
        raise BackupError(
            f"{archive} is not a pg_dump custom-format archive ({_first_error(listing.stderr)})"
        )
    return sorted(
        f"{m.group(1)}.{m.group(2)}"
        for line in listing.stdout.splitlines()
        if (m := _TABLE_DATA.match(line))
    )


def default_backup_path(instance_path: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return instance_path / "backups" / f"durus-{stamp}.dump"


def _size(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Archive to write (default: instance/backups/durus-YYYYMMDD-HHMMSS.dump, in UTC).",
)
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Dump the database into one consistent pg_dump archive (custom format)."""
    target = database_target(current_app.config["SQLALCHEMY_DATABASE_URI"])
    with _connect(target) as conn:
        server_major = conn.info.server_version // 10000
    pg_dump = find_program("pg_dump", server_major)
    pg_restore = find_program("pg_restore", server_major)
    output = output or default_backup_path(Path(current_app.instance_path))
    if output.exists():
        raise BackupError(f"{output} already exists: choose another --output")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")  # no half-written archive under its name
    dumped = _run(
        pg_dump,
        ["--format=custom", "--no-password", f"--file={partial}", f"--dbname={target.conninfo}"],
        target,
    )
    if dumped.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {_first_error(dumped.stderr)}")
    partial.rename(output)
    tables = archive_tables(pg_restore, output, target)
    click.echo(f"Wrote {output} ({_size(output)}, {len(tables)} tables, pg_dump {pg_dump}).")
    click.echo("Now copy the media and analytics folders (README: Backup and restore).")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path) -> None:
    """Restore ARCHIVE (from `flask backup`) into the configured database, which must be empty."""
    target = database_target(current_app.config["SQLALCHEMY_DATABASE_URI"])
    with _connect(target) as conn:
        server_major = conn.info.server_version // 10000
        existing = conn.execute(USER_RELATIONS).fetchone()
    pg_restore = find_program("pg_restore", server_major)
    tables = archive_tables(pg_restore, archive, target)
    if existing and existing[0]:
        raise BackupError(
            f"database {target.name!r} is not empty ({existing[0]} tables, views or sequences): "
            "restore only into a new, empty database (createdb, then point DATABASE_URL at it)"
        )
    # Owners and grants name roles of the old server; the restoring role owns everything.
    restored = _run(
        pg_restore,
        [
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            f"--dbname={target.conninfo}",
            str(archive),
        ],
        target,
    )
    if restored.returncode != 0:
        raise BackupError(f"pg_restore failed, nothing restored: {_first_error(restored.stderr)}")
    click.echo(f"Restored {len(tables)} tables from {archive} into database {target.name!r}.")
    click.echo("Run `flask db upgrade` if the archive comes from an older release.")
