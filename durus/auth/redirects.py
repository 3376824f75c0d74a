"""Where to send someone after signing in: only ever a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "catalogue.home") -> str:
    """`target` if it is a local path, else the default page. Refuses scheme-relative
    (//host), backslash tricks (/\\host), schemes (javascript:, https:host) and anything
    with whitespace or control characters, which browsers strip before resolving."""
    fallback = url_for(default_endpoint)
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
