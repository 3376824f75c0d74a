"""Accounts: the list, an account's page, and the changes administrators make to it —
role, state, editor scopes, a password-reset email. One transaction per action, audited.

Changes take effect on the affected person's next request: every request loads the account
afresh (role, state and scopes are read then), and leaving the active state also ends every
session of the account."""

from __future__ import annotations

import smtplib
import uuid
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from .. import audit, policy
from ..auth.reset_mail import send_reset_link
from ..extensions import db
from ..htmx import render, wants_fragment
from ..models import AccountState, Role, Scholar, User
from ..pagination import BadCursor
from . import account_queries as queries
from . import bp
from .account_services import (
    Refused,
    add_scope,
    change_role,
    change_state,
    remove_scope,
    takes_rights_away,
)
from .forms import (
    ROLE_LABELS,
    ROLE_PLURALS,
    STATE_CHANGES,
    STATE_LABELS,
    ConfirmForm,
    RoleForm,
    ScopeForm,
    StateForm,
    UserFilterForm,
)


@bp.app_template_global("role_label")
def role_label(role: Role) -> str:
    return str(ROLE_LABELS[role])


@bp.app_template_global("role_plural")
def role_plural(role: Role) -> str:
    return str(ROLE_PLURALS[role])


@bp.app_template_global("state_label")
def state_label(state: AccountState) -> str:
    return str(STATE_LABELS[state])


@bp.get("/users")
def users() -> Response:
    form = UserFilterForm(request.args)
    cursor = request.args.get("after") or None
    if not form.validate():
        return render("admin/users.html", form=form, page=None, status=400)
    filters = queries.Filters(
        q=(form.q.data or "").strip(),
        role=Role(form.role.data) if form.role.data else None,
        state=AccountState(form.state.data) if form.state.data else None,
        sort=form.sort.data or "newest",
    )
    try:
        page = queries.list_users(filters, cursor)
    except BadCursor:
        abort(400)
    return render(
        "admin/users.html",
        block="user_rows" if cursor else None,
        form=form,
        page=page,
        filtered=bool(filters.q or filters.role or filters.state),
    )


def _account(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _page(user: User, status: int = 200, block: str | None = None, **forms: Any) -> Response:
    scope_form = forms.pop("scope_form", None) or ScopeForm(formdata=None)
    detail = queries.account_detail(user)
    scope_form.scholar_id.choices = [(str(s.id), s.name) for s in detail.other_scholars]
    role_form = forms.pop("role_form", None) or RoleForm(formdata=None, role=user.role.value)
    return render(
        "admin/user.html",
        block=block,
        status=status,
        detail=detail,
        user=user,
        role_form=role_form,
        state_form=forms.pop("state_form", None) or StateForm(formdata=None),
        scope_form=scope_form,
        confirm_form=ConfirmForm(formdata=None),
        action_label=audit.action_label,
        **forms,
    )


@bp.get("/users/<uuid:user_id>")
def user(user_id: uuid.UUID) -> Response:
    return _page(_account(user_id))


def _confirm(
    title: str, message: str, action: str, fields: dict[str, str], cancel: str
) -> Response:
    """The confirmation step for visitors without JavaScript (htmx asks with hx-confirm)."""
    return render(
        "admin/confirm.html",
        title=title,
        message=message,
        action=action,
        fields=fields,
        cancel=cancel,
        form=ConfirmForm(formdata=None),
    )


def _back_to(user: User) -> Response:
    """After a change: back to the account, or home when the change took this very
    administrator's rights away."""
    db.session.refresh(current_user)
    if not policy.is_admin(current_user):
        return redirect(url_for("catalogue.home"), 303)
    return redirect(url_for("admin.user", user_id=user.id), 303)


@bp.post("/users/<uuid:user_id>/role")
def user_role(user_id: uuid.UUID) -> Response:
    user = _account(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _page(user, 422, role_form=form)
    role = Role(form.role.data)
    if takes_rights_away(user, role) and not form.confirm.data:
        return _confirm(
            _demotion_question(user, role),
            _demotion_message(user, role),
            url_for("admin.user_role", user_id=user.id),
            {"role": role.value},
            url_for("admin.user", user_id=user.id),
        )
    try:
        changed = change_role(user, role, actor_id=current_user.id)
    except Refused as refusal:
        db.session.rollback()
        form.role.errors.append(str(refusal))
        return _page(user, 409, role_form=form)
    db.session.commit()
    if changed:
        flash(_now_has_role(user, role), "success")
    else:
        flash(_already_had_role(user, role), "info")
    if user.id == current_user.id and role is not Role.ADMIN and changed:
        flash(_("You are no longer an administrator."), "info")
    return _back_to(user)


def _now_has_role(user: User, role: Role) -> str:
    name = user.display_name
    return {
        Role.LISTENER: _("%(name)s is now a listener.", name=name),
        Role.EDITOR: _("%(name)s is now an editor.", name=name),
        Role.ADMIN: _("%(name)s is now an administrator.", name=name),
    }[role]


def _already_had_role(user: User, role: Role) -> str:
    name = user.display_name
    return {
        Role.LISTENER: _("%(name)s already was a listener.", name=name),
        Role.EDITOR: _("%(name)s already was an editor.", name=name),
        Role.ADMIN: _("%(name)s already was an administrator.", name=name),
    }[role]


def _demotion_question(user: User, role: Role) -> str:
    if role is Role.LISTENER:
        return _("Make %(name)s a listener?", name=user.display_name)
    return _("Make %(name)s an editor?", name=user.display_name)


def _demotion_message(user: User, role: Role) -> str:
    name = user.display_name
    if user.role is Role.EDITOR:
        return _(
            "%(name)s will no longer be able to edit the series and lectures of their"
            " scholars, from their next click. Their editor scopes are removed.",
            name=name,
        )
    if role is Role.LISTENER:
        return _(
            "%(name)s will no longer be able to manage accounts and every scholar, from their"
            " next click. Their editor scopes are removed.",
            name=name,
        )
    return _(
        "%(name)s will no longer be able to manage accounts and every scholar, from their"
        " next click.",
        name=name,
    )


@bp.post("/users/<uuid:user_id>/state")
def user_state(user_id: uuid.UUID) -> Response:
    user = _account(user_id)
    form = StateForm()
    if not form.validate_on_submit():
        return _page(user, 422, state_form=form)
    target = STATE_CHANGES[form.change.data]
    if target is not AccountState.ACTIVE and not form.confirm.data:
        return _confirm(
            _("Suspend %(name)s?", name=user.display_name)
            if target is AccountState.SUSPENDED
            else _("Deactivate %(name)s?", name=user.display_name),
            _(
                "%(name)s is signed out everywhere at once and cannot sign in until an"
                " administrator reactivates the account.",
                name=user.display_name,
            ),
            url_for("admin.user_state", user_id=user.id),
            {"change": form.change.data, "reason": form.reason.data},
            url_for("admin.user", user_id=user.id),
        )
    try:
        change_state(user, target, form.reason.data.strip(), actor_id=current_user.id)
    except Refused as refusal:
        db.session.rollback()
        form.reason.errors.append(str(refusal))
        return _page(user, 409, state_form=form)
    db.session.commit()
    flash(_new_state(user, target), "success")
    return _back_to(user)


def _new_state(user: User, state: AccountState) -> str:
    name = user.display_name
    return {
        AccountState.ACTIVE: _("The account of %(name)s is now active.", name=name),
        AccountState.SUSPENDED: _("The account of %(name)s is now suspended.", name=name),
        AccountState.DEACTIVATED: _("The account of %(name)s is now deactivated.", name=name),
    }[state]


def _scopes_answer(user: User, status: int = 200, **forms: Any) -> Response:
    """htmx swaps the scopes section in place; without JavaScript, back to the page."""
    if wants_fragment():
        return _page(user, status, block="scopes", **forms)
    if status >= 400:
        return _page(user, status, **forms)
    return redirect(url_for("admin.user", user_id=user.id) + "#scopes", 303)


@bp.post("/users/<uuid:user_id>/scopes")
def user_scope_add(user_id: uuid.UUID) -> Response:
    user = _account(user_id)
    form = ScopeForm()
    form.scholar_id.choices = [(str(s.id), s.name) for s in queries.scopes(user)[1]]
    if not form.validate_on_submit():
        return _scopes_answer(user, 422, scope_form=form)
    scholar = db.session.get(Scholar, uuid.UUID(form.scholar_id.data))
    assert scholar is not None  # one of the choices
    try:
        add_scope(user, scholar, actor_id=current_user.id)
    except Refused as refusal:
        db.session.rollback()
        form.scholar_id.errors.append(str(refusal))
        return _scopes_answer(user, 409, scope_form=form)
    db.session.commit()
    if not wants_fragment():
        flash(
            _("%(name)s may now manage %(scholar)s.", name=user.display_name, scholar=scholar.name),
            "success",
        )
    return _scopes_answer(user, scope_message=_("Added %(scholar)s.", scholar=scholar.name))


@bp.post("/users/<uuid:user_id>/scopes/<uuid:scholar_id>/remove")
def user_scope_remove(user_id: uuid.UUID, scholar_id: uuid.UUID) -> Response:
    user = _account(user_id)
    scholar = db.session.get(Scholar, scholar_id)
    if scholar is None:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        return _confirm(
            _(
                "Remove %(scholar)s from %(name)s's scholars?",
                scholar=scholar.name,
                name=user.display_name,
            ),
            _(
                "%(name)s will no longer be able to edit the series and lectures of"
                " %(scholar)s, from their next click.",
                name=user.display_name,
                scholar=scholar.name,
            ),
            url_for("admin.user_scope_remove", user_id=user.id, scholar_id=scholar.id),
            {},
            url_for("admin.user", user_id=user.id) + "#scopes",
        )
    removed = remove_scope(user, scholar, actor_id=current_user.id)
    db.session.commit()
    message = (
        _("Removed %(scholar)s.", scholar=scholar.name)
        if removed
        else _("%(scholar)s was not assigned.", scholar=scholar.name)
    )
    if not wants_fragment():
        flash(message, "success" if removed else "info")
    return _scopes_answer(user, scope_message=message)


@bp.post("/users/<uuid:user_id>/password-reset")
def user_password_reset(user_id: uuid.UUID) -> Response:
    user = _account(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not user.is_active:
        flash(_("The account is not active: reactivate it before sending a reset link."), "error")
        return redirect(url_for("admin.user", user_id=user.id), 303)
    try:
        send_reset_link(user)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("admin: reset mail to %s failed: %s", user.id, error)
        flash(_("The email could not be sent. Check the mail settings and try again."), "error")
        return redirect(url_for("admin.user", user_id=user.id), 303)
    audit.record("user.password_reset_sent", "user", user.id, actor_id=current_user.id)
    db.session.commit()
    flash(_("A password-reset link is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user", user_id=user.id), 303)
