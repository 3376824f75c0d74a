"""Database helpers shared by the app and the command line."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, Executable, Row, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import scoped_session

from .config import ConfigurationError

# What an unreachable, restarting or overloaded database raises: a refused or broken
# connection, a server shutting down, too many clients (OperationalError, InterfaceError for
# a connection already closed), and a pool with no connection to give (PoolTimeout).
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)


def reason(error: BaseException) -> str:
    """The first line of the driver's own message about `error` (psycopg adds hints)."""
    original = error.orig if isinstance(error, DBAPIError) and error.orig else error
    lines = str(original).strip().splitlines()
    return lines[0].strip() if lines else type(error).__name__


def connection_lost(session: scoped_session[Any]) -> bool:
    """Whether the session's transaction is on a connection SQLAlchemy has invalidated: a
    disconnect that some code caught and went on from. (Its next statement raises
    PendingRollbackError rather than a connection error.)"""
    current = session()
    if not current.in_transaction():
        return False
    try:
        return current.connection().invalidated
    except SQLAlchemyError:
        return False


def discard_session(session: scoped_session[Any]) -> bool:
    """End a request's session, even when the database failed under it: its connection goes
    back to the pool, which drops it if it is broken (SQLAlchemy invalidates a connection on a
    disconnect, and pool_pre_ping tests the others before their next use). False when the
    final rollback failed (the connection was lost)."""
    try:
        session.remove()
    except (SQLAlchemyError, OSError):
        session.registry.clear()  # remove() stops before forgetting the session
        return False
    return True


def first_row(
    session: scoped_session[Any], statement: Executable, params: dict[str, Any] | None = None
) -> Row[Any] | None:
    """The first row of one statement, on a hot path. A single statement is atomic by itself:
    outside a transaction it runs in autocommit (no BEGIN and ROLLBACK/COMMIT round trips).
    Inside the session's transaction (something was loaded already, or a test's rolled-back
    transaction) it joins it. Either way through Core: plain rows, no ORM objects."""
    current = session()
    if current.in_transaction() or isinstance(current.bind, Connection):
        return current.connection().execute(statement, params).first()
    autocommit = current.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT")
    with autocommit as connection:
        return connection.execute(statement, params).first()


def check_connection(engine: Engine) -> None:
    """Fail with one readable line when the configured database cannot be reached."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[-1] if exc.orig else str(exc)
        where = engine.url.render_as_string(hide_password=True)
        raise ConfigurationError(f"cannot connect to the database {where}: {reason}") from None
