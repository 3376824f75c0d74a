"""Accounts in Arabic: the pages mirror and speak Arabic, form errors too, and mail is written
in the recipient's language whoever asked for it."""

from __future__ import annotations

import email
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from durus.models import AccountState
from tests.helpers import make_account, post, sign_in

pytestmark = pytest.mark.usefixtures("db_session")
ARABIC = {"Accept-Language": "ar"}


def _mail(outbox: Path) -> tuple[Message, str, str]:
    (message_file,) = outbox.glob("*.eml")
    message = email.message_from_bytes(message_file.read_bytes())
    subject = str(make_header(decode_header(message["Subject"])))
    return message, subject, message.get_payload(decode=True).decode()


def test_the_sign_in_page_in_arabic(client: FlaskClient) -> None:
    page = client.get("/auth/sign-in", headers=ARABIC)
    assert '<html lang="ar" dir="rtl">' in page.text
    assert '<h1 id="sign-in-title">تسجيل الدخول</h1>' in page.text
    assert "البريد الإلكتروني</label>" in page.text
    assert "نسيت كلمة المرور؟" in page.text
    assert "Sign in" not in page.text.split('<main id="content"')[1]


def test_form_errors_in_arabic(client: FlaskClient) -> None:
    client.get("/auth/sign-in", headers=ARABIC)
    empty = post(client, "/auth/sign-in", {"email": "", "password": ""}, headers=ARABIC)
    assert empty.status_code == 422
    assert "أدخل بريدك الإلكتروني." in empty.text and "أدخل كلمة المرور." in empty.text
    wrong = post(
        client,
        "/auth/sign-in",
        {"email": "nobody@example.com", "password": "not the password"},
        headers=ARABIC,
    )
    assert "البريد الإلكتروني أو كلمة المرور غير صحيحة" in wrong.text


def test_password_rules_in_arabic(client: FlaskClient) -> None:
    short = post(
        client,
        "/auth/sign-up",
        {"email": "new@example.com", "display_name": "Jadid", "password": "short1"},
        headers=ARABIC,
    )
    assert short.status_code == 422
    assert "استخدم 10 أحرف على الأقل." in short.text  # the plural form of 3 to 10


def test_an_inactive_account_is_told_in_arabic(client: FlaskClient) -> None:
    user = make_account(state=AccountState.SUSPENDED)
    response = post(
        client, "/auth/sign-in", {"email": user.email, "password": "correct horse battery"},
        headers=ARABIC,
    )  # fmt: skip
    assert "هذا الحساب معلّق." in response.text


def test_an_arabic_reader_gets_the_reset_mail_in_arabic(client: FlaskClient, outbox: Path) -> None:
    user = make_account(interface_language="ar", display_name="Maryam")
    # Asked for from an English browser: the mail follows the account, not the request.
    post(client, "/auth/forgot-password", {"email": user.email}, headers={"Accept-Language": "en"})
    message, subject, body = _mail(outbox)
    assert subject == "إعادة تعيين كلمة مرورك في دروس"
    assert message["Content-Language"] == "ar"
    assert body.startswith("السلام عليكم Maryam،")
    assert "افتح هذا الرابط خلال 60 دقيقة:" in body
    assert "http://localhost/auth/reset-password/" in body


def test_an_english_reader_gets_the_reset_mail_in_english(
    client: FlaskClient, outbox: Path
) -> None:
    user = make_account(interface_language="en", display_name="Maryam")
    post(client, "/auth/forgot-password", {"email": user.email}, headers=ARABIC)
    message, subject, body = _mail(outbox)
    assert subject == "Reset your Durus password"
    assert message["Content-Language"] == "en"
    assert body.startswith("Assalamu alaikum Maryam,\n\n")
    assert "open this link within 60 minutes:" in body


def test_the_account_page_in_arabic(client: FlaskClient) -> None:
    user = make_account(interface_language="ar")
    sign_in(client, user)
    page = client.get("/account").text
    assert '<html lang="ar" dir="rtl">' in page
    for heading in ("حسابك", "الملف الشخصي", "التفضيلات", "بياناتك", "حذف حسابك"):
        assert f">{heading}</h" in page
    # Each language is offered by its own name, marked with its language and direction.
    assert '<option dir="ltr" lang="en" value="en">English</option>' in page
    assert 'lang="ar" selected value="ar">العربية</option>' in page


def test_preferences_are_confirmed_in_the_language_just_chosen(client: FlaskClient) -> None:
    user = make_account(interface_language="en")
    sign_in(client, user)
    response = post(
        client,
        "/account/preferences",
        {"interface_language": "ar", "playback_rate": "1.00"},
        token_from="/account",
    )
    assert response.status_code == 303
    page = client.get("/account").text
    assert '<html lang="ar" dir="rtl">' in page and "حُفظت تفضيلاتك." in page


def test_signing_out_keeps_the_language(client: FlaskClient) -> None:
    user = make_account(interface_language="ar")
    sign_in(client, user)
    response = post(client, "/auth/sign-out", token_from="/account")
    assert response.status_code == 303
    assert "durus_lang=ar" in response.headers["Set-Cookie"]
    home = client.get("/", headers={"Accept-Language": "en"}).text
    assert '<html lang="ar" dir="rtl">' in home
    assert "سُجّل خروجك من هذا الجهاز ومن كل جهاز آخر." in home
