"""Jinja helpers shared by every template."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask, request, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape

from . import i18n
from .models import Language, Topic


def clock(seconds: Decimal | float | int | None) -> str:
    """A duration as a clock reading: 4:05, 1:02:03."""
    if seconds is None:
        return ""
    total = round(float(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def iso_duration(seconds: Decimal | float | int | None) -> str:
    """The same duration for <time datetime>: PT1H2M3S."""
    total = round(float(seconds or 0))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{secs}S"


def lang_attrs(language: Language | None) -> Markup:
    """lang and dir attributes for text in `language`, so Arabic reads right-to-left."""
    if language is None:
        return Markup("")
    return Markup(' lang="{}" dir="{}"').format(escape(language.code), language.direction.value)


def language_name(language: Language) -> str:
    """A content language named in the interface language: English, or الإنجليزية in Arabic
    (CLDR's names; the English name when CLDR has none)."""
    if i18n.current_language() == "en":
        return language.name_en
    locale = get_locale()
    names = locale.languages if locale is not None else {}
    code = language.code.replace("-", "_")
    return names.get(code) or names.get(code.split("_")[0]) or language.name_en


def topic_name(topic: Topic) -> str:
    """A topic's name in the interface language: its Arabic name, when it has one, in Arabic."""
    if i18n.current_language() == "ar" and topic.name_ar:
        return topic.name_ar
    return topic.name


def page_context() -> dict[str, object]:
    code = i18n.current_language()
    canonical = None
    if request.endpoint and request.url_rule is not None and request.method == "GET":
        canonical = url_for(request.endpoint, **(request.view_args or {}), _external=True)
    return {
        "page_language": {"code": code, "direction": i18n.LANGUAGES[code][1]},
        "canonical_url": canonical,
    }


def url_with(**changes: object) -> str:
    """This page's URL with some query arguments replaced (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = str(value)
    return url_for(request.endpoint or "catalogue.home", **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    app.context_processor(page_context)
    app.jinja_env.filters.update(clock=clock, iso_duration=iso_duration)
    app.jinja_env.globals.update(
        lang_attrs=lang_attrs, url_with=url_with, language_name=language_name, topic_name=topic_name
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
