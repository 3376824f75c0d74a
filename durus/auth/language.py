"""The language switcher: a signed-in person's choice is their account preference; anyone
else's is a cookie. Either way the page comes back whole (the layout's direction changes)."""

from __future__ import annotations

from flask import abort, redirect, request
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import i18n
from ..extensions import db
from . import bp
from .redirects import safe_next


@bp.post("/language")
def set_language() -> Response:
    code = request.form.get("language", "")
    if code not in i18n.LANGUAGES:
        abort(400)
    if current_user.is_authenticated:
        current_user.interface_language = code
        db.session.commit()
    response = redirect(safe_next(request.form.get("next")), 303)
    i18n.set_language_cookie(response, code)
    return response
