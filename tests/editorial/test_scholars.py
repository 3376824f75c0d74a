"""Scholars in the workspace: administrators create them and set them active or inactive;
editors in scope edit the profile; every write has its audit row."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from durus.extensions import db
from durus.models import AuditEntry, Role, Scholar, SlugRedirect
from tests.editorial.workspace_support import audit_actions, send, signed_in_editor, version_on
from tests.factories import make_scholar
from tests.helpers import csrf_token, make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")


def test_an_admin_creates_a_scholar_with_a_generated_slug(client: FlaskClient) -> None:
    admin = make_account(role=Role.ADMIN)
    sign_in(client, admin)
    response = send(
        client,
        "/editorial/scholars/new",
        {"name": "Ibn Rajab", "name_original": "ابن رجب", "name_original_language": "ar"},
    )
    assert response.status_code == 303
    scholar = db.session.scalar(select(Scholar).where(Scholar.name == "Ibn Rajab"))
    assert scholar is not None and scholar.slug == "ibn-rajab"
    assert response.headers["Location"] == f"/editorial/scholars/{scholar.id}"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == scholar.id))
    assert entry is not None and entry.action == "scholar.created"
    assert entry.actor_id == admin.id and entry.after["name_original"] == "ابن رجب"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the scholar&#39;s name."),
        ({"name": "X", "name_original": "ابن"}, "Choose the language of the name"),
        ({"name": "X", "slug": "Not A Slug"}, "Use lower-case letters"),
        ({"name": "X", "name_original_language": "xx"}, "Not a valid choice"),
    ],
)
def test_invalid_scholar_forms_are_shown_again_with_422(
    client: FlaskClient, data: dict[str, str], message: str
) -> None:
    sign_in(client, make_account(role=Role.ADMIN))
    response = send(client, "/editorial/scholars/new", data)
    assert response.status_code == 422
    assert message in response.text


def test_a_taken_slug_is_refused(client: FlaskClient) -> None:
    sign_in(client, make_account(role=Role.ADMIN))
    make_scholar(slug="taken")
    response = send(client, "/editorial/scholars/new", {"name": "X", "slug": "taken"})
    assert response.status_code == 422
    assert "This address is taken" in response.text


def test_an_editor_cannot_create_scholars(client: FlaskClient) -> None:
    signed_in_editor(client)
    assert client.get("/editorial/scholars/new").status_code == 403


def test_an_editor_in_scope_edits_the_profile_and_the_old_slug_redirects(
    client: FlaskClient,
) -> None:
    editor = signed_in_editor(client)
    scholar = editor.scholar
    old_slug = scholar.slug
    page = client.get(f"/editorial/scholars/{scholar.id}")
    assert page.status_code == 200
    data = {
        "name": "Shaykh Renamed",
        "biography": "Taught in Damascus.",
        "slug": "shaykh-renamed",
        "name_original_language": "",
        "version": version_on(page.text),
    }
    response = send(client, f"/editorial/scholars/{scholar.id}", data)
    assert response.status_code == 303
    db.session.refresh(scholar)
    assert (scholar.name, scholar.slug) == ("Shaykh Renamed", "shaykh-renamed")
    redirect = db.session.scalar(select(SlugRedirect).where(SlugRedirect.scholar_id == scholar.id))
    assert redirect is not None and redirect.old_slug == old_slug
    assert audit_actions("scholar", scholar.id) == ["scholar.updated"]
    assert client.get(f"/scholars/{old_slug}").status_code == 301


def test_a_stale_edit_is_refused_with_who_and_when(client: FlaskClient) -> None:
    editor = signed_in_editor(client, display_name="Second Editor")
    scholar = editor.scholar
    stale = version_on(client.get(f"/editorial/scholars/{scholar.id}").text)
    first = make_account(role=Role.ADMIN, display_name="First Admin")
    db.session.add(
        AuditEntry(
            action="scholar.updated", entity_type="scholar", entity_id=scholar.id,
            actor_id=first.id,
        )
    )  # fmt: skip
    db.session.execute(
        Scholar.__table__.update()
        .where(Scholar.id == scholar.id)
        .values(name="Changed meanwhile", updated_at=scholar.updated_at.replace(year=2030))
    )
    db.session.expire_all()
    response = send(client, f"/editorial/scholars/{scholar.id}", {"name": "Mine", "version": stale})
    assert response.status_code == 422
    assert "changed by First Admin at" in response.text
    assert "review the current values and save again" in response.text
    assert "Changed meanwhile" in response.text  # the form shows the current values
    assert db.session.get(Scholar, scholar.id).name == "Changed meanwhile"  # type: ignore[union-attr]


def test_an_htmx_save_with_errors_returns_only_the_form(client: FlaskClient) -> None:
    editor = signed_in_editor(client)
    response = send(
        client,
        f"/editorial/scholars/{editor.scholar.id}",
        {"name": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "<html" not in response.text and "Enter the scholar" in response.text
    assert "HX-Request" in response.headers["Vary"]


def test_an_admin_deactivates_and_reactivates_a_scholar(client: FlaskClient) -> None:
    sign_in(client, make_account(role=Role.ADMIN))
    scholar = make_scholar()
    path = f"/editorial/scholars/{scholar.id}/active"
    assert send(client, path, {"active": "inactive"}).status_code == 303
    db.session.refresh(scholar)
    assert scholar.is_active is False
    assert client.get(f"/scholars/{scholar.slug}").status_code == 404
    assert send(client, path, {"active": "active"}).status_code == 303
    db.session.refresh(scholar)
    assert scholar.is_active is True
    assert audit_actions("scholar", scholar.id) == ["scholar.activated", "scholar.deactivated"]
    assert send(client, path, {"active": "maybe"}).status_code == 422


def test_an_editor_cannot_set_a_scholar_inactive(client: FlaskClient) -> None:
    editor = signed_in_editor(client)
    response = client.post(
        f"/editorial/scholars/{editor.scholar.id}/active",
        data={"active": "inactive", "csrf_token": csrf_token(client, "/")},
    )
    assert response.status_code == 403
    page: Any = client.get(f"/editorial/scholars/{editor.scholar.id}")
    assert "Set status" not in page.text
