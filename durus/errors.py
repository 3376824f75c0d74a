"""Friendly error pages with the right status; an htmx request gets only the message."""

from __future__ import annotations

import contextlib

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import PendingRollbackError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.wrappers import Response

from .database import UNAVAILABLE, connection_lost, discard_session, reason
from .extensions import db, login_manager
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
    503: _l("Service Unavailable"),
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
UNAVAILABLE_MESSAGE = _l(
    "Durus cannot reach its database just now. This usually passes within a minute: "
    "please try again shortly."
)
RETRY_AFTER_SECONDS = 5  # the Retry-After header, and how soon the page reloads itself
CSRF_MESSAGE = _l(
    "This form has expired or did not come from Durus. Reload the page and send it again."
)


def error_title(error: HTTPException) -> str:
    """The heading of an error page (every view that renders errors/error.html has it)."""
    return str(TITLES.get(error.code or 500, error.name))


def handle_http_error(error: HTTPException) -> Response:
    code = error.code or 500
    if code >= 500:
        with contextlib.suppress(SQLAlchemyError):  # a connection already lost has nothing
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


def handle_database_unavailable(error: Exception) -> Response:
    """The database is down, restarting or out of connections: 503 with Retry-After and a page
    that reloads itself (a GET), rendered without a query, instead of a 500 or a hang."""
    current_app.logger.warning(
        "database unavailable (%s: %s): %s %s answered 503",
        type(error).__name__,
        reason(error),
        request.method,
        request.path,
    )
    _settle_language()
    discard_session(db.session)
    # From here on the visitor counts as signed out for this response only (their session is
    # untouched): their account cannot be read, and nothing on this page needs it.
    login_manager._update_request_context_with_user()
    retry = request.method in {"GET", "HEAD"}
    response = render(
        "errors/unavailable.html",
        block="error_message",
        error=ServiceUnavailable(),
        message=UNAVAILABLE_MESSAGE,
        retry_url=request.full_path.rstrip("?") if retry else None,
        retry_after=RETRY_AFTER_SECONDS,
        status=503,
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def handle_pending_rollback(error: PendingRollbackError) -> Response:
    """A statement refused because an earlier error in this request left the transaction
    unfinished: the database gone, when that error was a lost connection that some code
    swallowed; otherwise a bug, and the usual 500."""
    if connection_lost(db.session):
        return handle_database_unavailable(error)
    raise error


def _settle_language() -> None:
    """Fix this response's language before the session is discarded: a signed-in person's
    preference when their account is already loaded, else the cookie or the browser's.
    Flask-Login loads the account on first use, with a query; when that is what failed, the
    visitor is taken as anonymous rather than the query tried again."""
    if "_login_user" not in g:
        login_manager._update_request_context_with_user()
    try:
        get_locale()
    except SQLAlchemyError:  # an account whose attributes need the database again
        login_manager._update_request_context_with_user()
        get_locale()


def end_session(_error: BaseException | None) -> None:
    """Teardown, before Flask-SQLAlchemy's own: the server may go away after the answer was
    made, as the request's transaction is rolled back. That failure is not the visitor's:
    the answer stands, and the broken connection is dropped."""
    if not discard_session(db.session):
        where = request.path if has_request_context() else "a command"
        current_app.logger.warning("database connection lost while ending %s", where)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    for error in UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.register_error_handler(PendingRollbackError, handle_pending_rollback)
    app.teardown_appcontext(end_session)  # teardowns run last-registered first
    app.jinja_env.globals.update(error_title=error_title)
