"""Keyset pagination: a page ends at a row; the next page starts after it. The cursor is the
sort key of that last row, opaque to the visitor (URL-safe base64 of JSON)."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, tuple_
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")


class BadCursor(ValueError):
    """A cursor this site did not make (edited by hand, or from an older version)."""


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([str(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(values, list) or len(values) != size:
        raise BadCursor(cursor)
    return [str(v) for v in values]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def after(
    stmt: Select[Any], keys: Sequence[ColumnElement[Any]], values: Sequence[Any], descending: bool
) -> Select[Any]:
    """Rows strictly after `values` in the order of `keys` (all ascending or all descending)."""
    row, bound = tuple_(*keys), tuple_(*values)
    return stmt.where(row < bound if descending else row > bound)
