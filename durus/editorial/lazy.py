"""Lazy translations for the texts fixed at import (form labels, hints, validator messages,
choice and button labels): translated when shown, in the reader's language.

flask_babel's LazyString hands templates its text unescaped (its `__html__` returns the plain
string); this one is escaped like any str, so "scholar's" is written `scholar&#39;s` and a
translation can never add markup to a page."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString, gettext
from markupsafe import Markup, escape


class EscapedLazyString(LazyString):
    def __html__(self) -> Markup:
        return escape(str(self))


def _l(string: str, **variables: Any) -> EscapedLazyString:
    """lazy_gettext, escaped in templates (the extractor knows the `_l` keyword)."""
    return EscapedLazyString(gettext, string, **variables)
