"""Rate limits for the doors attackers knock on. Counted per client address, and per
(account, address) so that guessing one account's password from elsewhere never locks its
owner out of signing in from their own address."""

from __future__ import annotations

from flask import request
from flask_limiter.util import get_remote_address

from ..extensions import limiter


def _account() -> str:
    # Never empty: Flask-Limiter skips (and logs) a limit whose key is empty.
    return (request.form.get("email") or "").strip().lower() or "(no email)"


def _account_at_address() -> str:
    return f"{_account()}|{get_remote_address()}"


sign_in_limits = [
    limiter.limit("20 per minute;200 per hour", methods=["POST"]),
    limiter.limit("5 per minute;30 per hour", key_func=_account_at_address, methods=["POST"]),
]
sign_up_limits = [limiter.limit("5 per minute;30 per hour", methods=["POST"])]
reset_request_limits = [
    limiter.limit("5 per minute;30 per hour", methods=["POST"]),
    # Mail to one address: a few a day is plenty, and stops mail-bombing an account.
    limiter.limit("3 per hour;10 per day", key_func=_account, methods=["POST"]),
]
reset_use_limits = [limiter.limit("10 per minute;60 per hour", methods=["POST"])]


def apply(limits: list):  # type: ignore[type-arg]
    def decorate(view):  # type: ignore[no-untyped-def]
        for limit in reversed(limits):
            view = limit(view)
        return view

    return decorate
