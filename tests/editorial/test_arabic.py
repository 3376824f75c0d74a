"""The workspace in Arabic: an editor whose account prefers Arabic gets the pages mirrored,
with Arabic headings, labels, form errors, refusals, confirmations and accessible names; the
data (titles, names) stays as entered."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from durus.extensions import db
from durus.models import AuditEntry, PublicationState, Role
from tests.editorial.lecture_support import audio_file, editor_desk, lecture_fields
from tests.editorial.workspace_support import send, signed_in_editor, version_on
from tests.factories import make_lecture, make_series
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")
RTL = '<html lang="ar" dir="rtl">'


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "no h1"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_the_workspace_is_in_arabic_and_mirrored(client: FlaskClient) -> None:
    editor = signed_in_editor(client, interface_language="ar")
    make_lecture(
        scholar_id=editor.scholar.id,
        title="On Trust",
        state=PublicationState.DRAFT,
        published_at=None,
    )
    page = client.get("/editorial").text
    assert RTL in page
    assert _h1(page) == "مساحة العمل"
    assert "<h2>المسوّدات</h2>" in page and "<h2>المعدَّلة مؤخرًا</h2>" in page
    assert '<option value="draft">مسوّدة</option>' in page  # the value stays the stored one
    assert '<span class="badge badge--draft">مسوّدة</span>' in page
    assert "On Trust" in page  # titles are data, never translated
    assert ">Drafts<" not in page and "Title contains" not in page


def test_an_invalid_form_explains_itself_in_arabic(client: FlaskClient) -> None:
    sign_in(client, make_account(role=Role.ADMIN, interface_language="ar"))
    response = send(client, "/editorial/scholars/new", {"name": "X", "slug": "Not A Slug"})
    assert response.status_code == 422
    assert "استخدم أحرفًا لاتينية صغيرة وأرقامًا وشَرطات مفردة" in response.text
    empty = send(client, "/editorial/scholars/new", {})
    assert empty.status_code == 422 and "أدخل اسم العالِم." in empty.text
    assert ">الاسم</label>" in empty.text and 'value="حفظ بيانات العالِم"' in empty.text


def test_a_refused_upload_says_why_in_arabic(client: FlaskClient) -> None:
    desk = editor_desk(client)
    desk.editor.interface_language = "ar"
    db.session.flush()
    response = desk.post(
        f"/editorial/scholars/{desk.scholar.id}/lectures/new",
        lecture_fields(audio=audio_file("lecture.mp3", b"Not audio at all.\n" * 50)),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "لا يمكن استخدام هذا الملف تسجيلًا صوتيًا" in response.text
    page = client.get(f"/editorial/scholars/{desk.scholar.id}/lectures/new").text
    # the browser's size check and progress read their words from the page
    assert 'data-too-large="الملف الصوتي كبير جدًا: يمكن رفع ملفات حتى 500 ميغابايت."' in page
    assert "جارٍ الرفع" in page


def test_series_actions_confirmations_and_reordering_are_in_arabic(client: FlaskClient) -> None:
    editor = signed_in_editor(client, interface_language="ar")
    series = make_series(scholar_id=editor.scholar.id, title="Book of Manners")
    make_lecture(series=series, position=1, title="On Trust")
    make_lecture(series=series, position=2, title="On Patience")
    page = client.get(f"/editorial/series/{series.id}").text
    assert RTL in page
    assert 'aria-label="نقل إلى الأسفل: On Trust"' in page
    assert 'aria-label="نقل إلى الأعلى: On Patience"' in page
    assert 'hx-confirm="إلغاء نشر «Book of Manners»؟ لن يراها المستمعون بعد ذلك."' in page
    asked = send(
        client,
        f"/editorial/series/{series.id}/state",
        {"target": "archived", "version": version_on(page)},
    )
    assert _h1(asked.text) == "أرشفة «Book of Manners»؟"
    assert "نعم، أرشِف" in asked.text


def test_a_stale_edit_and_a_flash_are_in_arabic(client: FlaskClient) -> None:
    editor = signed_in_editor(client, interface_language="ar", display_name="Editor Bilal")
    created = send(
        client,
        f"/editorial/scholars/{editor.scholar.id}/series/new",
        {"title": "Forty Hadith", "language_code": "en"},
    )
    page = client.get(created.headers["Location"]).text
    assert "أُنشئت السلسلة «Forty Hadith» مسوّدةً." in page
    stale = send(
        client,
        created.headers["Location"],
        {"title": "Other", "language_code": "en", "version": "2020-01-01T00:00:00+00:00"},
    )
    assert stale.status_code == 422
    assert "عدّل Editor Bilal هذا العنصر في" in stale.text
    assert "راجع القيم الحالية واحفظ مرة أخرى." in stale.text


def test_history_arrows_point_the_reading_way(client: FlaskClient) -> None:
    sign_in(client, make_account(role=Role.ADMIN, interface_language="ar"))
    lecture = make_lecture()
    db.session.add(
        AuditEntry(
            action="lecture.updated",
            entity_type="lecture",
            entity_id=lecture.id,
            before={"title": "Old"},
            after={"title": "New"},
        )
    )
    db.session.flush()
    text = client.get(f"/editorial/lectures/{lecture.id}/history").text
    assert RTL in text and "قبل ← بعد" in text
    assert 'Old</span> ← <span dir="auto">New' in text
    assert '<span dir="ltr">lecture.updated</span>' in text  # a code, kept as it is


def test_language_names_follow_the_reader(client: FlaskClient) -> None:
    editor = signed_in_editor(client, interface_language="ar")
    arabic = client.get(f"/editorial/scholars/{editor.scholar.id}/series/new").text
    assert '<option value="en">الإنجليزية (en)</option>' in arabic
    editor.user.interface_language = "en"
    db.session.flush()
    english = client.get(f"/editorial/scholars/{editor.scholar.id}/series/new").text
    assert '<option value="en">English (en)</option>' in english
