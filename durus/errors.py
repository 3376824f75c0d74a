"""Friendly error pages, rendered with the site's layout and the right status."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException

from .htmx import render

MESSAGES = {
    400: "The request could not be understood. "
    "If you were sending a form, reload the page and try again.",
    403: "You do not have access to this page.",
    404: "There is nothing here. The page may have moved, or it is not published.",
    405: "This address does not accept that kind of request.",
    413: "What you sent is too large.",
    422: "Some of what you sent needs correcting.",
    429: "Too many requests. Please wait a moment and try again.",
    500: "Something went wrong on our side. Please try again in a moment.",
}


def handle_http_error(error: HTTPException):
    code = error.code or 500
    message = MESSAGES.get(code, error.description)
    return render("errors/error.html", error=error, message=message, status=code)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
