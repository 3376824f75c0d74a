"""Database helpers shared by the app and the command line."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from .config import ConfigurationError


def check_connection(engine: Engine) -> None:
    """Fail with one readable line when the configured database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[-1] if exc.orig else str(exc)
        where = engine.url.render_as_string(hide_password=True)
        raise ConfigurationError(f"cannot connect to the database {where}: {reason}") from None
