"""OpenID Connect sign-in end to end, against a real provider (oidc-provider-mock) on a thread:
the browser's part is played by the Flask test client on our side and `requests` on theirs."""

from __future__ import annotations

import logging
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from authlib.deprecate import AuthlibDeprecationWarning
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from durus.config import ConfigurationError
from durus.extensions import db
from durus.models import AccountState, AuditEntry, User, UserCredential, UserIdentity
from tests.conftest import make_test_app, rolled_back
from tests.factories import make_user
from tests.helpers import PASSWORD, make_account, post

with warnings.catch_warnings():
    # The mock provider still imports authlib.jose, which Authlib deprecates.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    import oidc_provider_mock

CLIENT_ID = "durus-test-client"

# The mock provider calls Authlib APIs that Authlib deprecates, on its server thread.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")


def provider_settings(issuer: str, **overrides: str) -> dict[str, str]:
    settings = {
        "name": "mock",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": "not-checked-by-the-mock",
        "display_name": "Mock ID",
    }
    return settings | overrides


@pytest.fixture(scope="session")
def issuer() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="session")
def oidc_app(
    app: Flask, database_url: str, issuer: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """An app with the mock provider, on the database `app` has already migrated."""
    oidc_app = make_test_app(
        database_url,
        tmp_path_factory.mktemp("oidc"),
        OIDC_PROVIDERS=[provider_settings(issuer)],
    )
    yield oidc_app
    with oidc_app.app_context():
        db.engine.dispose()


@pytest.fixture
def browser(oidc_app: Flask) -> Iterator[FlaskClient]:
    with rolled_back(oidc_app):
        yield oidc_app.test_client()


def person(issuer: str, **claims: Any) -> str:
    """A new subject at the provider, whose ID token will carry `claims`."""
    subject = f"sub-{uuid.uuid4().hex[:12]}"
    response = requests.put(f"{issuer}/users/{subject}", json=claims, timeout=5)
    assert response.status_code == 204
    return subject


def start(browser: FlaskClient, next_url: str = "") -> str:
    """Press the provider's button on the sign-in page: where it sends the browser."""
    response = post(browser, "/auth/oidc/mock/start", {"next": next_url})
    assert response.status_code == 303, response.text
    return response.location


def approve(authorization_url: str, subject: str) -> str:
    """Sign in at the provider as `subject`: the callback path (with query) it sends back to."""
    response = requests.post(
        authorization_url, data={"sub": subject}, allow_redirects=False, timeout=5
    )
    assert response.status_code == 302, response.text
    back = urlsplit(response.headers["Location"])
    assert back.path == "/auth/oidc/mock/callback"
    return f"{back.path}?{back.query}"


def sign_in_as(browser: FlaskClient, subject: str, next_url: str = "") -> Any:
    return browser.get(approve(start(browser, next_url), subject))


def with_query(callback: str, **changes: str) -> str:
    parts = urlsplit(callback)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return f"{parts.path}?{urlencode(query)}"


def identities(subject: str) -> list[UserIdentity]:
    return list(db.session.scalars(select(UserIdentity).where(UserIdentity.subject == subject)))


def accounts_with(*emails: str) -> int:
    lowered = [email.lower() for email in emails]
    return db.session.scalar(
        select(func.count()).select_from(User).where(func.lower(User.email).in_(lowered))
    )


def is_signed_in(browser: FlaskClient) -> bool:
    return browser.get("/account").status_code == 200


# Accounts made and found


def test_new_person_gets_a_listener_account_and_is_signed_in(
    browser: FlaskClient, issuer: str
) -> None:
    subject = person(issuer, email="Amina@Example.org", email_verified=True, name="Amina Y.")

    response = sign_in_as(browser, subject, next_url="/account")

    assert response.status_code == 303
    assert response.location == "/account"
    assert is_signed_in(browser)
    user = db.session.scalar(select(User).where(User.email == "Amina@Example.org"))
    assert user is not None and user.display_name == "Amina Y."
    assert db.session.get(UserCredential, user.id) is None
    [identity] = identities(subject)
    assert (identity.user_id, identity.issuer) == (user.id, issuer)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == user.id))
    assert entry is not None and entry.action == "user.signed_up"
    assert entry.after == {"issuer": issuer}


def test_display_name_falls_back_to_the_email_local_part(browser: FlaskClient, issuer: str) -> None:
    subject = person(issuer, email="bilal.h@example.org", email_verified=True)

    assert sign_in_as(browser, subject).status_code == 303

    user = db.session.scalar(select(User).where(User.email == "bilal.h@example.org"))
    assert user is not None and user.display_name == "bilal.h"


def test_unverified_email_does_not_open_an_account(browser: FlaskClient, issuer: str) -> None:
    subject = person(issuer, email="squatter@example.org", email_verified=False)

    response = sign_in_as(browser, subject)

    assert response.status_code == 409
    assert "is not confirmed" in response.text
    assert db.session.scalar(select(User).where(User.email == "squatter@example.org")) is None
    assert not is_signed_in(browser)


def test_signing_in_again_reuses_the_account_even_after_an_email_change(
    browser: FlaskClient, issuer: str
) -> None:
    subject = person(issuer, email="yusuf@example.org", email_verified=True)
    assert sign_in_as(browser, subject).status_code == 303
    post(browser, "/auth/sign-out", token_from="/")
    assert not is_signed_in(browser)
    requests.put(f"{issuer}/users/{subject}", json={"email": "yusuf@new.example"}, timeout=5)

    response = sign_in_as(browser, subject, next_url="//evil.example/")

    assert response.status_code == 303
    assert response.location == "/"  # an off-site `next` is dropped
    assert is_signed_in(browser)
    assert len(identities(subject)) == 1
    assert accounts_with("yusuf@example.org", "yusuf@new.example") == 1


def test_suspended_account_is_refused(browser: FlaskClient, issuer: str) -> None:
    subject = person(issuer, email="hidden@example.org", email_verified=True)
    user = make_user(email="hidden@example.org", state=AccountState.SUSPENDED)
    db.session.add(UserIdentity(user_id=user.id, issuer=issuer, subject=subject))
    db.session.flush()

    response = sign_in_as(browser, subject)

    assert response.status_code == 403
    assert "This account is suspended" in response.text
    assert not is_signed_in(browser)


def test_provider_without_an_email_is_refused(browser: FlaskClient, issuer: str) -> None:
    subject = person(issuer, name="No Email")

    response = sign_in_as(browser, subject)

    assert response.status_code == 400
    assert "did not share your email address" in response.text
    assert identities(subject) == []


# An email that already has an account: never joined on the provider's word alone


def test_unverified_email_of_an_existing_account_is_refused(
    browser: FlaskClient, issuer: str
) -> None:
    make_account(email="sara@example.org")
    subject = person(issuer, email="SARA@example.org", email_verified=False)

    response = sign_in_as(browser, subject)

    assert response.status_code == 409
    assert "Sign in with your email and password first" in response.text
    assert identities(subject) == []
    assert accounts_with("sara@example.org") == 1
    assert not is_signed_in(browser)


def _to_link_page(browser: FlaskClient, issuer: str, email: str, next_url: str = "") -> str:
    subject = person(issuer, email=email, email_verified=True)
    response = sign_in_as(browser, subject, next_url=next_url)
    assert response.status_code == 303
    assert response.location == "/auth/oidc/link"
    return subject


def test_verified_email_of_an_existing_account_asks_for_its_password(
    browser: FlaskClient, issuer: str
) -> None:
    make_account(email="omar@example.org")
    subject = _to_link_page(browser, issuer, "Omar@example.org")

    page = browser.get("/auth/oidc/link")

    assert page.status_code == 200
    assert "Connect Mock ID to your account" in page.text
    assert 'type="password"' in page.text
    assert identities(subject) == []
    assert not is_signed_in(browser)


def test_wrong_password_does_not_link(browser: FlaskClient, issuer: str) -> None:
    make_account(email="huda@example.org")
    subject = _to_link_page(browser, issuer, "huda@example.org")

    response = post(browser, "/auth/oidc/link", {"password": "not the password"})

    assert response.status_code == 422
    assert "That is not the password of this account." in response.text
    assert identities(subject) == []
    assert not is_signed_in(browser)


def test_right_password_links_and_signs_in(browser: FlaskClient, issuer: str) -> None:
    user = make_account(email="zaid@example.org")
    subject = _to_link_page(browser, issuer, "zaid@example.org", next_url="/account")

    response = post(browser, "/auth/oidc/link", {"password": PASSWORD})

    assert response.status_code == 303
    assert response.location == "/account"
    assert is_signed_in(browser)
    [identity] = identities(subject)
    assert identity.user_id == user.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.identity_linked"))
    assert entry is not None and entry.entity_id == user.id and entry.actor_id == user.id
    assert entry.after == {"issuer": issuer}
    # Done once: the next sign-in with the provider goes straight in.
    post(browser, "/auth/sign-out", token_from="/")
    assert sign_in_as(browser, subject).status_code == 303
    assert is_signed_in(browser)


def test_account_without_a_password_cannot_be_linked_here(
    browser: FlaskClient, issuer: str
) -> None:
    make_user(email="nopass@example.org")
    subject = _to_link_page(browser, issuer, "nopass@example.org")

    page = browser.get("/auth/oidc/link")
    attempt = post(browser, "/auth/oidc/link", {"password": "anything at all"})

    assert page.status_code == attempt.status_code == 409
    assert "first give the account a password" in page.text
    assert identities(subject) == []
    assert not is_signed_in(browser)


def test_link_request_expires(browser: FlaskClient, issuer: str) -> None:
    make_account(email="late@example.org")
    subject = _to_link_page(browser, issuer, "late@example.org")
    with browser.session_transaction() as session:
        pending = session["_durus_oidc_link"]
        session["_durus_oidc_link"] = pending | {"at": pending["at"] - 11 * 60}

    response = post(browser, "/auth/oidc/link", {"password": PASSWORD})

    assert response.status_code == 400
    assert identities(subject) == []
    assert not is_signed_in(browser)


def test_link_page_without_a_pending_sign_in_is_refused(browser: FlaskClient) -> None:
    response = browser.get("/auth/oidc/link")

    assert response.status_code == 400
    assert "Please start again" in response.text
    assert "Back to sign in" in response.text


# A callback that does not belong to this browser's sign-in


def test_tampered_state_is_refused(
    browser: FlaskClient, issuer: str, caplog: pytest.LogCaptureFixture
) -> None:
    callback = approve(start(browser), person(issuer, email="state@example.org"))

    with caplog.at_level(logging.INFO):
        response = browser.get(with_query(callback, state="forged-state"))

    assert response.status_code == 400
    assert "Signing in did not work" in response.text
    assert "mismatching_state" in caplog.text
    assert not is_signed_in(browser)


def test_code_from_another_sign_in_fails_the_nonce(
    browser: FlaskClient, oidc_app: Flask, issuer: str, caplog: pytest.LogCaptureFixture
) -> None:
    # An attacker's code, slipped into the victim's callback with the victim's own state.
    attacker = oidc_app.test_client()
    attackers_code = approve(start(attacker), person(issuer, email="mallory@example.org"))
    victims_flow = urlsplit(start(browser))
    victims_state = parse_qs(victims_flow.query)["state"][0]

    with caplog.at_level(logging.INFO):
        response = browser.get(with_query(attackers_code, state=victims_state))

    assert response.status_code == 400
    assert "Invalid claim: 'nonce'" in caplog.text
    assert not is_signed_in(browser)
    assert db.session.scalar(select(User).where(User.email == "mallory@example.org")) is None


def test_id_token_for_another_audience_is_refused(
    browser: FlaskClient,
    oidc_app: Flask,
    issuer: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Authlib was registered as CLIENT_ID, so that is whom the provider issues the token for;
    # the configuration now expects another client.
    [settings] = oidc_app.config["OIDC_PROVIDERS"]
    monkeypatch.setitem(settings, "client_id", "some-other-client")
    subject = person(issuer, email="aud@example.org")

    with caplog.at_level(logging.INFO):
        response = sign_in_as(browser, subject)

    assert response.status_code == 400
    assert "Invalid claim: 'aud'" in caplog.text
    assert identities(subject) == []


def test_denied_at_the_provider_is_a_readable_page(browser: FlaskClient) -> None:
    authorization_url = start(browser)
    answer = requests.post(
        authorization_url, data={"action": "deny"}, allow_redirects=False, timeout=5
    )
    back = urlsplit(answer.headers["Location"])

    response = browser.get(f"{back.path}?{back.query}")

    assert response.status_code == 400
    assert "Back to sign in" in response.text


# The doors themselves


def test_start_sends_the_browser_to_the_provider_with_pkce_and_nonce(
    browser: FlaskClient, issuer: str
) -> None:
    location = urlsplit(start(browser))
    query = parse_qs(location.query)

    assert f"{location.scheme}://{location.netloc}" == issuer
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == ["openid email profile"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == ["http://localhost/auth/oidc/mock/callback"]
    assert query["nonce"] and query["state"]


def test_a_boosted_start_leaves_the_site_through_hx_redirect(browser: FlaskClient) -> None:
    response = post(browser, "/auth/oidc/mock/start", headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert "/oauth2/authorize?" in response.headers["HX-Redirect"]


def test_sign_in_page_offers_the_provider_and_lets_its_form_leave(
    browser: FlaskClient, issuer: str
) -> None:
    page = browser.get("/auth/sign-in")

    assert "Mock ID" in page.text
    assert f"form-action 'self' {issuer};" in page.headers["Content-Security-Policy"]


def test_unknown_provider_is_not_found(browser: FlaskClient) -> None:
    assert post(browser, "/auth/oidc/nope/start").status_code == 404
    assert browser.get("/auth/oidc/nope/callback?code=x&state=y").status_code == 404


def test_without_providers_there_are_no_buttons_and_no_doors(client: FlaskClient) -> None:
    assert "Or sign in with" not in client.get("/auth/sign-in").text
    assert post(client, "/auth/oidc/mock/start").status_code == 404


def test_start_is_rate_limited_and_keeps_the_session_cookie_small(browser: FlaskClient) -> None:
    statuses = [post(browser, "/auth/oidc/mock/start").status_code for _ in range(21)]

    assert statuses[:20] == [303] * 20
    assert statuses[20] == 429
    with browser.session_transaction() as session:
        assert len([key for key in session if key.startswith("_state_mock_")]) == 3


# Start-up checks


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ("http://LOCALHOST:{port}", "calls itself 'http://localhost:{port}'"),
        ("http://127.0.0.1:1", "could not load http://127.0.0.1:1/.well-known/"),
    ],
    ids=["issuer-differs", "unreachable"],
)
def test_start_up_refuses_a_provider_it_cannot_trust(
    app: Flask,
    database_url: str,
    issuer: str,
    tmp_path: Path,
    configured: str,
    message: str,
) -> None:
    port = str(urlsplit(issuer).port)
    settings = provider_settings(configured.format(port=port))

    with pytest.raises(ConfigurationError) as refused:
        make_test_app(database_url, tmp_path, OIDC_PROVIDERS=[settings])

    assert "'mock'" in str(refused.value.code)
    assert message.format(port=port) in str(refused.value.code)
