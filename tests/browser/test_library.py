"""A visitor favourites a lecture: asked to sign in, confirms in one click, and the toggle then
swaps itself in place."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.test_listening import LECTURE, LISTENER


def test_favourite_from_anonymous_to_signed_in_and_back(live_server: str, new_page: Any) -> None:
    page = new_page()
    page.goto(live_server + LECTURE)
    toggle = page.locator("#content .lecture__library .toggle--favourite button")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()  # htmx is told to go to the sign-in page

    page.wait_for_url(re.compile(r".*/auth/sign-in\?next=.*"))
    page.get_by_label("Email").fill(LISTENER[0])
    page.get_by_label("Password").fill(LISTENER[1])
    page.locator("#content").get_by_role("button", name="Sign in").click()

    page.wait_for_url(re.compile(r".*/library/favourites/[a-z0-9-]+/add\?next=.*"))
    assert "Add to your favourites?" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Add to favourites").click()

    page.wait_for_url(live_server + LECTURE)
    toggle = page.locator("#content .lecture__library .toggle--favourite button")
    assert toggle.get_attribute("aria-pressed") == "true"
    assert "is in your favourites" in page.locator(".flashes").inner_text()

    # With JavaScript, the toggle swaps itself: no navigation, the page stays as it is.
    page.evaluate("document.getElementById('content').dataset.marker = 'same page'")
    toggle.click()
    page.wait_for_selector('#content .toggle--favourite button[aria-pressed="false"]')
    assert page.evaluate("document.getElementById('content').dataset.marker") == "same page"
    assert page.url == live_server + LECTURE

    page.get_by_role("link", name="Library").click()
    page.wait_for_url(live_server + "/library")
    page.get_by_role("link", name="Favourites").click()
    page.wait_for_url(live_server + "/library/favourites")
    assert "on any lecture" in page.locator("#library-section").inner_text()
