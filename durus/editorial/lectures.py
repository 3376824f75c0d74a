"""Editorial: lectures."""

from . import bp  # noqa: F401
