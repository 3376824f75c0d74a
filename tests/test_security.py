"""The security baseline: CSRF on every unsafe request, headers on every response, no
inline code, local-only redirects, rate limits, a real secret key outside development."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from durus.config import PROJECT_ROOT, ConfigurationError
from tests.conftest import rolled_back
from tests.helpers import PASSWORD, csrf_token, make_account, sign_in

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
SAMPLE_ARGS = {"slug": "x", "token": "x", "provider": "x", "filename": "css/durus.css"}
SAMPLE_ARGS |= dict.fromkeys(
    ("scholar_id", "series_id", "lecture_id", "note_id", "user_id"),
    "00000000-0000-4000-8000-000000000000",
)


def _unsafe_routes(app: Flask) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & UNSAFE):
            path = rule.build({arg: SAMPLE_ARGS[arg] for arg in rule.arguments})[1]
            routes.append((method, path))
    return routes


@pytest.mark.usefixtures("db_session")
def test_every_unsafe_request_without_a_token_is_refused(app: Flask, client: FlaskClient) -> None:
    routes = _unsafe_routes(app)
    assert len(routes) >= 8
    sign_in(client, make_account())
    for method, path in routes:
        response = client.open(path, method=method, data={"email": "a@example.com"})
        assert response.status_code == 400, (method, path)
        assert "This form has expired" in response.text


@pytest.mark.usefixtures("db_session")
def test_the_token_is_accepted_in_the_form_or_the_htmx_header(client: FlaskClient) -> None:
    token = csrf_token(client)
    form = client.post("/auth/sign-in", data={"csrf_token": token})
    header = client.post("/auth/sign-in", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert form.status_code == header.status_code == 422  # past CSRF, into validation


@pytest.mark.usefixtures("db_session")
def test_a_token_from_another_session_is_refused(app: Flask, client: FlaskClient) -> None:
    other = app.test_client()
    response = client.post("/auth/sign-in", data={"csrf_token": csrf_token(other)})
    assert response.status_code == 400


def _assert_security_headers(response) -> None:  # type: ignore[no-untyped-def]
    policy = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.usefixtures("db_session")
@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/", {}, 200),
        ("/", {"HX-Request": "true"}, 200),
        ("/auth/sign-in", {}, 200),
        ("/lectures/none-such", {}, 404),
        ("/lectures/none-such", {"HX-Request": "true"}, 404),
        ("/static/css/durus.css", {}, 200),
    ],
)
def test_security_headers_everywhere(
    client: FlaskClient, path: str, headers: dict[str, str], status: int
) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == status
    _assert_security_headers(response)
    response.close()


@pytest.mark.usefixtures("db_session")
def test_error_fragment_for_htmx_is_small(client: FlaskClient) -> None:
    response = client.get("/lectures/none-such", headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert 'class="error-message"' in response.text


@pytest.mark.usefixtures("db_session")
def test_method_not_allowed_page(client: FlaskClient) -> None:
    response = client.put("/")
    assert response.status_code in {400, 405}  # CSRF refuses first for unsafe methods
    response = client.get("/auth/sign-out")
    assert response.status_code == 405
    assert "does not accept" in response.text


def test_no_template_holds_inline_code() -> None:
    offenders = []
    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", text, re.S):
            if "src=" not in match.group(1) or match.group(2).strip():
                offenders.append(f"{template.name}: inline script")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{template.name}: event-handler attribute")
        if re.search(r"hx-on[:-]", text):
            offenders.append(f"{template.name}: hx-on")
    assert offenders == []


def test_htmx_is_configured_safely() -> None:
    base = (PROJECT_ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    config = re.search(r'name="htmx-config" content=\'([^\']+)\'', base).group(1)
    for setting in (
        '"selfRequestsOnly": true',
        '"allowScriptTags": false',
        '"allowEval": false',
        '"historyRestoreAsHxRequest": false',
    ):
        assert setting in config


@pytest.mark.usefixtures("db_session")
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "https:evil.example",
        "%2F%2Fevil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "\\\\evil.example",
        "http:/evil.example",
    ],
)
def test_next_after_sign_in_is_always_local(client: FlaskClient, target: str) -> None:
    user = make_account()
    response = client.post(
        "/auth/sign-in",
        data={
            "email": user.email,
            "password": PASSWORD,
            "next": target,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.usefixtures("db_session")
def test_sign_in_is_rate_limited_per_account_and_address(client: FlaskClient) -> None:
    user = make_account()
    token = csrf_token(client)
    wrong = {"email": user.email, "password": "wrong guess!", "csrf_token": token}
    statuses = [client.post("/auth/sign-in", data=wrong).status_code for _ in range(6)]
    assert statuses[:5] == [422] * 5
    assert statuses[5] == 429
    limited = client.post("/auth/sign-in", data=wrong)
    assert "Too many attempts" in limited.text
    _assert_security_headers(limited)


@pytest.mark.usefixtures("db_session")
def test_an_attacker_elsewhere_does_not_lock_the_owner_out(app: Flask) -> None:
    user = make_account()
    attacker = app.test_client()
    token = csrf_token(attacker)
    for _ in range(10):
        attacker.post(
            "/auth/sign-in",
            data={"email": user.email, "password": "guess guess", "csrf_token": token},
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        )
    owner = app.test_client()
    sign_in(owner, user)  # from 127.0.0.1: still fine


@pytest.mark.usefixtures("db_session")
def test_password_reset_requests_are_rate_limited(client: FlaskClient) -> None:
    token = csrf_token(client)
    data = {"email": "someone@example.com", "csrf_token": token}
    statuses = [client.post("/auth/forgot-password", data=data).status_code for _ in range(4)]
    assert statuses == [303, 303, 303, 429]


@pytest.mark.usefixtures("db_session")
def test_sign_up_is_rate_limited(client: FlaskClient) -> None:
    token = csrf_token(client)
    statuses = [
        client.post("/auth/sign-up", data={"csrf_token": token}).status_code for _ in range(6)
    ]
    assert statuses == [422] * 5 + [429]


def test_client_address_comes_from_a_proxy_only_when_trusted(
    make_app: Callable[..., Flask],
) -> None:
    seen: list[str] = []
    for proxies in (0, 1):
        proxied = make_app(TRUSTED_PROXIES=proxies)

        @proxied.get("/_address")
        def address() -> str:
            from flask import request

            return request.remote_addr or ""

        seen.append(
            proxied.test_client().get("/_address", headers={"X-Forwarded-For": "198.51.100.7"}).text
        )
    assert seen == ["127.0.0.1", "198.51.100.7"]


@pytest.mark.parametrize("key", [None, "short"])
def test_production_refuses_a_missing_or_short_secret_key(
    make_app: Callable[..., Flask], key: str | None
) -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY must be set"):
        make_app(TESTING=False, DURUS_ENV="production", SECRET_KEY=key)


def test_production_starts_with_a_real_key(make_app: Callable[..., Flask]) -> None:
    app = make_app(TESTING=False, DURUS_ENV="production", SECRET_KEY="k" * 40)
    assert app.config["SECRET_KEY"] == "k" * 40


def test_rotated_secret_key_keeps_sessions_through_fallbacks(
    make_app: Callable[..., Flask],
) -> None:
    old = make_app(SECRET_KEY="o" * 40)
    new = make_app(SECRET_KEY="n" * 40, SECRET_KEY_FALLBACKS=["o" * 40])
    without = make_app(SECRET_KEY="n" * 40)
    with rolled_back(old):
        user = make_account()
        browser = old.test_client()
        sign_in(browser, user)
        cookie = browser.get_cookie("session").value
        for app, expected in ((new, 200), (without, 302)):
            later = app.test_client()
            later.set_cookie("session", cookie)
            assert later.get("/account").status_code == expected


def test_a_crash_is_a_friendly_500(make_app: Callable[..., Flask]) -> None:
    app = make_app(TESTING=False)

    @app.get("/_crash")
    def crash() -> str:
        raise RuntimeError("boom")

    client = app.test_client()
    page = client.get("/_crash")
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.text
    assert "boom" not in page.text and "Traceback" not in page.text
    _assert_security_headers(page)
    fragment = client.get("/_crash", headers={"HX-Request": "true"})
    assert fragment.status_code == 500 and "<html" not in fragment.text
