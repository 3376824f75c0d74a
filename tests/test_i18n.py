"""The interface language: account preference, else the switcher's cookie, else the
browser's Accept-Language; Arabic mirrors the page; the catalogue is complete."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import select

from durus import i18n
from durus.extensions import db
from durus.models import User
from tests.helpers import make_account, post, sign_in

pytestmark = pytest.mark.usefixtures("db_session")
HTML = re.compile(r"<html[^>]*>")


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return HTML.search(response.text).group(0)


def test_accept_language_chooses_arabic(client: FlaskClient) -> None:
    arabic = client.get("/", headers={"Accept-Language": "ar-SA,ar;q=0.9,en;q=0.5"})
    assert _html(arabic) == '<html lang="ar" dir="rtl">'
    assert "محاضرات" in arabic.text
    assert "Accept-Language" in arabic.headers["Vary"]
    english = client.get("/", headers={"Accept-Language": "fr-FR,de;q=0.8"})
    assert _html(english) == '<html lang="en" dir="ltr">'


def test_the_switcher_sets_a_cookie_for_visitors(client: FlaskClient) -> None:
    response = post(client, "/language", {"language": "ar", "next": "/scholars"})
    assert response.status_code == 303 and response.headers["Location"] == "/scholars"
    assert "durus_lang=ar" in response.headers["Set-Cookie"]
    page = client.get("/scholars", headers={"Accept-Language": "en"})
    assert _html(page) == '<html lang="ar" dir="rtl">'  # the choice beats the browser


def test_the_switcher_refuses_bad_input(client: FlaskClient) -> None:
    assert post(client, "/language", {"language": "fr"}).status_code == 400
    away = post(client, "/language", {"language": "en", "next": "https://evil.example/"})
    assert away.headers["Location"] == "/"
    assert client.post("/language", data={"language": "ar"}).status_code == 400  # no CSRF token


def test_a_signed_in_person_has_their_account_preference(app: Flask, client: FlaskClient) -> None:
    user = make_account(interface_language="ar")
    sign_in(client, user)
    assert _html(client.get("/", headers={"Accept-Language": "en"})) == '<html lang="ar" dir="rtl">'
    post(client, "/language", {"language": "en", "next": "/"}, token_from="/")
    db.session.refresh(user)
    assert user.interface_language == "en"
    other_browser = app.test_client()
    other_browser.set_cookie("durus_lang", "ar")
    sign_in(other_browser, user)
    assert _html(other_browser.get("/")) == '<html lang="en" dir="ltr">'


def test_numbers_and_dates_follow_the_locale(app: Flask) -> None:
    with app.test_request_context(), force_locale("ar"):
        assert i18n.long_date(date(2026, 11, 22)) == "22 نوفمبر 2026"
        assert i18n.number(1234.5, 1) == "1,234.5"
    with app.test_request_context(), force_locale("en_GB"):
        assert i18n.long_date(date(2026, 11, 22)) == "22 November 2026"
        assert i18n.number(1234) == "1,234"


def test_every_interface_string_has_an_arabic_translation() -> None:
    tool = Path(i18n.__file__).parent / "translations" / "tool.py"
    result = subprocess.run(
        [sys.executable, str(tool), "check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_new_account_keeps_the_language_it_signed_up_in(client: FlaskClient) -> None:
    client.set_cookie("durus_lang", "ar")
    response = post(
        client,
        "/auth/sign-up",
        {"email": "new@example.com", "display_name": "Jadid", "password": "a long new passphrase",
         "confirm": "a long new passphrase"},
    )  # fmt: skip
    assert response.status_code == 303, response.text
    user = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert user.interface_language == "ar"
