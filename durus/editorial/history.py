"""Editorial: history."""

from . import bp  # noqa: F401
