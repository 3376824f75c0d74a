"""Lint every migration's SQL for locking hazards with squawk: `python migrations/lint.py`.

Alembic's offline mode writes each revision's upgrade as SQL, one file per revision in a
temporary folder, without a database (env.py puts its lock_timeout at the top of each).

Revisions that have shipped ran in production as they are and must not change: each is
linted without the rules it is known to break (listed below, with why), so that anything
else still shows. Every later revision must pass every rule.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_VERSION = "16"  # the oldest PostgreSQL Durus runs on (the embedded server's)

SHIPPED: dict[str, tuple[str, ...]] = {
    # Its int columns (a bitrate, a position in a series) stay far below 2^31; alembic_version's
    # varchar(32) is Alembic's own table.
    "0001_core_schema": ("prefer-bigint-over-int", "prefer-text-field"),
    # session_version counts sign-outs; its CHECK held for every row at once (default 1).
    "0002_sessions": ("prefer-bigint-over-int", "constraint-missing-not-valid"),
    # Their indexes were built inside the transaction, blocking writes while they were built.
    "0003_search": ("require-concurrent-index-creation",),
    "0004_library": ("require-concurrent-index-creation",),
    "0005_admin": (),  # shipped clean
}


def write_sql(folder: Path) -> list[Path]:
    """One file of offline SQL per revision, oldest first, named after the revision."""
    import flask_migrate
    from alembic.script import ScriptDirectory
    from sqlalchemy import String
    from sqlalchemy.sql.sqltypes import NullType

    from durus import create_app

    # 0001 inserts its languages through untyped columns, which offline mode cannot render
    # as literals; in this process only, an untyped value is written as a string.
    NullType.literal_processor = lambda _self, dialect: String().literal_processor(dialect)
    logging.disable(logging.INFO)  # Alembic's "Running upgrade ..." lines, five times over

    app = create_app(
        {
            # Never connected to: offline mode only renders SQL.
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://offline@localhost/offline",
            "SECRET_KEY": "offline-sql-only-never-serves-a-request",
            "INSTANCE_PATH": str(folder / "instance"),
        }
    )
    files = []
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions())):
            span = script.revision
            if script.down_revision:
                span = f"{script.down_revision}:{script.revision}"
            path = folder / f"{script.revision}.sql"
            with path.open("w") as out, contextlib.redirect_stdout(out):
                flask_migrate.upgrade(revision=span, sql=True)
            files.append(path)
    return files


def squawk(path: Path) -> subprocess.CompletedProcess[str]:
    command = [squawk_binary(), f"--pg-version={PG_VERSION}", str(path)]
    if excluded := SHIPPED.get(path.stem):
        command.append("--exclude=" + ",".join(excluded))
    return subprocess.run(command, check=False, capture_output=True, text=True)  # noqa: S603


def squawk_binary() -> str:
    beside_python = shutil.which("squawk", path=str(Path(sys.executable).parent))
    found = beside_python or shutil.which("squawk")
    if not found:
        raise SystemExit("squawk is not installed: pip install -e '.[dev]'")
    return found


def main() -> int:
    sys.path.insert(0, str(ROOT))
    failed = []
    with tempfile.TemporaryDirectory(prefix="durus-migrations-") as tmp:
        files = write_sql(Path(tmp))
        for path in files:
            result = squawk(path)
            if result.returncode:
                print(result.stdout + result.stderr, end="")
                failed.append(path.stem)
    if failed:
        print(f"squawk: locking hazards in {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"squawk: {len(files)} migrations, no locking hazards")
    return 0


if __name__ == "__main__":
    sys.exit(main())
