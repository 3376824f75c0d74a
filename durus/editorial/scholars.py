"""Editorial: scholars."""

from . import bp  # noqa: F401
