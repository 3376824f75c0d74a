"""A listener plays a lecture, browses on while it plays, and resumes on another browser."""

from __future__ import annotations

from typing import Any

LISTENER = ("listener@durus.example", "durus-listener-demo")
LECTURE = "/lectures/foundations-1-introduction"


def _sign_in(page: Any, base: str, account: tuple[str, str] = LISTENER) -> None:
    page.goto(f"{base}/auth/sign-in")
    page.get_by_label("Email").fill(account[0])
    page.get_by_label("Password").fill(account[1])
    page.locator("#content").get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def _position(page: Any) -> float:
    return float(page.evaluate("document.getElementById('durus-audio').currentTime"))


def _until(page: Any, expression: str, timeout_ms: int = 10000) -> None:
    """Poll from outside: the page's CSP forbids the eval that wait_for_function uses."""
    for _ in range(timeout_ms // 100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def test_play_browse_and_resume_on_another_browser(live_server: str, new_page: Any) -> None:
    first = new_page()
    _sign_in(first, live_server)
    first.goto(live_server + LECTURE)
    first.locator(".player").get_by_role("button", name="Play").click()
    _until(first, "document.getElementById('durus-audio').currentTime > 2")

    # Browsing on (boosted navigation) keeps the lecture playing in the bar.
    first.get_by_role("link", name="Scholars", exact=True).click()
    first.wait_for_url(f"{live_server}/scholars")
    assert first.evaluate("!document.getElementById('durus-audio').paused")
    bar = first.get_by_role("region", name="Now playing")
    assert "Introduction: What Faith Is" in bar.inner_text()

    bar.get_by_role("button", name="Pause Introduction: What Faith Is").click()
    stopped_at = _position(first)
    first.wait_for_timeout(500)  # the pause ping

    second = new_page()
    _sign_in(second, live_server)
    resume = 0.0
    for _ in range(20):  # the pause ping is on its way: look again until it has landed
        second.goto(live_server + LECTURE)
        resume = float(second.locator(".player").get_attribute("data-resume"))
        if resume:
            break
        second.wait_for_timeout(250)
    assert abs(resume - stopped_at) < 1.0
    assert "Resuming at" in second.locator(".player__status").inner_text()
    _until(second, "document.getElementById('durus-audio').readyState >= 1")
    assert abs(_position(second) - stopped_at) < 1.0


def test_the_native_player_works_without_javascript(live_server: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + LECTURE)
    audio = page.locator("audio.player__native")
    assert audio.get_attribute("controls") is not None
    assert audio.get_attribute("src").startswith("/media/audio/")
    context.close()
