"""Settings: embedded defaults, a generated secret, one clear line for a bad database."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from durus.config import PROJECT_ROOT, ConfigurationError, instance_secret_key, sqlalchemy_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/durus", "postgresql+psycopg://u:p@db:5432/durus"),
        ("postgres://u@db/durus", "postgresql+psycopg://u@db/durus"),
        ("postgresql+psycopg://u@db/durus", "postgresql+psycopg://u@db/durus"),
    ],
)
def test_database_urls_use_psycopg3(given: str, expected: str) -> None:
    assert sqlalchemy_url(given) == expected


def test_a_non_postgresql_url_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="must be a PostgreSQL URL"):
        sqlalchemy_url("mysql://u@db/durus")


def test_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    first = instance_secret_key(tmp_path)
    assert len(first) >= 48
    assert instance_secret_key(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def _flask(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_unreachable_database_is_one_clear_line() -> None:
    result = _flask("db", "current", DATABASE_URL="postgresql://durus:secret@127.0.0.1:1/durus")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("durus: cannot connect to the database")
    assert "127.0.0.1:1/durus" in lines[0]
    assert "secret" not in lines[0]  # the password is not echoed
    assert "Traceback" not in result.stderr


def test_wrong_kind_of_database_url_is_one_clear_line() -> None:
    result = _flask("routes", DATABASE_URL="mysql://u@db/durus")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "durus: DATABASE_URL must be a PostgreSQL URL (postgresql://user:password@host:port/name)"
    )
