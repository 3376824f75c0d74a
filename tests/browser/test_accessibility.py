"""axe-core on every kind of page, in English and in Arabic, signed out and signed in as the
role that may see it: no WCAG 2.0/2.1/2.2 A or AA violation. A representative subset again in
the dark colour scheme, for contrast."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select, update

from durus.extensions import db
from durus.models import Lecture, Scholar, Series, User
from tests.browser.test_listening import _sign_in

ACCOUNTS = {
    "listener": ("listener@durus.example", "durus-listener-demo"),
    "editor": ("editor@durus.example", "durus-editor-demo"),
    "admin": ("admin@durus.example", "durus-admin-demo"),
}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
LECTURE = "/lectures/foundations-1-introduction"

# (name, who, path): {scholar}, {series}, {lecture}, {user} are the editor's demo scholar
# (Ustadh Dawud Clarke), one of his series and lectures, and the listener's account.
PAGES = [
    ("home", None, "/"),
    ("lectures", None, "/lectures"),
    ("scholars", None, "/scholars"),
    ("scholar", None, "/scholars/dawud-clarke"),
    ("series", None, "/series/foundations-of-faith"),
    ("lecture", None, LECTURE),
    ("lecture-arabic", None, "/lectures/usul-1-muqaddimah"),
    ("search", None, "/search?q=faith"),
    ("search-none", None, "/search?q=zzzqqq"),
    ("topics", None, "/topics"),
    ("topic", None, "/topics/aqidah"),
    ("languages", None, "/languages"),
    ("language", None, "/languages/ar"),
    ("sign-in", None, "/auth/sign-in"),
    ("sign-up", None, "/auth/sign-up"),
    ("forgot-password", None, "/auth/forgot-password"),
    ("reset-invalid", None, "/auth/reset-password/not-a-token"),
    ("404", None, "/no-such-page"),
    ("403-signed-out", None, "/admin/"),
    ("library-continue", "listener", "/library"),
    ("library-series", "listener", "/library/series"),
    ("library-saved", "listener", "/library/saved"),
    ("library-favourites", "listener", "/library/favourites"),
    ("library-history", "listener", "/library/history"),
    ("favourite-confirm", "listener", "/library/favourites/foundations-1-introduction/add"),
    ("account", "listener", "/account"),
    ("account-delete", "listener", "/account/delete"),
    ("lecture-signed-in", "listener", LECTURE),
    ("403", "listener", "/admin/"),
    ("workspace", "editor", "/editorial"),
    ("scholar-edit", "editor", "/editorial/scholars/{scholar}"),
    ("scholar-history", "editor", "/editorial/scholars/{scholar}/history"),
    ("series-new", "editor", "/editorial/scholars/{scholar}/series/new"),
    ("series-edit", "editor", "/editorial/series/{series}"),
    ("series-history", "editor", "/editorial/series/{series}/history"),
    ("series-preview", "editor", "/editorial/series/{series}/preview"),
    ("lecture-new", "editor", "/editorial/scholars/{scholar}/lectures/new"),
    ("lecture-edit", "editor", "/editorial/lectures/{lecture}/edit"),
    ("lecture-publication", "editor", "/editorial/lectures/{lecture}/publication"),
    ("lecture-audio", "editor", "/editorial/lectures/{lecture}/audio"),
    ("lecture-delete", "editor", "/editorial/lectures/{lecture}/delete"),
    ("lecture-history", "editor", "/editorial/lectures/{lecture}/history"),
    ("lecture-notes", "editor", "/editorial/lectures/{lecture}/notes"),
    ("lecture-preview", "editor", "/editorial/lectures/{lecture}/preview"),
    ("scholar-new", "admin", "/editorial/scholars/new"),
    ("admin", "admin", "/admin/"),
    ("admin-users", "admin", "/admin/users"),
    ("admin-user", "admin", "/admin/users/{user}"),
    ("admin-audit", "admin", "/admin/audit"),
    ("admin-insights", "admin", "/admin/insights"),
    ("admin-insights-lecture", "admin", "/admin/insights/lectures/{lecture}"),
]
DARK = ["home", "lecture", "sign-in", "library-continue", "workspace", "admin-insights"]


@pytest.fixture(scope="module")
def ids(live_server: str, app: Flask) -> dict[str, str]:
    with app.app_context():
        scholar = db.session.scalar(select(Scholar).where(Scholar.slug == "dawud-clarke"))
        series = db.session.scalar(select(Series).where(Series.slug == "foundations-of-faith"))
        lecture = db.session.scalar(select(Lecture).where(Lecture.slug == LECTURE.split("/")[-1]))
        user = db.session.scalar(select(User).where(User.email == ACCOUNTS["listener"][0]))
        assert scholar and series and lecture and user
        return {"scholar": scholar.id, "series": series.id, "lecture": lecture.id, "user": user.id}


@pytest.fixture(scope="module")
def pages(live_server: str, browser: Any, app: Flask) -> Iterator[Any]:
    """pages(who, language, scheme): one tab per combination, signed in once per account. A
    signed-in page is in the account's language (set here as the switcher would)."""
    sessions: dict[str | None, Any] = {None: None}
    opened: dict[tuple[str | None, str, str], Any] = {}
    contexts: list[Any] = []

    def page_for(who: str | None, language: str, scheme: str = "light") -> Any:
        if who not in sessions:
            context = browser.new_context()
            contexts.append(context)
            _sign_in(context.new_page(), live_server, ACCOUNTS[who])
            sessions[who] = context.storage_state()
        if who is not None:
            with app.app_context():
                db.session.execute(
                    update(User)
                    .where(User.email == ACCOUNTS[who][0])
                    .values(interface_language=language)
                )
                db.session.commit()
        key = (who, language, scheme)
        if key not in opened:
            context = browser.new_context(
                storage_state=sessions[who],
                color_scheme=scheme,
                extra_http_headers={"Accept-Language": language},
            )
            contexts.append(context)
            opened[key] = context.new_page()
        return opened[key]

    yield page_for
    for context in contexts:
        context.close()


def _violations(page: Any) -> str:
    results = Axe().run(page, options=AXE_OPTIONS)
    lines = []
    for violation in results.response["violations"]:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(
            f"    {node['target']} {node['failureSummary']}" for node in violation["nodes"]
        )
    return "\n".join(lines)


def _open(page: Any, base: str, path: str, ids: dict[str, str]) -> None:
    page.goto(base + path.format(**ids))


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(("name", "who", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_no_wcag_violations(
    live_server: str,
    pages: Any,
    ids: dict[str, str],
    name: str,
    who: str | None,
    path: str,
    language: str,
) -> None:
    page = pages(who, language)
    _open(page, live_server, path, ids)
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert _violations(page) == "", f"{name} ({language})"


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("name", DARK)
def test_dark_scheme_contrast(
    live_server: str, pages: Any, ids: dict[str, str], name: str, language: str
) -> None:
    _, who, path = next(p for p in PAGES if p[0] == name)
    page = pages(who, language, "dark")
    _open(page, live_server, path, ids)
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert _violations(page) == "", f"{name} ({language}, dark)"


# Every colour pair of the stylesheet, in both schemes: (foreground, background, minimum).
# Text needs 4.5:1; the focus ring and the boundaries of controls need 3:1 (WCAG 1.4.11).
PAIRS = [
    *[
        (text, ground, 4.5)
        for text in ("text", "muted", "accent", "accent-strong", "danger")
        for ground in ("bg", "surface")
    ],
    ("bg", "accent", 4.5),  # primary button
    ("bg", "accent-strong", 4.5),  # primary button, hovered
    ("bg", "text", 4.5),  # the toast
    ("notice-text", "notice-bg", 4.5),  # banners
    ("text", "mark", 4.5),
    ("accent", "mark", 4.5),  # a marked word in a link
    ("accent", "accent-14%-surface", 4.5),  # the current page in the menu
    *[
        (ui, ground, 3.0)
        for ui in ("focus", "control", "muted", "accent", "danger")
        for ground in ("bg", "surface")
    ],
]
STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "durus.css"


def _palettes() -> dict[str, dict[str, str]]:
    css = STYLESHEET.read_text()
    light = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    dark_start = css.index(":root {", css.index("prefers-color-scheme: dark"))
    dark = css[dark_start : css.index("}", dark_start)]

    def colours(block: str) -> dict[str, str]:
        return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6});", block))

    return {"light": colours(light), "dark": {**colours(light), **colours(dark)}}


def _rgb(colour: str) -> tuple[float, ...]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def _luminance(rgb: tuple[float, ...]) -> float:
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _resolve(name: str, palette: dict[str, str]) -> tuple[float, ...]:
    if "%-" in name:  # "accent-14%-surface": color-mix(in srgb, accent 14%, surface)
        mixed = re.fullmatch(r"(.+)-(\d+)%-(.+)", name)
        assert mixed is not None
        top, share, ground = mixed.groups()
        weight = int(share) / 100
        return tuple(
            a * weight + b * (1 - weight)
            for a, b in zip(_rgb(palette[top]), _rgb(palette[ground]), strict=True)
        )
    return _rgb(palette[name])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_colour_pair_has_enough_contrast(scheme: str) -> None:
    palette = _palettes()[scheme]
    poor = []
    for foreground, background, minimum in PAIRS:
        lighter, darker = sorted(
            (_luminance(_resolve(foreground, palette)), _luminance(_resolve(background, palette))),
            reverse=True,
        )
        ratio = (lighter + 0.05) / (darker + 0.05)
        if ratio < minimum:
            poor.append(f"{foreground} on {background}: {ratio:.2f} < {minimum}")
    assert poor == []
