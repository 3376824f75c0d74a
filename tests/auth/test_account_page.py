"""The account page: profile, preferences, download my data, delete my account."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from durus.extensions import db
from durus.models import (
    AccountState,
    AuditEntry,
    Favourite,
    LibrarySeries,
    Role,
    User,
    UserCredential,
    UserProgress,
)
from tests.factories import make_lecture, make_series, make_user
from tests.helpers import PASSWORD, make_account, post, sign_in

pytestmark = pytest.mark.usefixtures("db_session")


@pytest.fixture
def member(client: FlaskClient) -> User:
    user = make_account(email="member@example.com", display_name="Member")
    sign_in(client, user)
    return user


def _post(client: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return post(client, path, data, token_from="/account")


def test_account_page_shows_the_forms(client: FlaskClient, member: User) -> None:
    html = client.get("/account").text
    for heading in ("Profile", "Password", "Preferences", "Your data", "Delete your account"):
        assert heading in html
    assert 'hx-history="false"' in html


def test_change_display_name(client: FlaskClient, member: User) -> None:
    response = _post(
        client, "/account/profile", {"display_name": "Abu Bakr", "email": member.email}
    )
    assert response.status_code == 303
    db.session.refresh(member)
    assert member.display_name == "Abu Bakr"


def test_changing_email_needs_the_current_password(client: FlaskClient, member: User) -> None:
    data = {"display_name": "Member", "email": "moved@example.com"}
    refused = _post(client, "/account/profile", data)
    assert refused.status_code == 422
    assert "Enter your current password" in refused.text
    db.session.refresh(member)
    assert member.email == "member@example.com"
    accepted = _post(client, "/account/profile", data | {"current_password": PASSWORD})
    assert accepted.status_code == 303
    db.session.refresh(member)
    assert member.email == "moved@example.com"


def test_email_of_another_account_is_refused(client: FlaskClient, member: User) -> None:
    make_user(email="taken@example.com")
    response = _post(
        client,
        "/account/profile",
        {"display_name": "Member", "email": "TAKEN@example.com", "current_password": PASSWORD},
    )
    assert response.status_code == 422
    assert "Another account uses this email" in response.text


def test_preferences_are_saved(client: FlaskClient, member: User) -> None:
    response = _post(
        client,
        "/account/preferences",
        {"interface_language": "ar", "playback_rate": "1.50", "autoplay_next": ""},
    )
    assert response.status_code == 303
    db.session.refresh(member)
    assert (member.interface_language, member.playback_rate, member.autoplay_next) == (
        "ar",
        Decimal("1.50"),
        False,
    )


@pytest.mark.parametrize(
    "data",
    [
        {"interface_language": "fr", "playback_rate": "1.00"},
        {"interface_language": "en", "playback_rate": "9.00"},
    ],
)
def test_invalid_preferences_change_nothing(
    client: FlaskClient, member: User, data: dict[str, str]
) -> None:
    response = _post(client, "/account/preferences", data)
    assert response.status_code == 422
    assert "Not a valid choice" in response.text
    db.session.refresh(member)
    assert (member.interface_language, member.playback_rate) == ("en", Decimal("1.00"))


@pytest.mark.parametrize("path", ["/account/profile", "/account/preferences", "/account/password"])
def test_extra_fields_do_not_change_role_or_state(
    client: FlaskClient, member: User, path: str
) -> None:
    _post(
        client,
        path,
        {
            "display_name": "Member",
            "email": member.email,
            "interface_language": "en",
            "playback_rate": "1.00",
            "role": "admin",
            "state": "active",
            "user_id": str(make_user().id),
            "session_version": "1",
        },
    )
    db.session.refresh(member)
    assert member.role is Role.LISTENER
    assert member.state is AccountState.ACTIVE


def test_download_my_data(client: FlaskClient, member: User) -> None:
    lecture = make_lecture(title="On Patience")
    series = make_series(title="Foundations")
    db.session.add_all(
        [
            UserProgress(
                user_id=member.id,
                lecture_id=lecture.id,
                position_seconds=42.5,
                observed_at=datetime.now(UTC),
            ),
            Favourite(user_id=member.id, lecture_id=lecture.id),
            LibrarySeries(user_id=member.id, series_id=series.id),
        ]
    )
    db.session.flush()
    response = client.get("/account/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.text)
    assert data["account"]["email"] == "member@example.com"
    assert data["progress"][0]["title"] == "On Patience"
    assert data["progress"][0]["position_seconds"] == 42.5
    assert [f["title"] for f in data["favourites"]] == ["On Patience"]
    assert [s["title"] for s in data["library_series"]] == ["Foundations"]
    assert "password" not in response.text.lower().replace("has_password", "")


def test_delete_account_needs_the_password(client: FlaskClient, member: User) -> None:
    page = client.get("/account/delete")
    assert page.status_code == 200
    assert "cannot be undone" in page.text
    refused = post(client, "/account/delete", {"password": "not it at all"}, token_from="/account")
    assert refused.status_code == 422
    assert db.session.get(User, member.id) is not None


def test_delete_account_removes_personal_data_and_keeps_the_trail(
    client: FlaskClient, member: User
) -> None:
    lecture = make_lecture()
    db.session.add(Favourite(user_id=member.id, lecture_id=lecture.id))
    db.session.flush()
    _post(client, "/account/profile", {"display_name": "Renamed", "email": member.email})
    member_id = member.id
    response = post(client, "/account/delete", {"password": PASSWORD}, token_from="/account")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, member_id) is None
    assert db.session.get(UserCredential, member_id) is None
    assert db.session.scalar(select(func.count()).select_from(Favourite)) == 0
    trail = db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_id == member_id).order_by(AuditEntry.created_at)
    ).all()
    assert "user.deleted" in [entry.action for entry in trail]
    for entry in trail:
        assert entry.before is None and entry.after is None
        assert entry.actor_id is None
    assert client.get("/account").status_code == 302


def test_account_without_password_confirms_deletion_by_email(client: FlaskClient, app) -> None:  # type: ignore[no-untyped-def]
    user = make_account()
    sign_in(client, user)
    db.session.delete(db.session.get(UserCredential, user.id))
    db.session.flush()
    refused = post(
        client, "/account/delete", {"confirm_email": "x@example.com"}, token_from="/account"
    )
    assert refused.status_code == 422
    done = post(
        client, "/account/delete", {"confirm_email": user.email.upper()}, token_from="/account"
    )
    assert done.status_code == 303
