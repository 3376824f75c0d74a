"""The public site in Arabic: the page mirrors, headings and counts are Arabic (plural forms,
CLDR language names and dates), form and error messages too; English is unchanged."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient

from durus.extensions import db
from durus.models import LectureTopic
from tests.factories import make_lecture, make_scholar, make_series, make_topic

pytestmark = pytest.mark.usefixtures("db_session")
ARABIC = {"Accept-Language": "ar"}
ENGLISH = {"Accept-Language": "en"}


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "no <h1>"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_home_page_in_arabic_is_mirrored_and_arabic(client: FlaskClient) -> None:
    make_lecture(title="On Patience")
    html = client.get("/", headers=ARABIC).text
    assert '<html lang="ar" dir="rtl">' in html
    assert "<title>محاضرات مسجّلة · دروس</title>" in html
    assert _h1(html) == "محاضرات مسجّلة"
    assert '<h2 id="newest-heading">أحدث المحاضرات</h2>' in html
    assert ">الرئيسية</a>" in html and 'placeholder="العلماء، السلاسل، المحاضرات"' in html
    assert 'data-error-message="حدث خطأ ما. يُرجى المحاولة مرة أخرى."' in html
    english = client.get("/", headers=ENGLISH).text
    assert 'data-error-message="Something went wrong. Please try again."' in english
    assert "<h1>Recorded lectures</h1>" in english


@pytest.mark.parametrize(
    ("lectures", "arabic", "english"),
    [
        (1, "محاضرة واحدة", "1 lecture"),
        (2, "محاضرتان", "2 lectures"),
        (3, "3 محاضرات", "3 lectures"),
        (11, "11 محاضرة", "11 lectures"),
    ],
)
def test_counts_take_the_arabic_plural_forms(
    client: FlaskClient, lectures: int, arabic: str, english: str
) -> None:
    scholar = make_scholar(slug="al-nawawi", name="Al-Nawawi")
    series = make_series(scholar_id=scholar.id)
    for _ in range(lectures):
        make_lecture(series=series)
    html = client.get("/scholars", headers=ARABIC).text
    assert f'<span class="card__meta">سلسلة واحدة · {arabic}</span>' in html
    html = client.get("/scholars", headers=ENGLISH).text
    assert f'<span class="card__meta">1 series · {english}</span>' in html


def test_a_lecture_page_in_arabic(client: FlaskClient) -> None:
    series = make_series(slug="usul", title="أصول الفقه", language_code="ar")
    first = make_lecture(
        series=series, slug="usul-1", title="الدرس الأول", language_code="ar", position=1
    )
    lecture = make_lecture(
        series=series,
        position=2,  # a position of 1,000 or more would be written with a separator
        slug="usul-2",
        title="الدرس الثاني",
        language_code="ar",
        recorded_on=date(2026, 11, 22),
    )
    topic = make_topic(slug="fiqh", name="Jurisprudence", name_ar="الفقه")
    db.session.add(LectureTopic(lecture_id=lecture.id, topic_id=topic.id))
    db.session.flush()
    html = client.get("/lectures/usul-2", headers=ARABIC).text
    assert "أصول الفقه</a>، المحاضرة 2" in html
    assert "<dt>تاريخ التسجيل</dt>" in html
    assert '<time datetime="2026-11-22">22 نوفمبر 2026</time>' in html
    assert '<dt>اللغة</dt><dd><a href="/languages/ar">العربية</a></dd>' in html  # said once
    assert ">الفقه</a>" in html  # the topic's Arabic name
    assert f"السابقة: المحاضرة {first.position}" in html


def test_language_names_follow_the_interface(client: FlaskClient) -> None:
    make_lecture(slug="in-english", language_code="en")
    arabic = client.get("/lectures/in-english", headers=ARABIC).text
    assert (
        '<a href="/languages/en">الإنجليزية</a> <span lang="en" dir="ltr">(English)</span>'
        in arabic
    )
    title = _h1(client.get("/languages/en", headers=ARABIC).text)
    assert title == "محاضرات باللغة الإنجليزية English"  # and its own name
    english = client.get("/lectures/in-english", headers=ENGLISH).text
    assert '<a href="/languages/en">English</a></dd>' in english


def test_a_topic_shows_its_arabic_name_first_in_arabic(client: FlaskClient) -> None:
    make_topic(slug="fasting", name="Fasting", name_ar="الصيام")
    arabic = client.get("/topics/fasting", headers=ARABIC).text
    assert '<h1>الصيام <span class="title-native" lang="en" dir="ltr">Fasting</span></h1>' in arabic
    english = client.get("/topics/fasting", headers=ENGLISH).text
    assert (
        '<h1>Fasting <span class="title-native" lang="ar" dir="rtl">الصيام</span></h1>' in english
    )


def test_browse_filter_errors_in_arabic(client: FlaskClient) -> None:
    response = client.get("/lectures?min_minutes=abc&max_minutes=5000", headers=ARABIC)
    assert response.status_code == 422
    html = response.text
    assert '<label for="min_minutes">على الأقل (بالدقائق)</label>' in html
    assert '<p class="field__error" id="min_minutes-error">أدخِل عددًا صحيحًا.' in html
    assert '<p class="field__error" id="max_minutes-error">بين 0 و1440 دقيقة.</p>' in html
    assert '<option selected value="newest">الأحدث أولًا</option>' in html
    english = client.get("/lectures?min_minutes=abc", headers=ENGLISH).text
    assert "Not a valid integer value." in english


def test_search_in_arabic(client: FlaskClient) -> None:
    make_lecture(title="Tawhid: the first lesson")
    make_lecture(title="Tawhid: the second lesson")
    html = client.get("/search?q=tawhid", headers=ARABIC).text
    assert "<title>بحث: tawhid · دروس</title>" in html
    assert 'نتيجتان للبحث عن <q dir="auto">tawhid</q>.' in html
    none = client.get("/search?q=xyzzy", headers=ARABIC).text
    assert 'لا نتائج للبحث عن <q dir="auto">xyzzy</q>.' in none


def test_error_pages_in_arabic(client: FlaskClient) -> None:
    page = client.get("/lectures/nowhere", headers=ARABIC)
    assert page.status_code == 404
    assert "<title>الصفحة غير موجودة · دروس</title>" in page.text
    assert '<h1 id="error-title">الصفحة غير موجودة</h1>' in page.text
    fragment = client.get("/lectures/nowhere", headers={**ARABIC, "HX-Request": "true"})
    assert "<html" not in fragment.text and "لا يوجد شيء هنا." in fragment.text
    expired = client.post("/language", data={"language": "ar"}, headers=ARABIC)
    assert expired.status_code == 400
    assert "انتهت صلاحية هذا النموذج أو لم يصدر عن دروس." in expired.text
    english = client.get("/lectures/nowhere", headers=ENGLISH).text
    assert '<h1 id="error-title">Not Found</h1>' in english
