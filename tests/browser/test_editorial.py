"""An editor builds a series in Chromium: create, upload three lectures, reorder, preview,
schedule one, publish; a listener then finds and plays it; the history shows each step."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.browser.test_listening import _sign_in, _until

AUDIO = Path(__file__).resolve().parents[2] / "seeds" / "audio"
EDITOR = ("editor@durus.example", "durus-editor-demo")
TITLES = ["On Patience", "On Gratitude", "On Trust"]


def _order(page: Any) -> list[str]:
    return [a.inner_text() for a in page.locator(".reorder-list li a").all()]


def test_editor_builds_schedules_and_publishes_a_series(live_server: str, new_page: Any) -> None:
    editor = new_page()
    _sign_in(editor, live_server, EDITOR)
    editor.goto(f"{live_server}/editorial")
    editor.locator("#content").get_by_role("link", name="Ustadh Dawud Clarke").first.click()
    editor.wait_for_url(re.compile(r"/editorial/scholars/[0-9a-f-]+$"))
    editor.locator("#content").get_by_role("link", name="New series").click()
    editor.wait_for_url(re.compile(r"/series/new"))
    editor.get_by_label("Title").fill("Patience in Hardship")
    editor.get_by_label("Language").select_option("en")
    editor.get_by_role("button", name="Create draft").click()
    editor.wait_for_url(re.compile(r"/editorial/series/[0-9a-f-]+$"))
    series_url = editor.url

    lectures = []
    for number, title in enumerate(TITLES, start=1):
        editor.get_by_role("link", name="Add a lecture to this series").click()
        editor.wait_for_url(re.compile(r"/lectures/new"))
        editor.get_by_label("Title").fill(title)
        editor.get_by_label("Language").select_option("en")
        editor.get_by_label("Audio file").set_input_files(str(AUDIO / f"foundations-{number}.mp3"))
        editor.get_by_role("button", name="Upload and create the draft").click()
        editor.wait_for_url(re.compile(r"/editorial/lectures/[0-9a-f-]+/edit"))
        lectures.append(editor.url.rsplit("/", 1)[0])
        editor.goto(series_url)
    assert _order(editor) == TITLES

    editor.get_by_role("button", name="Move up: On Trust").click()
    _until(editor, "document.querySelectorAll('.reorder-list li a')[1].textContent === 'On Trust'")
    assert _order(editor) == ["On Patience", "On Trust", "On Gratitude"]

    editor.goto(f"{lectures[0]}/preview")
    assert "preview" in editor.locator("#content").inner_text().lower()

    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for index, lecture in enumerate(lectures):
        editor.goto(f"{lecture}/publication?target=published")
        if index == 2:
            editor.get_by_label("Publish at (UTC)").fill(later)
        editor.locator("#content").get_by_role("button", name="Publish").click()
        editor.wait_for_url(re.compile(r"/editorial/lectures/"))
    editor.goto(series_url)
    editor.get_by_role("button", name="Publish now").click()
    _until(editor, "document.body.textContent.includes('published')")

    listener = new_page()
    listener.goto(f"{live_server}/series/patience-in-hardship")
    titles = [a.inner_text() for a in listener.locator(".lecture-row__title a").all()]
    assert titles == ["On Patience", "On Gratitude"]  # "On Trust" is scheduled for later
    listener.get_by_role("link", name="On Patience").click()
    listener.locator(".player").get_by_role("button", name="Play").click()
    _until(listener, "document.getElementById('durus-audio').currentTime > 0.5")

    editor.goto(f"{series_url}/history")
    history = editor.locator("#content").inner_text()
    assert "Demo Editor" in history
    for action in ("created", "published"):
        assert action in history.lower()
