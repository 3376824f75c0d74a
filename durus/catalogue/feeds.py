"""Podcast feeds, sitemap.xml and robots.txt."""

from . import bp  # noqa: F401
