"""Friendly error pages with the right status; an htmx request gets only the message."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .extensions import db
from .htmx import render
from .i18n import lazy_gettext as _l

# The page titles: werkzeug's names of the statuses, in the interface language.
TITLES = {
    400: _l("Bad Request"),
    403: _l("Forbidden"),
    404: _l("Not Found"),
    405: _l("Method Not Allowed"),
    413: _l("Request Entity Too Large"),
    422: _l("Unprocessable Entity"),
    429: _l("Too Many Requests"),
    500: _l("Internal Server Error"),
}
MESSAGES = {
    400: _l(
        "The request could not be understood. "
        "If you were sending a form, reload the page and try again."
    ),
    403: _l("You do not have access to this page."),
    404: _l("There is nothing here. The page may have moved, or it is not published."),
    405: _l("This address does not accept that kind of request."),
    413: _l("What you sent is too large."),
    422: _l("Some of what you sent needs correcting."),
    429: _l("Too many attempts in a short time. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Please try again in a moment."),
}
CSRF_MESSAGE = _l(
    "This form has expired or did not come from Durus. Reload the page and send it again."
)


def error_title(error: HTTPException) -> str:
    """The heading of an error page (every view that renders errors/error.html has it)."""
    return str(TITLES.get(error.code or 500, error.name))


def handle_http_error(error: HTTPException) -> Response:
    code = error.code or 500
    if code >= 500:
        db.session.rollback()  # the failed action leaves nothing half-written
    message = (
        CSRF_MESSAGE if isinstance(error, CSRFError) else MESSAGES.get(code, error.description)
    )
    response = render(
        "errors/error.html",
        block="error_message",
        error=error,
        message=message,
        status=code,
    )
    if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.jinja_env.globals.update(error_title=error_title)
