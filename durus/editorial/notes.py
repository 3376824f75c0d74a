"""Editorial: notes."""

from . import bp  # noqa: F401
