"""Accounts and sign-in: local passwords and OpenID Connect, sessions, the account page."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import account, language, oidc, routes  # noqa: E402, F401
