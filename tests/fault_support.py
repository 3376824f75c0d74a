"""Faults on demand, for tests/test_faults.py and bench/soak.py.

- PostgresInstance: a PostgreSQL server of one's own, to stop and start at will: initdb into a
  temporary folder, a Unix socket there (no TCP). The shared embedded server in
  instance/pgdata is never touched. The binaries are the embedded ones from the `pgserver`
  package; PostgreSQL refuses to run as root, so under root the server runs as pgserver's
  system user, as the embedded server does.
- read_only(folder): a folder and its files that nobody may write to, root included.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

PG_BIN = Path(sys.prefix) / "lib/python3.11/site-packages/pgserver/pginstall/bin"
SYSTEM_USER = "pgserver"
# Settings of a throwaway server: quick to start and stop, no durability needed.
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class PostgresInstance:
    """A server in a temporary folder; `url(name)` is a SQLAlchemy URL of one database."""

    def __init__(self, prefix: str = "durus-pg-") -> None:
        # /tmp, not pytest's tmp_path: a socket path must stay under ~100 characters.
        self.root = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.user = SYSTEM_USER if os.geteuid() == 0 else None
        if self.user is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # platformdirs, on XDG_RUNTIME_DIR being unset
                from pgserver.utils import ensure_user_exists

            entry = ensure_user_exists(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o755)

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(
            [str(PG_BIN / args[0]), *args[1:]],
            user=self.user,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:3])} failed: {result.stdout.strip()}\n{log}")

    def init(self) -> PostgresInstance:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "utf8")
        return self

    def start(self) -> None:
        options = f"-h '' -k {self.root} {SERVER_OPTIONS}"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def libpq_url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:@/{database}?host={self.root}"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres:@/{database}?host={self.root}"

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.libpq_url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def execute(self, database: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
        """One statement on a connection of its own (autocommit); the rows it returns."""
        with psycopg.connect(self.libpq_url(database), autocommit=True) as conn:
            cursor = conn.execute(statement, params or None)
            return cursor.fetchall() if cursor.description else []

    def wait_ready(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.execute("postgres", "SELECT 1")
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def destroy(self) -> None:
        if self.running:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class CannotMakeReadOnly(RuntimeError):
    """This system lets the process write to the folder whatever is done to it."""


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` and the files in it unwritable for the duration: modes without write
    permission, and for root (whom modes do not stop) the immutable attribute (chattr +i).
    Raises CannotMakeReadOnly when a file can still be created in it."""
    paths = [folder, *folder.iterdir()]
    modes = {path: path.stat().st_mode & 0o7777 for path in paths}
    immutable = os.geteuid() == 0 and shutil.which("chattr") is not None
    try:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        if immutable:
            subprocess.run(["chattr", "+i", *map(str, paths)], check=True, capture_output=True)
        probe = folder / ".probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            raise CannotMakeReadOnly(f"{folder} stays writable for this process")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", *map(str, paths)], check=False, capture_output=True)
        for path, mode in modes.items():
            path.chmod(mode)
