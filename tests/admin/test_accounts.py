"""Administrators manage accounts: the list, roles, account state, editor scopes, reset mail.
Every change is audited in its transaction and takes effect on the person's next request."""

from __future__ import annotations

import email
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from durus.extensions import db
from durus.models import AccountState, AuditEntry, EditorScope, Role, User, UserIdentity
from tests.factories import make_scholar, make_series, make_user
from tests.helpers import make_account, post, sign_in

pytestmark = pytest.mark.usefixtures("db_session")


@pytest.fixture
def admin(client: FlaskClient) -> User:
    user = make_account(role=Role.ADMIN, display_name="Amina Admin", email="amina@example.com")
    sign_in(client, user)
    return user


def _audit(user: User, action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == user.id, AuditEntry.action == action)
        )
    )


def _change_role(client: FlaskClient, user: User, role: str, confirm: bool = True) -> Any:
    data = {"role": role, **({"confirm": "y"} if confirm else {})}
    return post(client, f"/admin/users/{user.id}/role", data, token_from=f"/admin/users/{user.id}")


def _change_state(
    client: FlaskClient, user: User, change: str, reason: str = "Spam", confirm: bool = True
) -> Any:
    data = {"change": change, "reason": reason, **({"confirm": "y"} if confirm else {})}
    return post(client, f"/admin/users/{user.id}/state", data, token_from=f"/admin/users/{user.id}")


# --- the list -------------------------------------------------------------------------------


def test_list_searches_by_name_or_email_inside_words(client: FlaskClient, admin: User) -> None:
    make_user(display_name="Yūsuf Rahman", email="yr@example.org")
    make_user(display_name="Bilal Khan", email="bilal.k@mail.example")
    make_user(display_name="Someone Else", email="other@example.net")
    found = client.get("/admin/users", query_string={"q": "yusuf"}).text
    assert "Yūsuf Rahman" in found and "Bilal Khan" not in found
    by_mail = client.get("/admin/users", query_string={"q": "mail.exam"}).text
    assert "Bilal Khan" in by_mail and "Yūsuf Rahman" not in by_mail
    inside = client.get("/admin/users", query_string={"q": "ila"}).text
    assert "Bilal Khan" in inside
    both = client.get("/admin/users", query_string={"q": "khan bilal"}).text
    assert "Bilal Khan" in both
    none = client.get("/admin/users", query_string={"q": "nobody-like-this"})
    assert none.status_code == 200 and "No account matches these filters" in none.text


def test_list_filters_by_role_and_state(client: FlaskClient, admin: User) -> None:
    make_user(display_name="Eddie Editor", role=Role.EDITOR)
    make_user(display_name="Sam Suspended", state=AccountState.SUSPENDED)
    editors = client.get("/admin/users", query_string={"role": "editor"}).text
    assert "Eddie Editor" in editors and "Sam Suspended" not in editors
    suspended = client.get("/admin/users", query_string={"state": "suspended"}).text
    assert "Sam Suspended" in suspended and "Eddie Editor" not in suspended


def test_bad_filters_answer_400_with_the_form(client: FlaskClient, admin: User) -> None:
    response = client.get("/admin/users", query_string={"role": "pope"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.text
    assert client.get("/admin/users", query_string={"after": "garbage"}).status_code == 400


@pytest.mark.parametrize("sort", ["newest", "name", "email", "last_sign_in"])
def test_keyset_pages_cover_every_account_once(client: FlaskClient, admin: User, sort: str) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(60):
        make_user(
            display_name=f"Person {n % 7}",  # shared names: the id breaks ties
            email=f"p{n:02d}@example.com",
            created_at=base + timedelta(hours=n // 3),
            last_sign_in_at=None if n % 4 == 0 else base + timedelta(days=n % 5),
        )
    seen: list[str] = []
    page = client.get("/admin/users", query_string={"sort": sort})
    while True:
        text = page.text
        seen += [line.split('"')[0] for line in text.split('href="/admin/users/')[1:]]
        if 'class="more"' not in text:
            break
        cursor = text.split("after=")[1].split('"')[0].replace("&amp;", "&")
        page = client.get(
            "/admin/users",
            query_string={"sort": sort, "after": cursor},
            headers={"HX-Request": "true"},
        )
        assert page.status_code == 200
        assert "<h1>" not in page.text  # only the rows
    assert len(seen) == len(set(seen)) == 61


def test_last_sign_in_order_puts_never_last(client: FlaskClient, admin: User) -> None:
    make_user(display_name="Never Signed", last_sign_in_at=None)
    make_user(display_name="Recently Signed", last_sign_in_at=datetime.now(UTC))
    text = client.get("/admin/users", query_string={"sort": "last_sign_in"}).text
    assert text.index("Recently Signed") < text.index("Never Signed")


def test_list_query_count_does_not_grow(
    client: FlaskClient, admin: User, count_queries: Any
) -> None:
    for _ in range(3):
        make_user()
    with count_queries() as few:
        client.get("/admin/users")
    for _ in range(40):
        make_user()
    with count_queries() as many:
        client.get("/admin/users")
    assert len(few) == len(many) <= 4


def test_search_uses_the_trigram_index(admin: User) -> None:
    from sqlalchemy import text

    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    from durus.admin import account_queries as queries

    stmt = queries._matching(select(User.id), "bilal")
    plan = "\n".join(
        row[0]
        for row in db.session.execute(
            text("EXPLAIN " + str(stmt.compile(compile_kwargs={"literal_binds": True})))
        )
    )
    assert "ix_users_search_trigrams" in plan


# --- the account page -----------------------------------------------------------------------


def test_account_page_shows_how_they_sign_in(app: Flask, client: FlaskClient, admin: User) -> None:
    user = make_account(display_name="Hafsa")
    db.session.add(UserIdentity(user_id=user.id, issuer="https://id.example", subject="42"))
    db.session.flush()
    text = client.get(f"/admin/users/{user.id}").text
    assert "Password: yes" in text
    assert "OpenID Connect: https://id.example" in text
    passwordless = make_user(display_name="No Password")
    assert "no password set" in client.get(f"/admin/users/{passwordless.id}").text
    assert client.get("/admin/users/00000000-0000-0000-0000-000000000000").status_code == 404


# --- roles ------------------------------------------------------------------------------------


def test_promote_takes_effect_on_the_next_request(
    app: Flask, client: FlaskClient, admin: User
) -> None:
    listener = make_account(email="lena@example.com")
    theirs = app.test_client()
    sign_in(theirs, listener)
    assert theirs.get("/editorial").status_code == 403
    response = _change_role(client, listener, "editor", confirm=False)  # no confirmation needed
    assert response.status_code == 303
    assert "is now an editor" in client.get(response.headers["Location"]).text
    assert theirs.get("/editorial").status_code == 200
    (entry,) = _audit(listener, "user.role_changed")
    assert entry.actor_id == admin.id
    assert entry.before == {"role": "listener"} and entry.after == {"role": "editor"}


def test_demotion_asks_for_confirmation_first(client: FlaskClient, admin: User) -> None:
    editor = make_user(role=Role.EDITOR)
    response = _change_role(client, editor, "listener", confirm=False)
    assert response.status_code == 200
    assert "will no longer be able to edit" in response.text
    assert 'name="confirm" value="y"' in response.text
    db.session.refresh(editor)
    assert editor.role is Role.EDITOR and _audit(editor, "user.role_changed") == []
    assert _change_role(client, editor, "listener").status_code == 303
    db.session.refresh(editor)
    assert editor.role is Role.LISTENER


def test_demoting_an_editor_to_listener_removes_their_scopes(
    client: FlaskClient, admin: User
) -> None:
    editor = make_user(role=Role.EDITOR)
    scholar = make_scholar(name="Shaykh Test")
    db.session.add(EditorScope(user_id=editor.id, scholar_id=scholar.id))
    db.session.flush()
    _change_role(client, editor, "listener")
    assert (
        db.session.scalars(select(EditorScope).where(EditorScope.user_id == editor.id)).all() == []
    )
    (entry,) = _audit(editor, "user.role_changed")
    assert entry.before == {"role": "editor", "scholars": ["Shaykh Test"]}


def test_invalid_role_is_422_and_changes_nothing(client: FlaskClient, admin: User) -> None:
    user = make_user()
    response = _change_role(client, user, "emperor")
    assert response.status_code == 422
    assert "Not a valid choice" in response.text


def test_the_last_administrator_cannot_be_demoted_suspended_or_deactivated(
    client: FlaskClient, admin: User
) -> None:
    only = db.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.state == AccountState.ACTIVE)
    ).all()
    for other in only:
        if other.id != admin.id:
            other.state = AccountState.SUSPENDED
    db.session.flush()
    page = client.get(f"/admin/users/{admin.id}").text
    assert "last active administrator" in page
    response = _change_role(client, admin, "editor")
    assert response.status_code == 409
    assert "last active administrator" in response.text
    for change in ("suspend", "deactivate"):
        response = _change_state(client, admin, change)
        assert response.status_code == 409, change
    db.session.refresh(admin)
    assert admin.role is Role.ADMIN and admin.state is AccountState.ACTIVE
    assert _audit(admin, "user.role_changed") == []
    # Nor can they delete their own account.
    response = post(
        client,
        "/account/delete",
        {"password": "correct horse battery"},
        token_from="/account/delete",
    )
    assert response.status_code == 409
    assert "last active administrator" in response.text
    assert db.session.get(User, admin.id) is not None


def test_an_administrator_may_step_down_when_another_remains(
    client: FlaskClient, admin: User
) -> None:
    make_user(role=Role.ADMIN)
    response = _change_role(client, admin, "editor")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/admin/users").status_code == 403


# --- account state ----------------------------------------------------------------------------


def test_suspension_ends_the_open_session_at_once(
    app: Flask, client: FlaskClient, admin: User
) -> None:
    target = make_account(email="spam@example.com")
    theirs = app.test_client()
    sign_in(theirs, target, remember=True)
    assert theirs.get("/library").status_code == 200
    response = _change_state(client, target, "suspend", reason="Posting spam links")
    assert response.status_code == 303
    assert "is now suspended" in client.get(response.headers["Location"]).text
    after = theirs.get("/library")
    assert after.status_code == 302 and after.headers["Location"].startswith("/auth/sign-in")
    (entry,) = _audit(target, "user.suspended")
    assert entry.after == {"state": "suspended", "reason": "Posting spam links"}
    page = client.get(f"/admin/users/{target.id}").text
    assert "Posting spam links" in page
    # Reactivation lets them sign in again, but does not revive the old session.
    assert _change_state(client, target, "reactivate", reason="Appeal accepted").status_code == 303
    assert theirs.get("/library").status_code == 302
    sign_in(theirs, target)
    assert theirs.get("/library").status_code == 200


def test_state_change_needs_a_reason_and_confirmation(client: FlaskClient, admin: User) -> None:
    target = make_user()
    missing = _change_state(client, target, "deactivate", reason="")
    assert missing.status_code == 422 and "Give a reason" in missing.text
    ask = _change_state(client, target, "deactivate", reason="Requested by owner", confirm=False)
    assert ask.status_code == 200 and "signed out everywhere" in ask.text
    assert 'value="Requested by owner"' in ask.text  # the reason is carried to the confirmation
    db.session.refresh(target)
    assert target.state is AccountState.ACTIVE
    assert _change_state(client, target, "deactivate", "Requested by owner").status_code == 303
    db.session.refresh(target)
    assert target.state is AccountState.DEACTIVATED
    bogus = _change_state(client, target, "vaporise")
    assert bogus.status_code == 422
    again = _change_state(client, target, "deactivate")
    assert again.status_code == 409 and "already deactivated" in again.text


# --- editor scopes ----------------------------------------------------------------------------


def _scope_add(client: FlaskClient, user: User, scholar_id: Any, htmx: bool = True) -> Any:
    headers = {"HX-Request": "true"} if htmx else {}
    return post(
        client,
        f"/admin/users/{user.id}/scopes",
        {"scholar_id": str(scholar_id)},
        headers=headers,
        token_from=f"/admin/users/{user.id}",
    )


def test_assign_and_remove_scholars_with_htmx(app: Flask, client: FlaskClient, admin: User) -> None:
    editor = make_account(role=Role.EDITOR)
    first, second = make_scholar(name="First Shaykh"), make_scholar(name="Second Shaykh")
    series = make_series(scholar_id=first.id)
    theirs = app.test_client()
    sign_in(theirs, editor)
    assert theirs.get(f"/editorial/series/{series.id}").status_code == 403
    fragment = _scope_add(client, editor, first.id)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="scopes"')
    assert "Added First Shaykh." in fragment.text and "<html" not in fragment.text
    _scope_add(client, editor, second.id)
    assert theirs.get(f"/editorial/series/{series.id}").status_code == 200
    assert {a.after["scholar"] for a in _audit(editor, "user.scope_added")} == {
        "First Shaykh",
        "Second Shaykh",
    }
    # Removing asks first (a confirmation page without JavaScript) ...
    path = f"/admin/users/{editor.id}/scopes/{first.id}/remove"
    ask = post(client, path, token_from=f"/admin/users/{editor.id}")
    assert ask.status_code == 200 and "will no longer be able to edit" in ask.text
    assert theirs.get(f"/editorial/series/{series.id}").status_code == 200
    # ... and htmx sends the confirmation with the request (hx-confirm).
    removed = post(
        client, path, {"confirm": "y"}, headers={"HX-Request": "true"},
        token_from=f"/admin/users/{editor.id}",
    )  # fmt: skip
    assert removed.status_code == 200 and "Removed First Shaykh." in removed.text
    assert theirs.get(f"/editorial/series/{series.id}").status_code == 403
    (entry,) = _audit(editor, "user.scope_removed")
    assert entry.before["scholar"] == "First Shaykh"


def test_scope_without_javascript_redirects_back(client: FlaskClient, admin: User) -> None:
    editor = make_user(role=Role.EDITOR)
    scholar = make_scholar()
    response = _scope_add(client, editor, scholar.id, htmx=False)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/admin/users/{editor.id}#scopes")


def test_scope_refusals(client: FlaskClient, admin: User) -> None:
    listener = make_user()
    scholar = make_scholar()
    refused = _scope_add(client, listener, scholar.id)
    assert refused.status_code == 409 and "Make this person an editor" in refused.text
    editor = make_user(role=Role.EDITOR)
    unknown = _scope_add(client, editor, "00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 422 and "Not a valid choice" in unknown.text
    assert (
        db.session.scalars(select(EditorScope).where(EditorScope.user_id == editor.id)).all() == []
    )


# --- password reset ---------------------------------------------------------------------------


def test_admin_sends_a_reset_link(app: Flask, client: FlaskClient, admin: User) -> None:
    outbox = Path(app.config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    for old in outbox.glob("*.eml"):
        old.unlink()
    user = make_account(email="forgot@example.com", display_name="Forgetful")
    response = post(
        client, f"/admin/users/{user.id}/password-reset", token_from=f"/admin/users/{user.id}"
    )
    assert response.status_code == 303
    (message_file,) = outbox.glob("*.eml")
    message = email.message_from_bytes(message_file.read_bytes())
    assert message["To"] == "forgot@example.com"
    assert "/auth/reset-password/" in message.get_payload(decode=True).decode()
    assert len(_audit(user, "user.password_reset_sent")) == 1


def test_no_reset_link_for_an_inactive_account(
    app: Flask, client: FlaskClient, admin: User
) -> None:
    user = make_user(state=AccountState.SUSPENDED)
    response = post(
        client, f"/admin/users/{user.id}/password-reset", token_from=f"/admin/users/{user.id}"
    )
    assert response.status_code == 303
    assert "reactivate it before" in client.get(response.headers["Location"]).text
    assert _audit(user, "user.password_reset_sent") == []


def test_listeners_and_editors_are_refused(app: Flask) -> None:
    for role in (Role.LISTENER, Role.EDITOR):
        visitor = app.test_client()
        sign_in(visitor, make_account(role=role))
        assert visitor.get("/admin/users").status_code == 403
    assert app.test_client().get("/admin/users").status_code == 302
