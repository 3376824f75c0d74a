"""Friendly error pages with the right status; an htmx request gets only the message."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .extensions import db
from .htmx import render

MESSAGES = {
    400: "The request could not be understood. "
    "If you were sending a form, reload the page and try again.",
    403: "You do not have access to this page.",
    404: "There is nothing here. The page may have moved, or it is not published.",
    405: "This address does not accept that kind of request.",
    413: "What you sent is too large.",
    422: "Some of what you sent needs correcting.",
    429: "Too many attempts in a short time. Please wait a minute and try again.",
    500: "Something went wrong on our side. Please try again in a moment.",
}
CSRF_MESSAGE = (
    "This form has expired or did not come from Durus. Reload the page and send it again."
)


def handle_http_error(error: HTTPException) -> Response:
    code = error.code or 500
    if code >= 500:
        db.session.rollback()  # the failed action leaves nothing half-written
    message = (
        CSRF_MESSAGE if isinstance(error, CSRFError) else MESSAGES.get(code, error.description)
    )
    response = render(
        "errors/error.html", block="error_message", error=error, message=message, status=code
    )
    if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
