"""Administration: accounts and roles, the audit log, listening insights. Administrators only.

Every view of the blueprint passes the guard below before it runs (deny by default): an
anonymous visitor is sent to sign in, anyone else who is not an active administrator gets 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import policy
from ..extensions import login_manager
from ..htmx import render

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def administrators_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not policy.may_manage_accounts(current_user):
        abort(403)
    return None


@bp.app_template_global("may_administer")
def is_admin_global(user: Any) -> bool:
    return policy.is_admin(user)


@bp.get("/")
def index() -> Response:
    from .account_queries import account_counts

    return render("admin/index.html", counts=account_counts())


from . import accounts, audit_log, insights  # noqa: E402, F401
