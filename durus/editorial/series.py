"""Editorial: series."""

from . import bp  # noqa: F401
