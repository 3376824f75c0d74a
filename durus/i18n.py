"""The interface language: Flask-Babel with the Arabic catalogue in durus/translations.

Who sees which language: a signed-in person their account preference; anyone else the choice
they made with the switcher (a cookie), else the best match of their browser's
Accept-Language, else English. Numbers and dates are formatted for that locale by Babel
(CLDR: Arabic months, Western digits for plain `ar`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask_babel import (
    Babel,
    LazyString,
    format_date,
    format_decimal,
    get_locale,
    get_translations,
    gettext,
)
from flask_login import current_user
from markupsafe import Markup, escape

# code → (name in that language, direction). Every code here has a complete catalogue.
LANGUAGES = {"en": ("English", "ltr"), "ar": ("العربية", "rtl")}
DEFAULT = "en"
# The Babel locale each language is formatted in: British English writes 22 November 2026.
LOCALES = {"en": "en_GB", "ar": "ar"}
COOKIE = "durus_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


class EscapedLazyString(LazyString):
    """flask_babel's LazyString hands templates its text unescaped (its `__html__` returns the
    plain string); this one is escaped like any str, so a translation never adds markup and a
    quote never ends an attribute."""

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(string: str, **variables: object) -> EscapedLazyString:
    """For texts fixed at import (form labels, choices, messages): translated when shown, in
    the reader's language. Imported as `_l` (the extraction keyword)."""
    return EscapedLazyString(gettext, string, **variables)


def select_locale() -> str:
    return LOCALES[_chosen_language()]


def _chosen_language() -> str:
    if not has_request_context():
        return DEFAULT  # the CLI, a background job: English
    preferred = getattr(current_user, "interface_language", None) if _signed_in() else None
    if preferred in LANGUAGES:
        return preferred
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT) or DEFAULT


def _signed_in() -> bool:
    try:
        return bool(current_user.is_authenticated)
    except Exception:  # outside a request (the CLI), or before the session is readable
        return False


def current_language() -> str:
    locale = get_locale()
    code = locale.language if locale is not None else DEFAULT
    return code if code in LANGUAGES else DEFAULT


def direction() -> str:
    return LANGUAGES[current_language()][1]


def number(value: int | float | Decimal | None, digits: int | None = None) -> str:
    """A count or figure in the reader's locale: 1,234 · 6.8."""
    if value is None:
        return ""
    if digits is None:
        return format_decimal(value)
    return format_decimal(value, format=f"#,##0.{'0' * digits}" if digits else "#,##0")


def long_date(value: date | datetime | None) -> str:
    """22 November 2026 · 22 نوفمبر 2026."""
    return format_date(value, "long") if value else ""


def set_language_cookie(response: Response, code: str) -> None:
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)


def _translations() -> Any:
    """This request's catalogue, looked up once: Flask-Babel finds it again (context,
    locale, domain, cache) for each of the fifty-odd strings of a page."""
    found = g.get("durus_translations")
    if found is None:
        found = g.durus_translations = get_translations()
    return found


def _vary(response: Response) -> Response:
    response.vary.add("Accept-Language")
    return response


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
    )
    app.after_request(_vary)
    app.jinja_env.filters.update(number=number, long_date=long_date)
    app.jinja_env.globals.update(interface_languages=LANGUAGES, current_language=current_language)


def compile_catalogues() -> None:
    """Compile every catalogue whose .mo is missing or older than its .po (`make
    translations` does the same with pybabel; this serves test runs started directly)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source)
        with mo.open("wb") as target:
            write_mo(target, catalogue)
