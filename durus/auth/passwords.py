"""Passwords: Argon2id verifiers at or above the OWASP floor (t=2, m=19 MiB, p=1), and the
rules a new password must meet."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from flask_babel import ngettext

MIN_LENGTH = 10
MAX_LENGTH = 1024  # Argon2 accepts anything; this bounds the work one request can ask for.

hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@cache
def _dummy_hash() -> str:
    """Verified against when an email has no account, so both answers take as long."""
    return hasher.hash("durus-timing-equaliser")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, *personal: str) -> str | None:
    """Why `password` may not be used (in the reader's language), or None. `personal`: the
    email, the name."""
    if len(password) < MIN_LENGTH:
        return ngettext(
            "Use at least %(num)d character.", "Use at least %(num)d characters.", MIN_LENGTH
        )
    if len(password) > MAX_LENGTH:
        return ngettext(
            "Use at most %(num)d character.", "Use at most %(num)d characters.", MAX_LENGTH
        )
    lowered = password.lower()
    if lowered in common_passwords():
        return _("This password is too common: it is among the first tried by attackers.")
    for value in personal:
        if value and lowered in {value.lower(), value.split("@")[0].lower()}:
            return _("Don't use your email address or name as your password.")
    return None
