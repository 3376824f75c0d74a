"""The issue's journeys in Chromium, beyond the ones the other files here already walk: a
listener who searches in Arabic without the diacritics, plays, resumes and keeps a favourite;
a new listener whose speed preference the player applies; an editor refused another
scholar's pages; and the whole site without JavaScript."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from durus.extensions import db
from durus.models import Scholar, Series
from tests.browser.test_editorial import EDITOR
from tests.browser.test_listening import _position, _sign_in, _until

MARYAM = ("maryam@durus.example", "durus-maryam-demo")
# Stored with its diacritics: الحَنِيفِيَّة مِلَّةُ إِبْرَاهِيم
ARABIC_LECTURE = "/lectures/usul-4-al-hanifiyyah"
ARABIC_TITLE = "الحَنِيفِيَّة مِلَّةُ إِبْرَاهِيم"
AUDIO = "document.getElementById('durus-audio')"


def _player(page: Any) -> Any:
    return page.get_by_role("main").get_by_role("region", name="Player")


def _resume_at(section: Any) -> float:
    """The time on the continue-listening list's "Resume at m:ss" button, in seconds."""
    found = re.search(r"Resume at (\d+):(\d\d)", section.inner_text())
    return int(found[1]) * 60 + int(found[2]) if found else -1.0


def test_listener_searches_plays_resumes_and_keeps_a_favourite(
    live_server: str, new_page: Any
) -> None:
    page = new_page()
    _sign_in(page, live_server)

    # Searching without the diacritics finds the title written with them, as one types.
    page.get_by_role("searchbox", name="Search the catalogue").fill("الحنيفية ملة")
    page.wait_for_url(re.compile(r"/search\?q="))
    results = page.get_by_role("main")
    expect(results.get_by_role("link", name=ARABIC_TITLE)).to_be_visible()
    results.get_by_role("link", name=ARABIC_TITLE).click()
    page.wait_for_url(live_server + ARABIC_LECTURE)
    expect(page.get_by_role("heading", level=1)).to_have_text(ARABIC_TITLE)

    # One player: with JavaScript, the page's controls replace the browser's own.
    player = _player(page)
    expect(player.get_by_role("button", name="Play")).to_be_visible()
    expect(page.locator("audio[controls]")).to_be_hidden()

    # Play (muted), skip ahead past the point where a lecture counts as started, pause.
    page.evaluate(f"{AUDIO}.muted = true")
    player.get_by_role("button", name="Play").click()
    _until(page, f"{AUDIO}.currentTime > 1")
    player.get_by_role("button", name="Forward 30 seconds").click()
    _until(page, f"{AUDIO}.currentTime > 30")
    player.get_by_role("button", name="Pause").click()
    _until(page, f"{AUDIO}.paused")
    stopped_at = _position(page)

    # The server has it: another browser signed in as the same listener finds the lecture
    # in the library's continue-listening list, to resume at that second.
    other = new_page()
    _sign_in(other, live_server)
    other.get_by_role("link", name="Library").click()
    other.wait_for_url(live_server + "/library")
    section = other.get_by_role("region", name="Continue listening")
    for _ in range(20):  # the pause ping may still be on its way: look again until it lands
        if abs(_resume_at(section) - stopped_at) <= 1:
            break
        other.wait_for_timeout(250)
        other.reload()
    expect(section.get_by_role("link", name=ARABIC_TITLE, exact=True)).to_be_visible()
    assert abs(_resume_at(section) - stopped_at) <= 1

    # A reload resumes at the same second.
    page.reload()
    player = _player(page)
    expect(player.get_by_role("status")).to_contain_text("Resuming at")
    _until(page, f"{AUDIO}.readyState >= 1 && {AUDIO}.currentTime > 0")
    assert abs(_position(page) - stopped_at) < 1.0

    # Favourite it (in place), then find it in the library's favourites.
    favourite = page.get_by_role("main").get_by_role("button", name="Favourite")
    expect(favourite).to_have_attribute("aria-pressed", "false")
    favourite.click()
    expect(favourite).to_have_attribute("aria-pressed", "true")
    page.get_by_role("link", name="Library").click()
    page.wait_for_url(live_server + "/library")
    page.get_by_role("link", name="Favourites").click()
    page.wait_for_url(live_server + "/library/favourites")
    favourites = page.get_by_role("region", name="Favourites")
    expect(favourites.get_by_role("link", name=ARABIC_TITLE, exact=True)).to_be_visible()


def test_new_listener_signs_up_and_the_player_takes_their_speed(
    live_server: str, new_page: Any
) -> None:
    email = f"new-{uuid.uuid4().hex[:8]}@durus.example"
    account = (email, "lantern quietly crossing rivers")
    page = new_page()
    page.goto(live_server + "/")
    page.get_by_role("navigation", name="Account").get_by_role(
        "link", name="Create account"
    ).click()
    page.wait_for_url(re.compile(r"/auth/sign-up"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name").fill("Amina Rahman")
    page.get_by_label("Password").fill(account[1])
    page.get_by_role("main").get_by_role("button", name="Create account").click()
    page.wait_for_url(live_server + "/")
    account_nav = page.get_by_role("navigation", name="Account")
    expect(account_nav.get_by_role("link", name="Amina Rahman")).to_be_visible()

    account_nav.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server + "/")
    expect(account_nav.get_by_role("link", name="Sign in")).to_be_visible()
    expect(account_nav.get_by_role("link", name="Amina Rahman")).to_have_count(0)

    _sign_in(page, live_server, account)
    account_nav.get_by_role("link", name="Amina Rahman").click()
    page.wait_for_url(re.compile(r"/account$"))
    page.get_by_label("Playback speed").select_option("1.50")
    page.get_by_role("button", name="Save preferences").click()
    page.wait_for_url(re.compile(r"/account$"))
    expect(page.get_by_label("Playback speed")).to_have_value("1.50")

    page.goto(live_server + "/lectures/foundations-2-belief-in-allah")
    player = _player(page)
    speed = player.get_by_label("Speed")
    expect(speed).to_have_value("1.50")
    assert speed.locator("option:checked").inner_text() == "1.5×"
    page.evaluate(f"{AUDIO}.muted = true")
    player.get_by_role("button", name="Play").click()
    _until(page, f"{AUDIO}.currentTime > 0.5")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.5


def _ids(app: Flask) -> tuple[uuid.UUID, uuid.UUID]:
    """Another scholar's page and series: an editor has no link to them, only the address."""
    with app.app_context():
        scholar = db.session.scalar(select(Scholar.id).where(Scholar.slug == "yusuf-al-hashimi"))
        series = db.session.scalar(
            select(Series.id).where(Series.slug == "al-arbain-al-nawawiyyah")
        )
    assert scholar is not None and series is not None
    return scholar, series


def test_an_editor_is_refused_a_scholar_outside_their_scope(
    live_server: str, new_page: Any, app: Flask
) -> None:
    scholar_id, series_id = _ids(app)
    page = new_page()
    _sign_in(page, live_server, EDITOR)
    page.get_by_role("link", name="Workspace").click()
    page.wait_for_url(live_server + "/editorial")
    workspace = page.get_by_role("main")
    expect(workspace.get_by_role("link", name="Ustadh Dawud Clarke").first).to_be_visible()
    expect(workspace.get_by_role("link", name="Shaykh Yūsuf ibn Aḥmad al-Hāshimī")).to_have_count(0)
    assert "الأربعون النووية" not in workspace.inner_text()

    for address in (f"/editorial/scholars/{scholar_id}", f"/editorial/series/{series_id}"):
        response = page.goto(live_server + address)
        assert response is not None and response.status == 403, address
        expect(page.get_by_role("main")).to_contain_text("You do not have access to this page.")
        expect(page.get_by_role("main").get_by_role("textbox")).to_have_count(0)


def test_the_site_without_javascript(live_server: str, new_page: Any) -> None:
    page = new_page(java_script_enabled=False)
    base = live_server

    # Browse: home → scholars → a scholar → a series → a lecture, by plain links.
    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scholars").click()
    page.wait_for_url(base + "/scholars")
    page.get_by_role("main").get_by_role("link", name="Ustadh Dawud Clarke").first.click()
    page.wait_for_url(base + "/scholars/dawud-clarke")
    page.get_by_role("main").get_by_role("link", name="Foundations of Faith").first.click()
    page.wait_for_url(base + "/series/foundations-of-faith")
    page.get_by_role("main").get_by_role("link", name="Belief in Allah").first.click()
    page.wait_for_url(base + "/lectures/foundations-2-belief-in-allah")

    # Search: the form is a plain GET.
    search = page.get_by_role("search")
    search.get_by_role("searchbox").fill("angels")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search\?q=angels"))
    results = page.get_by_role("main")
    results.get_by_role("link", name="Belief in the Angels").click()
    lecture = base + "/lectures/foundations-3-the-angels"
    page.wait_for_url(lecture)

    # Favourite while signed out: sign in, confirm on the page that asks, back to the lecture.
    favourite = page.get_by_role("main").get_by_role("button", name="Favourite")
    expect(favourite).to_have_attribute("aria-pressed", "false")
    favourite.click()
    page.wait_for_url(re.compile(r"/auth/sign-in\?next="))
    page.get_by_label("Email").fill(MARYAM[0])
    page.get_by_label("Password").fill(MARYAM[1])
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/library/favourites/[a-z0-9-]+/add\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add to your favourites?")
    page.get_by_role("button", name="Add to favourites").click()
    page.wait_for_url(lecture)
    favourite = page.get_by_role("main").get_by_role("button", name="Favourite")
    expect(favourite).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("main")).to_contain_text("is in your favourites")

    # Signed in, the toggle is a plain form post and a 303 back to the lecture.
    favourite.click()
    expect(favourite).to_have_attribute("aria-pressed", "false")
    assert page.url == lecture

    # Play: the browser's own player (the script's controls stay hidden), with an address
    # that serves the audio.
    audio = page.locator("audio[controls]")
    expect(audio).to_be_visible()
    expect(page.get_by_role("main").get_by_role("button", name="Play", exact=True)).to_be_hidden()
    source = audio.get_attribute("src")
    whole = page.request.get(base + source)
    assert whole.status == 200
    assert whole.headers["content-type"] == "audio/mpeg"
    assert len(whole.body()) > 10000
    part = page.request.get(base + source, headers={"Range": "bytes=0-1023"})
    assert part.status == 206
    assert part.headers["content-type"] == "audio/mpeg"
    assert len(part.body()) == 1024

    # And it plays: the native control's play button (at its start, the left in English).
    box = audio.bounding_box()
    audio.click(position={"x": 20, "y": box["height"] / 2})
    _until(page, "document.querySelector('audio[controls]').currentTime > 0.5")
