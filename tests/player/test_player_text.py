"""The player's words come from the page, in the interface language: static/js/player.js
reads them from data-text-* on the player bar and holds no sentence of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.factories import make_lecture

pytestmark = pytest.mark.usefixtures("db_session")
SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "player.js"
TEXT = re.compile(r'data-text-([a-z-]+)="([^"]*)"')


def _camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part.title() for part in rest)


def test_the_player_bar_carries_the_scripts_words(client: FlaskClient) -> None:
    make_lecture(slug="on-patience", title="On Patience")
    english = dict(TEXT.findall(client.get("/lectures/on-patience").text))
    assert english["play-title"] == "Play {title}"
    assert english["position"] == "{position} of {duration}"
    assert english["copied"] == "Link to {time} copied."
    arabic = dict(
        TEXT.findall(client.get("/lectures/on-patience", headers={"Accept-Language": "ar"}).text)
    )
    assert arabic.keys() == english.keys()
    assert arabic["play-title"] == "تشغيل {title}"
    assert arabic["position"] == "{position} من {duration}"
    assert arabic["from-start"] == "التشغيل من البداية."
    script = SCRIPT.read_text()
    for name in english:  # every word the page gives, the script asks for
        assert f'"{_camel(name)}"' in script, name


def test_the_script_has_no_words_of_its_own() -> None:
    script = SCRIPT.read_text()
    for sentence in ('"Play', '"Pause', '" of "', '"Speed', '" copied', '"Copy this', '"Starting'):
        assert sentence not in script


def test_the_player_in_arabic(client: FlaskClient) -> None:
    make_lecture(slug="al-sabr", title="الصبر", language_code="ar")
    html = client.get("/lectures/al-sabr", headers={"Accept-Language": "ar"}).text
    assert 'data-title-lang="ar"' in html and 'data-title-dir="rtl"' in html
    assert 'aria-label="رجوع 15 ثانية" dir="auto">−15 ث</button>' in html
    assert '<div class="player__timeline" dir="ltr">' in html  # time runs left to right
    assert 'aria-label="الموضع في المحاضرة"' in html
    assert "<dt><kbd>مسافة</kbd> أو <kbd>K</kbd></dt>" in html
