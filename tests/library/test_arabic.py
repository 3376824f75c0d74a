"""The library in Arabic: the page mirrors, its sections, counts and positions read in Arabic,
and history is headed by days in Arabic, in the listener's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from durus.extensions import db
from durus.models import User
from tests.helpers import make_account, sign_in

from .conftest import lecture, minutes_ago, press, progress, save, series_of

pytestmark = pytest.mark.usefixtures("db_session")


@pytest.fixture
def reader(client: FlaskClient) -> User:
    user = make_account(interface_language="ar")
    sign_in(client, user)
    return user


def _main(html: str) -> str:
    return html.split('<main id="content"')[1].split("</main>")[0]


def test_an_empty_library_in_arabic(client: FlaskClient, reader: User) -> None:
    html = client.get("/library").text
    assert '<html lang="ar" dir="rtl">' in html
    main = _main(html)
    assert "<h1>مكتبتي</h1>" in main
    assert '<nav class="tabs" aria-label="أقسام المكتبة">' in main
    assert '<h2 id="section-heading">أكمِل الاستماع</h2>' in main
    assert "لا شيء لإكماله بعد." in main
    favourites = _main(client.get("/library/favourites").text)
    assert "اضغط <strong>☆ مفضّلة</strong> في أي محاضرة." in favourites


def test_series_counts_and_positions_in_arabic(client: FlaskClient, reader: User) -> None:
    series, lectures = series_of(20, minutes=10)
    save(reader, series)
    for item in lectures[:7]:
        progress(reader, item, 600, completed=minutes_ago(30))
    following = _main(client.get("/library/series").text)
    assert "التالية: المحاضرة 8 من 20" in following
    assert 'تشغيل المحاضرة 8<span class="visually-hidden"> من ' in following
    saved = _main(client.get("/library/saved").text)
    assert '<span class="library-row__counts">اكتمل 7 من 20</span>' in saved
    assert "المجموع 3:20:00 · بقي 2:10:00" in saved


def test_in_progress_rows_in_arabic(client: FlaskClient, reader: User) -> None:
    progress(reader, lecture(60), 600)
    main = _main(client.get("/library").text)
    assert "بقي 50:00" in main and "استئناف من 10:00" in main
    assert 'aria-label="استمعت إلى 10:00 من 1:00:00"' in main
    assert "إزالة من هذه القائمة" in main


def test_history_days_in_arabic_in_the_listeners_time_zone(
    client: FlaskClient, reader: User
) -> None:
    reader.time_zone = "Asia/Riyadh"  # UTC+3: 22:30 UTC on 21 November is the 22nd there
    db.session.flush()
    progress(reader, lecture(), 600, completed=datetime(2026, 11, 21, 22, 30, tzinfo=UTC))
    main = _main(client.get("/library/history").text)
    assert '<h2 id="section-heading">سجلّ الاستماع</h2>' in main
    assert re.search(r'<time datetime="2026-11-22">22 نوفمبر 2026</time>', main)
    assert "تعليم كغير مسموعة" in main


def test_toggle_messages_in_arabic(client: FlaskClient, reader: User) -> None:
    item = lecture(title="On Patience")
    page = f"/lectures/{item.slug}"
    html = client.get(page).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(
        f"/library/favourites/{item.slug}",
        data={"csrf_token": token, "state": "on", "next": page},
    )
    assert response.status_code == 303
    assert "أُضيفت «On Patience» إلى مفضّلتك." in client.get(page).text


def test_a_swapped_control_speaks_arabic(client: FlaskClient, reader: User) -> None:
    item = lecture()
    response = press(
        client, f"/library/played/{item.slug}", {"state": "on"}, htmx=True, page="/library"
    )
    assert response.status_code == 200 and "<html" not in response.text
    assert "تعليم كغير مسموعة" in response.text
