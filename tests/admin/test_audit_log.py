"""The audit log page: entries with who, what, which thing and the change; filters; pages that
continue without gaps; the CSV export of the same view."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from durus import audit
from durus.admin import audit_queries
from durus.admin.audit_log import _cell
from durus.admin.audit_queries import AuditFilters
from durus.extensions import db
from durus.models import AuditEntry, Role, User
from tests.factories import make_lecture, make_scholar, make_series, make_user
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")

NOON = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
MARKER = re.compile(r"\bT(\d{3})\b")


@pytest.fixture
def in_a_request(app: Flask) -> Iterator[None]:
    """Words are put in the language of a request's reader (English, unless forced)."""
    with app.test_request_context():
        yield


def signed_in_admin(client: FlaskClient, **fields: Any) -> User:
    admin = make_account(role=Role.ADMIN, **fields)
    sign_in(client, admin)
    return admin


def add_entry(
    action: str = "series.updated",
    entity_type: str = "series",
    entity_id: uuid.UUID | None = None,
    *,
    actor: User | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime = NOON,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id if entity_id is not None else uuid.uuid4(),
        before=before,
        after=after,
        created_at=at,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def markers(html: str) -> list[int]:
    """The numbers of the entries shown, from their `T###` titles, in page order."""
    return [int(n) for n in MARKER.findall(html)]


def csv_rows(response: Any) -> list[dict[str, str]]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


# Access


def test_only_administrators_see_the_log(client: FlaskClient) -> None:
    assert client.get("/admin/audit").status_code in (302, 303)
    sign_in(client, make_account(role=Role.EDITOR))
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


# The page


def test_empty_log_and_empty_filter_result_say_so(client: FlaskClient) -> None:
    signed_in_admin(client)
    page = client.get("/admin/audit")
    assert page.status_code == 200 and "Nothing has been recorded yet" in page.text
    add_entry()
    filtered = client.get("/admin/audit?action=lecture.deleted")
    assert filtered.status_code == 200
    assert "No entries match these filters" in filtered.text
    assert "Older entries" not in filtered.text


def test_an_entry_shows_who_what_which_thing_and_the_change(client: FlaskClient) -> None:
    admin = signed_in_admin(client, display_name="Amina Admin", email="amina@example.com")
    series = make_series(title="سلسلة الأصول")
    add_entry(
        "series.updated",
        "series",
        series.id,
        actor=admin,
        before={"title": "Old title", "description": "", "state": "draft"},
        after={"title": series.title, "description": "x" * 200, "state": "draft"},
    )
    html = client.get("/admin/audit").text
    assert "Amina Admin" in html and "amina@example.com" in html
    assert "Series updated" in html
    assert f'href="/editorial/series/{series.id}"' in html
    assert '<span dir="auto">سلسلة الأصول</span>' in html
    # the diff: humanised names, changed fields only, empty and long values readable
    assert "Title</span>:" in html and "Old title" in html
    assert "Description</span>:" in html and "(empty)" in html
    assert "State</span>" not in html  # unchanged
    assert '<details class="audit-long">' in html and "x" * 200 in html
    # the actor links to their actions
    assert f'href="/admin/audit?actor={admin.id}"' in html


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        ("", "(empty)"),
        (True, "yes"),
        (3, "3"),
        (["a", "b"], "a, b"),
        ([], "(empty)"),
        ({"issuer": "https://id.example"}, '{"issuer": "https://id.example"}'),
        ("نص", "نص"),
    ],
)
@pytest.mark.usefixtures("in_a_request")
def test_values_read_as_text(value: Any, text: str | None) -> None:
    assert audit.as_text(value) == text


@pytest.mark.usefixtures("in_a_request")
def test_field_and_action_names_are_humanised() -> None:
    assert audit.field_label("display_name") == "Display name"
    assert audit.field_label("series_id") == "Series ID"
    assert audit.field_label("name_original") == "Name in original script"
    assert audit.field_label("made_up_field") == "Made up field"
    assert audit.action_label("user.role_changed") == "User role changed"
    assert audit.action_label("thing.happened_today") == "Thing happened today"
    entry = AuditEntry(before={"role": "listener"}, after={"role": "editor", "note": None})
    assert audit.changes_summary(entry) == "Role: listener → editor"
    created = AuditEntry(before=None, after={"title": "New"})
    assert audit.changes_summary(created) == "Title: — → New"


@pytest.mark.usefixtures("in_a_request")
def test_field_names_actions_and_coded_values_read_in_arabic() -> None:
    with force_locale("ar"):
        assert audit.field_label("display_name") == "الاسم المعروض"
        assert audit.action_label("user.role_changed") == "تغيير دور حساب"
        assert audit.entity_type_label("lecture") == "المحاضرة"
        assert audit.as_text(True) == "نعم" and audit.as_text("") == "(فارغ)"
        entry = AuditEntry(before={"role": "listener"}, after={"role": "editor"})
        [change] = audit.readable_changes(entry)
        assert (change.label, change.before, change.after) == ("الدور", "مستمع", "محرّر")
        # names and codes nobody translated stay as they are
        assert audit.field_label("made_up_field") == "Made up field"
        assert audit.as_text("Old title") == "Old title"


def test_entities_are_named_and_linked_and_missing_ones_say_deleted(
    client: FlaskClient,
) -> None:
    signed_in_admin(client)
    scholar = make_scholar(name="Ibn Example")
    lecture = make_lecture(title="On intention")
    person = make_user(display_name="Layla Listener", email="layla@example.com")
    add_entry("scholar.updated", "scholar", scholar.id, at=NOON)
    add_entry("lecture.updated", "lecture", lecture.id, at=NOON - timedelta(minutes=1))
    add_entry("user.profile_changed", "user", person.id, at=NOON - timedelta(minutes=2))
    add_entry("lecture.deleted", "lecture", uuid.uuid4(), at=NOON - timedelta(minutes=3))
    add_entry("thing.happened", "thing", uuid.uuid4(), at=NOON - timedelta(minutes=4))
    html = client.get("/admin/audit").text
    assert f'href="/editorial/scholars/{scholar.id}"' in html and "Ibn Example" in html
    assert f'href="/editorial/lectures/{lecture.id}/edit"' in html and "On intention" in html
    assert "Layla Listener (layla@example.com)" in html
    assert f'href="/admin/users/{person.id}"' in html
    assert html.count("(deleted)") == 1
    assert "No details recorded" in html
    assert "— system or deleted account" in html


def test_the_editorial_history_still_reads_the_shared_diff(client: FlaskClient) -> None:
    admin = signed_in_admin(client)
    scholar = make_scholar()
    add_entry("scholar.updated", "scholar", scholar.id, actor=admin,
              before={"name": "Before name"}, after={"name": "After name"})  # fmt: skip
    html = client.get(f"/editorial/scholars/{scholar.id}/history").text
    assert "Before name" in html and "After name" in html


# Filters


@pytest.fixture
def mixed_log(client: FlaskClient) -> dict[str, Any]:
    """Entries by two people and the system over three days, T001 the newest."""
    admin = signed_in_admin(client, email="Boss@Example.com")
    editor = make_user(email="editor@example.com", role=Role.EDITOR)
    account = make_user()
    series_id = uuid.uuid4()
    day = datetime(2025, 3, 10, tzinfo=UTC)
    rows = [
        # (marker, action, entity type, entity id, actor, time)
        (1, "user.role_changed", "user", account.id, admin, day + timedelta(hours=23, minutes=59)),
        (2, "series.updated", "series", series_id, editor, day),  # the first instant of the 10th
        (3, "series.published", "series", series_id, editor, day - timedelta(microseconds=1)),
        (4, "user.deleted", "user", uuid.uuid4(), None, day - timedelta(hours=5)),
        (5, "lecture.created", "lecture", uuid.uuid4(), editor, day - timedelta(days=1, hours=1)),
    ]
    for n, action, kind, entity_id, actor, at in rows:
        add_entry(action, kind, entity_id, actor=actor, after={"title": f"T{n:03d}"}, at=at)
    return {"admin": admin, "editor": editor, "account": account, "series_id": series_id}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [1, 2, 3, 4, 5]),
        ("actor=EDITOR@example.com", [2, 3, 5]),
        ("actor=+boss@example.com+", [1]),
        ("action=series.updated", [2]),
        ("entity_type=user", [1, 4]),
        ("date_from=2025-03-10", [1, 2]),
        ("date_to=2025-03-09", [3, 4, 5]),
        ("date_from=2025-03-10&date_to=2025-03-10", [1, 2]),
        ("date_from=2025-03-09&date_to=2025-03-09", [3, 4]),
        ("actor=editor@example.com&entity_type=series&date_to=2025-03-09", [3]),
        ("action=user.never_done", []),
    ],
)
def test_filters_each_and_combined(
    client: FlaskClient, mixed_log: dict[str, Any], query: str, expected: list[int]
) -> None:
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    assert markers(response.text) == expected
    if not expected:
        assert "No entries match these filters" in response.text


def test_filter_by_actor_id_and_by_entity(client: FlaskClient, mixed_log: dict[str, Any]) -> None:
    by_id = client.get(f"/admin/audit?actor={mixed_log['editor'].id}")
    assert markers(by_id.text) == [2, 3, 5]
    assert "Actions of" in by_id.text
    series = client.get(f"/admin/audit?entity_type=series&entity_id={mixed_log['series_id']}")
    assert markers(series.text) == [2, 3]
    account = client.get(f"/admin/audit?entity_type=user&entity_id={mixed_log['account'].id}")
    assert markers(account.text) == [1]


def test_the_action_select_offers_the_actions_present(
    client: FlaskClient, mixed_log: dict[str, Any]
) -> None:
    html = client.get("/admin/audit").text
    for action in ("user.role_changed", "series.updated", "lecture.created"):
        assert f'<option value="{action}">' in html
    assert '<option value="note.added">' not in html
    assert '<option value="series">Series</option>' in html


def test_an_unknown_actor_shows_nothing_with_a_message(
    client: FlaskClient, mixed_log: dict[str, Any]
) -> None:
    response = client.get("/admin/audit?actor=nobody@example.com")
    assert response.status_code == 200
    assert "No account has the email nobody@example.com." in response.text
    assert markers(response.text) == []
    unknown_id = client.get(f"/admin/audit?actor={uuid.uuid4()}")
    assert unknown_id.status_code == 200 and "No account has this ID." in unknown_id.text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2025-03-11&date_to=2025-03-10", "must not be before the start date"),
        ("date_from=2025-13-01", "Not a valid date value"),
        ("date_to=yesterday", "Not a valid date value"),
        ("entity_type=user&entity_id=42", "Not a valid ID."),
        (f"entity_id={uuid.UUID(int=7)}", "Choose the entity type of this ID."),
        ("action=DROP+TABLE", "Not a valid choice"),
        ("entity_type=%3Cscript%3E", "Not a valid choice"),
        ("actor=bob", "Enter an email address"),
        ("actor=a%00@x.org", "Enter an email address"),
        ("actor=" + "a" * 330 + "@x.org", "At most 320 characters."),
    ],
)
def test_invalid_filters_are_refused_with_the_form_again(
    client: FlaskClient, mixed_log: dict[str, Any], query: str, message: str
) -> None:
    for path in ("/admin/audit", "/admin/audit.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        assert message in response.text
        assert "Filter entries" in response.text and 'aria-invalid="true"' in response.text
        assert markers(response.text) == []


def test_a_cursor_not_made_here_is_refused(client: FlaskClient) -> None:
    signed_in_admin(client)
    for cursor in ("garbage", "WyJ4Il0", "WyJub3QgYSBkYXRlIiwieCJd"):
        assert client.get(f"/admin/audit?after={cursor}").status_code == 400
    naive = audit_queries.encode_cursor(["2025-03-10T12:00:00", uuid.uuid4()])
    assert client.get(f"/admin/audit?after={naive}").status_code == 400


# Pages


def _older_link(html: str) -> str | None:
    match = re.search(r'<a class="button" href="([^"]+)" hx-get=[^>]*>Older entries', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_pages_continue_without_repeats_or_gaps_when_entries_share_a_time(
    client: FlaskClient,
) -> None:
    signed_in_admin(client)
    size = audit_queries.PAGE_SIZE
    # numbered newest first; groups of 7 share one instant
    for n in range(1, size * 2 + 11):
        add_entry(after={"title": f"T{n:03d}"}, at=NOON - timedelta(seconds=(n - 1) // 7))
    seen: list[int] = []
    url: str | None = "/admin/audit"
    pages = 0
    while url:
        html = client.get(url).text
        shown = markers(html)
        assert len(shown) <= size
        seen += shown
        url = _older_link(html)
        pages += 1
    assert pages == 3
    # within one instant the order is by id: compare as sets per instant, and overall
    assert sorted(seen) == list(range(1, size * 2 + 11))
    assert len(seen) == len(set(seen))
    groups = [(n - 1) // 7 for n in seen]
    assert groups == sorted(groups)


def test_older_entries_keep_the_filters_and_append_rows_for_htmx(client: FlaskClient) -> None:
    signed_in_admin(client)
    size = audit_queries.PAGE_SIZE
    for n in range(1, size + 3):
        add_entry(after={"title": f"T{n:03d}"}, at=NOON - timedelta(minutes=n))
    add_entry("lecture.updated", "lecture", after={"title": "T999"}, at=NOON)
    first = client.get("/admin/audit?action=series.updated")
    link = _older_link(first.text)
    assert link is not None and "action=series.updated" in link and "after=" in link
    assert 'hx-target="closest tr"' in first.text and 'hx-select="unset"' in first.text
    fragment = client.get(link, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in fragment.text and "<tr" in fragment.text
    assert markers(fragment.text) == [size + 1, size + 2]
    assert "Older entries" not in fragment.text
    whole = client.get(link)
    assert "<html" in whole.text and markers(whole.text) == [size + 1, size + 2]
    assert "Back to the newest entries" in whole.text


def test_the_page_reads_a_bounded_number_of_statements(
    client: FlaskClient, count_queries: Callable[[], Any]
) -> None:
    admin = signed_in_admin(client)
    scholar, series, lecture = make_scholar(), make_series(), make_lecture()
    targets = [("scholar", scholar.id), ("series", series.id), ("lecture", lecture.id),
               ("user", admin.id), ("series", uuid.uuid4())]  # fmt: skip

    def add(count: int) -> None:
        for n in range(count):
            kind, entity_id = targets[n % len(targets)]
            actor = admin if n % 2 else None
            add_entry(f"{kind}.updated", kind, entity_id, actor=actor,
                      before={"title": "a"}, after={"title": "b"})  # fmt: skip

    def statements() -> int:
        with count_queries() as sent:
            assert client.get("/admin/audit").status_code == 200
        return len(sent)

    add(5)
    few = statements()
    add(55)
    assert statements() == few


# CSV


def test_the_export_has_every_column_and_honours_the_filters(
    client: FlaskClient, mixed_log: dict[str, Any]
) -> None:
    page = client.get("/admin/audit?actor=editor@example.com")
    assert 'href="/admin/audit.csv?actor=editor@example.com"' in page.text
    response = client.get("/admin/audit.csv?actor=editor@example.com")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.is_streamed
    today = datetime.now(UTC).strftime("%Y%m%d")
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="durus-audit-{today}.csv"'
    )
    assert response.get_data().startswith("\ufeff".encode())
    rows = csv_rows(response)
    assert [r["after"] for r in rows] == ['{"title": "T002"}', '{"title": "T003"}',
                                          '{"title": "T005"}']  # fmt: skip
    first = rows[0]
    assert list(first) == [
        "time", "actor email", "actor name", "action", "entity type", "entity id",
        "entity label", "changes", "before", "after",
    ]  # fmt: skip
    assert first["time"] == "2025-03-10T00:00:00+00:00"
    assert first["actor email"] == "editor@example.com"
    assert first["action"] == "series.updated"
    assert first["entity type"] == "series"
    assert first["entity id"] == str(mixed_log["series_id"])
    assert first["entity label"] == "(deleted)"
    assert first["changes"] == "Title: — → T002"
    assert first["before"] == ""


def test_the_export_of_an_empty_view_is_the_header(
    client: FlaskClient, mixed_log: dict[str, Any]
) -> None:
    for query in ("action=user.never_done", "actor=nobody@example.com"):
        response = client.get(f"/admin/audit.csv?{query}")
        assert response.status_code == 200 and csv_rows(response) == []


def test_the_export_defuses_spreadsheet_formulas(client: FlaskClient) -> None:
    admin = signed_in_admin(client, display_name='=HYPERLINK("http://x")')
    series = make_series(title="+SUM(A1)")
    add_entry("series.updated", "series", series.id, actor=admin,
              before={"title": "-1"}, after={"title": "@cmd"})  # fmt: skip
    [row] = csv_rows(client.get("/admin/audit.csv"))
    assert row["actor name"] == '\'=HYPERLINK("http://x")'
    assert row["entity label"] == "'+SUM(A1)"
    assert row["changes"] == "Title: -1 → @cmd"


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_a_spreadsheet_would_compute_is_quoted(text: str) -> None:
    assert _cell(text) == "'" + text
    assert _cell("plain " + text) == "plain " + text


def test_the_export_reads_the_log_in_batches(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, count_queries: Callable[[], Any]
) -> None:
    signed_in_admin(client)
    series = make_series(title="Named")
    for n in range(1, 8):
        add_entry("series.updated", "series", series.id,
                  after={"title": f"T{n:03d}"}, at=NOON - timedelta(seconds=n // 3))  # fmt: skip
    batches = list(audit_queries.entry_batches(AuditFilters(), size=3))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert len({row.entry.id for batch in batches for row in batch}) == 7
    monkeypatch.setattr(audit_queries, "EXPORT_BATCH", 3)
    with count_queries() as sent:
        rows = csv_rows(client.get("/admin/audit.csv"))
    assert sorted(r["after"] for r in rows) == [f'{{"title": "T{n:03d}"}}' for n in range(1, 8)]
    assert {r["entity label"] for r in rows} == {"Named"}
    assert sum("FROM audit_log" in s for s in sent) == 3 + 1  # three batches, and the choices


def test_a_date_range_ending_on_the_last_day_there_is_works(client: FlaskClient) -> None:
    signed_in_admin(client)
    add_entry(after={"title": "T001"})
    response = client.get(f"/admin/audit?date_from=2025-01-01&date_to={date.max.isoformat()}")
    assert response.status_code == 200 and markers(response.text) == [1]
