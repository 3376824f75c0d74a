"""Alembic environment for Durus: the app's engine and Base.metadata (Flask-SQLAlchemy 3)."""

import logging
import os
import re
from logging.config import fileConfig

from alembic import context
from flask import current_app
from psycopg import errors
from sqlalchemy.exc import OperationalError

from durus.config import ConfigurationError

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def timeout(name, default):
    value = os.environ.get(name, "").strip() or default
    if not re.fullmatch(r"\d+ ?(ms|s|min|h)?", value):
        raise ConfigurationError(f"{name} must be a duration such as 5s or 500ms, not {value!r}")
    return value


# A migration waiting for a lock makes every later query on that table queue behind it: it
# had better fail fast (and be run again later) than stall the site. Offline SQL gets them too.
LOCK_TIMEOUT = timeout("MIGRATION_LOCK_TIMEOUT", "5s")
# 0 = none by default: building an index on a large table may take minutes.
STATEMENT_TIMEOUT = timeout("MIGRATION_STATEMENT_TIMEOUT", "0")
TIMEOUTS = [
    f"SET lock_timeout = '{LOCK_TIMEOUT}'",
    f"SET statement_timeout = '{STATEMENT_TIMEOUT}'",
]


def timed_out(exc):
    """The operator's one line for a migration stopped by one of those timeouts, else None."""
    if isinstance(exc.orig, errors.LockNotAvailable):
        waited = f"waited longer than lock_timeout ({LOCK_TIMEOUT}) for a lock"
        setting = "MIGRATION_LOCK_TIMEOUT"
    elif isinstance(exc.orig, errors.QueryCanceled):
        waited = f"ran longer than statement_timeout ({STATEMENT_TIMEOUT})"
        setting = "MIGRATION_STATEMENT_TIMEOUT"
    else:
        return None
    statement = " ".join(str(exc.statement).split())
    statement = statement if len(statement) <= 80 else statement[:79] + "…"
    return ConfigurationError(
        f"migration stopped: it {waited} at: {statement}; the revision was not recorded, "
        f"run `flask db upgrade` again when the database is quieter, or raise {setting}"
    )


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=db.metadata,
        literal_binds=True,
        compare_type=True,
    )
    for statement in TIMEOUTS:
        context.execute(statement)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    def skip_empty(context, revision, directives):
        # `flask db migrate` with no change writes no empty revision file.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    conf_args.setdefault("process_revision_directives", skip_empty)
    with db.engine.connect() as connection:
        # Session-wide, not SET LOCAL, so that they also cover autocommit blocks (CREATE INDEX
        # CONCURRENTLY); the connection is closed afterwards rather than pooled with them.
        try:
            for statement in TIMEOUTS:
                connection.exec_driver_sql(statement)
            connection.commit()
            context.configure(
                connection=connection, target_metadata=db.metadata, **conf_args
            )
            with context.begin_transaction():
                context.run_migrations()
        except OperationalError as exc:
            stopped = timed_out(exc)
            if stopped is None:
                raise
            raise stopped from None
        finally:
            connection.invalidate()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
