"""The layout on a 360 px phone and at 200 % zoom, in English and Arabic (no page scrolls
sideways; screenshots in test-artifacts/layout/ every run), the player by keyboard alone, and
reduced motion."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from durus.extensions import db
from durus.models import User
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_listening import LECTURE, _sign_in, _until

ADMIN = ("admin@durus.example", "durus-admin-demo")
LAYOUT = ARTIFACTS / "layout"
# A phone held upright, and a 1280 px desktop window at 200 % zoom (640 CSS pixels).
VIEWPORTS = {
    "360": {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2},
    "640-zoom200": {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
}
# Signed in as the administrator, so the header carries every menu item there is.
PAGES = {
    "home": "/",
    "lecture": LECTURE,
    "lecture-arabic": "/lectures/usul-1-muqaddimah",
    "scholar": "/scholars/abd-al-rahman-al-nasiri",
    "series": "/series/foundations-of-faith",
    "search": "/search?q=faith",
    "library": "/library/history",
    "account": "/account",
    "workspace": "/editorial",
    "admin-users": "/admin/users",
    "admin-audit": "/admin/audit",
    "admin-insights": "/admin/insights",
}
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || box.left < -1)
      && !element.closest('.table-scroll, .visually-hidden, .site-search__label, .skip-link');
  });
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    culprits: wide.slice(0, 5).map((element) => element.tagName.toLowerCase()
      + (element.id ? '#' + element.id : '') + '.' + [...element.classList].join('.')),
  };
}"""


@pytest.fixture(scope="module")
def signed_in(live_server: str, browser: Any) -> dict[str, Any]:
    context = browser.new_context()
    _sign_in(context.new_page(), live_server, ADMIN)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def admin_language(app: Flask) -> Iterator[Any]:
    def choose(language: str) -> None:
        with app.app_context():
            db.session.execute(
                update(User).where(User.email == ADMIN[0]).values(interface_language=language)
            )
            db.session.commit()

    yield choose
    choose("en")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("language", ["en", "ar"])
def test_no_page_scrolls_sideways(
    live_server: str,
    browser: Any,
    signed_in: dict[str, Any],
    admin_language: Any,
    language: str,
    viewport: str,
) -> None:
    admin_language(language)
    context = browser.new_context(storage_state=signed_in, **VIEWPORTS[viewport])
    page = context.new_page()
    LAYOUT.mkdir(parents=True, exist_ok=True)
    wide = {}
    try:
        for name, path in PAGES.items():
            page.goto(live_server + path)
            assert page.locator("html").get_attribute("dir") == (
                "rtl" if language == "ar" else "ltr"
            )
            shot = LAYOUT / f"{name}-{language}-{viewport}.png"
            page.screenshot(path=str(shot), full_page=True, scale="css")
            measure = page.evaluate(OVERFLOW)
            if measure["scrollWidth"] > measure["innerWidth"]:
                wide[name] = measure
    finally:
        context.close()
    assert wide == {}


def test_signed_out_header_at_360(live_server: str, browser: Any) -> None:
    for language in ("en", "ar"):
        context = browser.new_context(
            extra_http_headers={"Accept-Language": language}, **VIEWPORTS["360"]
        )
        page = context.new_page()
        page.goto(live_server + "/auth/sign-in")
        LAYOUT.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(LAYOUT / f"sign-in-{language}-360.png"), full_page=True, scale="css"
        )
        measure = page.evaluate(OVERFLOW)
        context.close()
        assert measure["scrollWidth"] <= measure["innerWidth"], measure


def _focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const element = document.activeElement;
          const style = getComputedStyle(element);
          return {
            action: element.dataset.action || '', tag: element.tagName.toLowerCase(),
            outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
            visible: element.matches(':focus-visible'),
          };
        }"""
    )


def _tab_to(page: Any, action: str, presses: int = 60) -> dict[str, Any]:
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["action"] == action:
            return focused
    raise AssertionError(f"Tab never reached the player's {action} control")


def _time(page: Any) -> float:
    return float(page.evaluate("document.getElementById('durus-audio').currentTime"))


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_player_by_keyboard_alone(live_server: str, new_page: Any, language: str) -> None:
    page = new_page()
    page.context.set_extra_http_headers({"Accept-Language": language})
    page.goto(live_server + LECTURE)
    _until(page, "!document.querySelector('.player__controls').hidden")

    # Tab from the top of the page to Play: its focus ring shows.
    focused = _tab_to(page, "toggle")
    assert focused["visible"] and focused["outline"] == "solid" and focused["width"] >= 2
    page.keyboard.press("Space")
    _until(page, "!document.getElementById('durus-audio').paused")
    page.keyboard.press("Enter")
    _until(page, "document.getElementById('durus-audio').paused")

    # On the timeline the shortcuts work: → forward 30 s, J back 15 s, K play and pause.
    for _ in range(10):
        if page.evaluate("document.activeElement.classList.contains('player__seek')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('player__seek')")
    assert _focused(page)["visible"]
    before = _time(page)
    page.keyboard.press("ArrowRight")
    _until(page, f"document.getElementById('durus-audio').currentTime > {before + 20}")
    after_forward = _time(page)
    page.keyboard.press("j")
    _until(page, f"document.getElementById('durus-audio').currentTime < {after_forward - 10}")
    page.keyboard.press("k")
    _until(page, "!document.getElementById('durus-audio').paused")
    page.keyboard.press("k")
    _until(page, "document.getElementById('durus-audio').paused")
    page.keyboard.press(">")
    _until(page, "document.getElementById('durus-audio').playbackRate === 1.25")


def _motion(page: Any) -> dict[str, str]:
    return page.evaluate(
        """() => {
          const button = document.querySelector('.site-search .button');
          return {
            scroll: getComputedStyle(document.documentElement).scrollBehavior,
            transition: getComputedStyle(button).transitionDuration,
            animation: getComputedStyle(button).animationName,
          };
        }"""
    )


def test_reduced_motion_is_respected(live_server: str, browser: Any) -> None:
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(live_server + "/")
    reduced = _motion(page)
    page.emulate_media(reduced_motion="no-preference")
    moving = _motion(page)
    context.close()
    assert reduced == {"scroll": "auto", "transition": "0s", "animation": "none"}
    assert moving["transition"] != "0s"  # the hover colours fade when motion is welcome


def test_boosted_navigation_focuses_the_new_heading(live_server: str, new_page: Any) -> None:
    page = new_page()
    page.goto(live_server + "/")
    link = page.locator("#site-nav").get_by_role("link", name="Scholars", exact=True)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server + "/scholars")
    _until(page, "document.activeElement && document.activeElement.tagName === 'H1'")
    # Typing in the search field swaps the results in, and focus stays in the field.
    search = page.get_by_role("searchbox")
    search.focus()
    page.keyboard.type("faith")
    page.wait_for_url(f"{live_server}/search?q=faith")
    _until(page, "document.querySelector('#search-results') !== null")
    page.wait_for_timeout(200)
    assert page.evaluate("document.activeElement.id") == "site-search-q"


def test_a_pressed_toggle_keeps_focus_after_its_swap(live_server: str, new_page: Any) -> None:
    page = new_page()
    _sign_in(page, live_server)
    page.goto(live_server + LECTURE)
    toggle = page.locator("#content .lecture__library .toggle--favourite button")
    pressed = toggle.get_attribute("aria-pressed")
    toggle.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(
        "#content .toggle--favourite button"
        f'[aria-pressed="{"false" if pressed == "true" else "true"}"]'
    )
    _until(page, "document.activeElement.matches('#content .toggle--favourite button')")
    page.keyboard.press("Enter")  # and back: the next press works on the new button
    page.wait_for_selector(f'#content .toggle--favourite button[aria-pressed="{pressed}"]')
    _until(page, "document.activeElement.matches('#content .toggle--favourite button')")


@pytest.mark.parametrize(("language", "start"), [("en", "left"), ("ar", "right")])
def test_the_layout_mirrors_in_arabic(
    live_server: str, browser: Any, language: str, start: str
) -> None:
    context = browser.new_context(
        extra_http_headers={"Accept-Language": language},
        viewport={"width": 1280, "height": 800},
    )
    page = context.new_page()
    page.goto(live_server + "/lectures/usul-1-muqaddimah")
    layout = page.evaluate(
        """() => {
          const box = (selector) => document.querySelector(selector).getBoundingClientRect();
          const html = getComputedStyle(document.documentElement);
          return {
            brand: box('.brand').left < innerWidth / 2 ? 'left' : 'right',
            heading: box('#content h1').right > innerWidth / 2 ? 'right' : 'left',
            direction: getComputedStyle(document.body).direction,
            font: html.fontFamily, size: html.fontSize,
            // Playback controls keep their order in every language: −15, Play, +30.
            back: box('.player [data-action="back"]').left,
            forward: box('.player [data-action="forward"]').left,
          };
        }"""
    )
    context.close()
    assert layout["brand"] == start
    assert layout["direction"] == ("rtl" if language == "ar" else "ltr")
    assert layout["back"] < layout["forward"]
    if language == "ar":
        assert layout["heading"] == "right"
        assert layout["font"].startswith('"Noto Naskh Arabic"')
        assert layout["size"] == "17px"
    else:
        assert layout["size"] == "16px"


def test_the_status_region_is_heard_while_out_of_sight(live_server: str, new_page: Any) -> None:
    page = new_page()
    page.goto(live_server + "/")
    toast = page.evaluate(
        """() => {
          const toast = document.getElementById('toast');
          const box = toast.getBoundingClientRect();
          return {hidden: toast.hidden, display: getComputedStyle(toast).display,
                  width: box.width, role: toast.getAttribute('role')};
        }"""
    )
    # In the accessibility tree from the start (a live region that appears together with its
    # message is often not read), yet nothing shows.
    assert toast["hidden"] and toast["display"] != "none" and toast["width"] <= 1
    assert toast["role"] == "status"


@pytest.mark.parametrize("path", ["/", LECTURE, "/admin/insights"])
def test_every_tab_stop_shows_its_focus(
    live_server: str, browser: Any, signed_in: dict[str, Any], path: str
) -> None:
    context = browser.new_context(storage_state=signed_in, **VIEWPORTS["640-zoom200"])
    page = context.new_page()
    page.goto(live_server + path)
    unseen, seen = [], set()
    for _ in range(80):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """() => {
              const element = document.activeElement;
              const style = getComputedStyle(element);
              const box = element.getBoundingClientRect();
              // Not behind the player bar (WCAG 2.4.11), which is fixed at the bottom.
              const bar = document.getElementById('player-bar');
              const bottom = bar.hidden || element.closest('#player-bar')
                ? innerHeight : bar.getBoundingClientRect().top;
              return {
                name: element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') + ' '
                  + (element.getAttribute('aria-label') || element.textContent).trim().slice(0, 30),
                body: element === document.body,
                ring: element.matches(':focus-visible') && style.outlineStyle !== 'none'
                  && parseFloat(style.outlineWidth) >= 2,
                onScreen: box.bottom > 0 && box.top < bottom,
              };
            }"""
        )
        if stop["body"] or stop["name"] in seen:
            break
        seen.add(stop["name"])
        if not (stop["ring"] and stop["onScreen"]):
            unseen.append(stop)
    context.close()
    assert len(seen) > 10
    assert unseen == []


def test_a_failed_request_is_announced_in_the_page_language(
    live_server: str, new_page: Any
) -> None:
    page = new_page()
    _sign_in(page, live_server)
    page.route("**/library/favourites/**", lambda route: route.fulfill(status=500, body=""))
    page.goto(live_server + LECTURE)
    page.locator("#content .toggle--favourite button").click()
    _until(page, "!document.getElementById('toast').hidden")
    toast = page.locator("#toast")
    assert toast.inner_text() == toast.get_attribute("data-error-message")
    assert toast.inner_text().strip()


def test_copying_the_feed_link_is_announced_in_arabic(live_server: str, new_page: Any) -> None:
    page = new_page(extra_http_headers={"Accept-Language": "ar"})
    page.goto(live_server + "/series/foundations-of-faith")
    button = page.locator(".feed-link [data-copy]")
    messages = {button.get_attribute("data-copied"), button.get_attribute("data-copy-hint")}
    button.click()
    _until(page, "!document.getElementById('toast').hidden")
    assert page.locator("#toast").inner_text() in messages
    assert "رابط الموجز" in page.locator("#toast").inner_text()
