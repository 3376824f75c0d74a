"""Search: scholars, series and lectures by words, with Arabic normalisation and trigrams."""

from . import bp  # noqa: F401
