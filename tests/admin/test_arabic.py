"""The administration in Arabic: the pages mirror, their words, refusals and form errors are in
Arabic, dates and charts are written for the reader; the CSV export stays a language-neutral
data file."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from durus.extensions import db
from durus.models import AuditEntry, Role, User
from tests.admin.test_insights import listen
from tests.factories import make_lecture
from tests.helpers import make_account, post, sign_in

pytestmark = pytest.mark.usefixtures("db_session")

RTL = '<html lang="ar" dir="rtl">'


@pytest.fixture
def admin(client: FlaskClient) -> User:
    user = make_account(role=Role.ADMIN, interface_language="ar", display_name="Amina Admin")
    sign_in(client, user)
    return user


@pytest.fixture
def log_dir(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "analytics"
    monkeypatch.setitem(app.config, "ANALYTICS_DIR", str(directory))
    return directory


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_administration_pages_mirror_and_speak_arabic(client: FlaskClient, admin: User) -> None:
    for path, heading in [
        ("/admin/", "<h1>الإدارة</h1>"),
        ("/admin/users", "<h1>الحسابات</h1>"),
        ("/admin/audit", "<h1>سجلّ التدقيق</h1>"),
        ("/admin/insights", "<h1>إحصاءات الاستماع</h1>"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert RTL in response.text and heading in response.text, path
        assert 'aria-label="الإدارة"' in response.text  # the section navigation
    users = client.get("/admin/users").text
    assert "البحث بالاسم أو البريد الإلكتروني" in users and ">الأحدث أولًا<" in users
    assert ">مدير<" in users  # the role of the row


def test_an_account_page_and_its_refusal_in_arabic(client: FlaskClient, admin: User) -> None:
    page = client.get(f"/admin/users/{admin.id}").text
    assert "طريقة تسجيل الدخول" in page and "تغيير الدور" in page and "إعادة تفعيل" not in page
    assert "→" in page  # "back to all accounts" points right, the way back in Arabic
    # The last administrator cannot demote themself: the refusal is in the reader's language.
    path = f"/admin/users/{admin.id}/role"
    refused = post(client, path, {"role": "listener", "confirm": "y"}, token_from="/admin/")
    assert refused.status_code == 409
    assert "لا يمكن خفض دور Amina Admin" in refused.text
    assert "is the last active administrator" not in refused.text


def test_form_errors_in_arabic(client: FlaskClient, admin: User) -> None:
    state = post(client, f"/admin/users/{admin.id}/state", {"change": "suspend", "reason": ""},
                 token_from="/admin/")  # fmt: skip
    assert state.status_code == 422 and "اذكر سببًا: سيُحفظ في سجلّ التدقيق." in state.text
    audit = client.get("/admin/audit", query_string={"entity_type": "user", "entity_id": "42"})
    assert audit.status_code == 400 and "معرّف غير صالح." in audit.text
    insights = client.get("/admin/insights", query_string={"period": "custom"})
    assert insights.status_code == 400 and "حدّد أول يوم في الفترة." in insights.text


def test_the_audit_log_in_arabic(client: FlaskClient, admin: User) -> None:
    db.session.add(
        AuditEntry(actor_id=admin.id, action="user.role_changed", entity_type="user",
                   entity_id=admin.id, before={"role": "listener"}, after={"role": "editor"})
    )  # fmt: skip
    db.session.flush()
    html = client.get("/admin/audit").text
    assert "تغيير دور حساب" in html and "user.role_changed" in html  # the code stays
    assert '<span class="audit-field">الدور</span>' in html
    assert '<span dir="auto">مستمع</span>' in html and '<span dir="auto">محرّر</span>' in html
    assert '<span aria-hidden="true">←</span>' in html  # the change reads right to left
    # The export is the same data file whoever downloads it.
    lines = client.get("/admin/audit.csv").text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("time,actor email,actor name,action,")
    assert "user.role_changed" in lines[1] and "Role: listener → editor" in lines[1]


def test_insights_in_arabic(client: FlaskClient, admin: User, log_dir: Path) -> None:
    lecture = make_lecture(title="الصبر")
    day = datetime(2026, 11, 6, tzinfo=UTC).date()
    listen(log_dir, lecture, 120, day=day)
    listen(log_dir, lecture, 90, day=day + timedelta(days=1), listener="b" * 32)
    query = {"period": "custom", "start": "2026-11-01", "end": "2026-11-07"}
    html = client.get("/admin/insights", query_string=query).text
    assert RTL in html
    assert "الجمعة 6 نوفمبر 2026" in html  # a day in the tables and descriptions
    assert re.search(r'<text class="chart__tick chart__label"[^>]*>1 نوفمبر</text>', html)
    assert '<title id="chart-plays-title">مرّات التشغيل في اليوم</title>' in html
    assert "الأعلى: 1 في" in html  # the chart's description
    assert "<caption>المحاضرات الأكثر تشغيلًا</caption>" in html
    assert "مرّات التشغيل 2 " in text_of(html)
    drop_off = client.get(f"/admin/insights/lectures/{lecture.id}", query_string=query).text
    assert 'أين يتوقف المستمعون: <span dir="auto">الصبر</span>' in drop_off
    assert '<th scope="col">عمليات التشغيل</th>' in drop_off
