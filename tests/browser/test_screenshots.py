"""A lecture page in the English and in the Arabic interface, photographed at 1200×800: into
test-artifacts/screenshots/ on every run, and also over the README's images in
static/img/readme/ when DURUS_UPDATE_SCREENSHOTS=1 (so an ordinary run changes no tracked
file)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_listening import _until

README_IMAGES = Path(__file__).resolve().parents[2] / "static" / "img" / "readme"
SHOTS = ARTIFACTS / "screenshots"
VIEWPORT = {"width": 1200, "height": 800}
# The English interface with an English lecture; the Arabic one with an Arabic lecture.
PAGES = {
    "en": ("/lectures/foundations-1-introduction", "ltr"),
    "ar": ("/lectures/arbain-1-innama-al-amal", "rtl"),
}


@pytest.mark.parametrize("language", list(PAGES))
def test_lecture_page_screenshot(live_server: str, new_page: Any, language: str) -> None:
    address, direction = PAGES[language]
    page = new_page(viewport=VIEWPORT)
    page.context.add_cookies([{"name": "durus_lang", "value": language, "url": live_server}])
    page.goto(live_server + address)
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == direction
    # The player has taken over from the native control and read the recording's length.
    _until(page, "document.getElementById('durus-audio').readyState >= 1")
    page.evaluate("document.fonts.ready.then(() => true)")

    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"lecture-{language}.png"
    page.screenshot(path=str(shot), animations="disabled", caret="hide")
    assert shot.stat().st_size > 10000
    if os.environ.get("DURUS_UPDATE_SCREENSHOTS") == "1":
        README_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, README_IMAGES / shot.name)
