"""Slugs from titles: readable ASCII (Arabic transliterated), unique per entity type, and a
renamed slug keeps redirecting from the old one."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import SlugRedirect

# A simple, readable transliteration of the Arabic alphabet (not a scholarly one): enough for
# URLs that people can read and type.
ARABIC = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ؤ": "u", "ئ": "i",
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "ة": "ah", "و": "w", "ي": "y", "ى": "a", "پ": "p", "چ": "ch", "ژ": "zh",
    "گ": "g", "ک": "k", "ی": "y", "ے": "e", "ٹ": "t", "ڈ": "d", "ڑ": "r", "ں": "n", "ھ": "h",
    "ۃ": "h", "ۂ": "h",
}  # fmt: skip
MAX_LENGTH = 80


def slugify(text: str) -> str:
    """'الأربعون النووية' → 'alarbawn-alnwwyh'; 'Belief in the Angels' → 'belief-in-the-angels'."""
    out = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) or char == "\u0640":  # marks, tatweel
            continue
        out.append(ARABIC.get(char, char))
    ascii_text = "".join(out).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:MAX_LENGTH].strip("-") or "untitled"


def slug_taken(model: type[Any], slug: str, exclude_id: Any = None) -> bool:
    """Used by a current row of this type, or by an old slug that still redirects."""
    stmt = select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        return True
    kind = f"{model.__name__.lower()}_id"
    column = getattr(SlugRedirect, kind)
    old = select(column).where(SlugRedirect.old_slug == slug, column.is_not(None))
    owner = db.session.scalar(old)
    return owner is not None and owner != exclude_id


def unique_slug(model: type[Any], title: str, exclude_id: Any = None) -> str:
    base = slugify(title)
    candidate, number = base, 2
    while slug_taken(model, candidate, exclude_id):
        suffix = f"-{number}"
        candidate = base[: MAX_LENGTH - len(suffix)] + suffix
        number += 1
    return candidate


def rename(item: Any, new_slug: str) -> None:
    """Give `item` a new slug, keeping the old one as a redirect (and reclaiming a redirect
    of its own that the new slug matches)."""
    if item.slug == new_slug:
        return
    kind = f"{type(item).__name__.lower()}_id"
    column = getattr(SlugRedirect, kind)
    own = db.session.scalar(
        select(SlugRedirect).where(SlugRedirect.old_slug == new_slug, column == item.id)
    )
    if own is not None:
        db.session.delete(own)
    db.session.add(SlugRedirect(old_slug=item.slug, **{kind: item.id}))
    item.slug = new_slug
