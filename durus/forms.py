"""The base of every form: Flask-WTF's, with WTForms' own messages ("This field is
required.") translated from a catalogue parsed once per language, where Flask-WTF parses the
file again for every request that builds a form."""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import support
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


@cache
def _catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _Messages:
    """WTForms asks its translations for gettext/ngettext; answered in the reader's locale."""

    def gettext(self, string: str) -> str:
        return _catalogue(str(get_locale())).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _catalogue(str(get_locale())).ungettext(singular, plural, n)


MESSAGES = _Messages()


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> Any:
            return MESSAGES
