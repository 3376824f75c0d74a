"""Settings from the environment, with defaults that work on a laptop with no configuration.

Every setting is read here and nowhere else; README.md lists them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE_PATH = PROJECT_ROOT / "instance"


class ConfigurationError(SystemExit):
    """A setting that stops Durus from starting; shown to the operator as one line."""

    def __init__(self, message: str) -> None:
        super().__init__(f"durus: {message}")


def sqlalchemy_url(url: str) -> str:
    """Make a libpq-style URL use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("postgresql+psycopg://"):
        return url
    raise ConfigurationError(
        "DATABASE_URL must be a PostgreSQL URL (postgresql://user:password@host:port/name)"
    )


def instance_secret_key(instance_path: Path) -> str:
    """A secret generated once into instance/secret_key, readable by its owner only."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def database_url(instance_path: Path) -> tuple[str, bool]:
    """(SQLAlchemy URL, whether it is external). Unset DATABASE_URL means the embedded server."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return sqlalchemy_url(url), True
    from .embedded_db import embedded_database_url

    try:
        return sqlalchemy_url(embedded_database_url(instance_path)), False
    except Exception as exc:  # pgserver raises assorted errors; the operator needs one line
        raise ConfigurationError(
            f"could not start the embedded PostgreSQL in {instance_path / 'pgdata'}: {exc}"
        ) from exc


def from_environment(instance_path: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    """The application's configuration. `overrides` (tests) win over the environment, and a
    given SQLALCHEMY_DATABASE_URI means the database is not looked up at all."""
    env = os.environ
    config: dict[str, Any] = {
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "MEDIA_ROOT": env.get("MEDIA_ROOT") or str(instance_path / "media"),
        "ANALYTICS_DIR": env.get("ANALYTICS_DIR") or str(instance_path / "analytics"),
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "connect_args": {"connect_timeout": 5, "application_name": "durus"},
        },
        "SQLALCHEMY_RECORD_QUERIES": False,
        "DATABASE_IS_EXTERNAL": False,
        "TEMPLATES_AUTO_RELOAD": None,
        "HOME_LECTURE_COUNT": 20,
    }
    config.update(overrides)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = instance_secret_key(instance_path)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        url, external = database_url(instance_path)
        config["SQLALCHEMY_DATABASE_URI"] = url
        config["DATABASE_IS_EXTERNAL"] = external
    return config
