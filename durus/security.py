"""Security headers on every response, and trusting a proxy only when told to."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix


def content_security_policy(form_action_extra: tuple[str, ...] = ()) -> str:
    """The policy; `form_action_extra` are origins a form may lead to (sign-in providers)."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "media-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            " ".join(["form-action 'self'", *form_action_extra]),
            "frame-ancestors 'none'",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()
HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    extra = tuple(current_app.config.get("CSP_FORM_ACTION_EXTRA", ()))
    headers.setdefault("Content-Security-Policy", content_security_policy(extra))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Not no-referrer: Flask-WTF's CSRF check needs the Referer on HTTPS form posts.
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["HTTPS"] or request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # X-Forwarded-For/-Proto are believed only from this many proxies in front of us.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.after_request(add_security_headers)
