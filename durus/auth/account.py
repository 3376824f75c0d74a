"""The account page: profile, password, preferences, download my data, delete my account."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from flask import Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import refresh as refresh_locale
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from .. import audit
from ..admin.account_services import Refused, ensure_not_last_administrator
from ..extensions import db
from ..htmx import render
from ..models import User
from . import bp, services, sessions
from .forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    PreferencesForm,
    ProfileForm,
)


def _forms(**bound: object) -> dict[str, object]:
    """Every form of the page, prefilled from the account; `bound` replaces one with the
    submitted (and invalid) form so its messages show."""
    user = current_user
    forms: dict[str, object] = {
        "profile_form": ProfileForm(
            formdata=None, display_name=user.display_name, email=user.email
        ),
        "password_form": ChangePasswordForm(formdata=None),
        "preferences_form": PreferencesForm(
            formdata=None,
            interface_language=user.interface_language,
            playback_rate=f"{user.playback_rate:.2f}",
            autoplay_next=user.autoplay_next,
        ),
    }
    forms.update(bound)
    return forms


def _page(status: int = 200, **bound: object) -> BaseResponse:
    return render(
        "auth/account.html",
        has_password=services.has_password(current_user),
        status=status,
        **_forms(**bound),
    )


def _saved(message: str) -> BaseResponse:
    """Commit the action, say so, and show the account page again (Post/Redirect/Get)."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("auth.account"), 303)


@bp.get("/account")
@login_required
def account() -> BaseResponse:
    return _page()


def _refuse_email_change(form: ProfileForm, user: User) -> bool:
    """Mark the form when its email change may not happen; True if refused."""
    new_email = services.normalise_email(form.email.data)
    if new_email.lower() == user.email.lower():
        return False
    password = form.current_password.data or ""
    if services.has_password(user) and not services.check_password(user, password):
        form.current_password.errors.append(_("Enter your current password to change email."))
        return True
    other = services.user_by_email(new_email)
    if other is not None and other.id != user.id:
        form.email.errors.append(_("Another account uses this email address."))
        return True
    return False


@bp.post("/account/profile")
@login_required
def account_profile() -> BaseResponse:
    form = ProfileForm()
    user = current_user
    if form.validate_on_submit() and not _refuse_email_change(form, user):
        before = {"display_name": user.display_name, "email": user.email}
        user.display_name = form.display_name.data.strip()
        user.email = services.normalise_email(form.email.data)
        after = {"display_name": user.display_name, "email": user.email}
        if before != after:
            audit.record(
                "user.profile_changed",
                "user",
                user.id,
                actor_id=user.id,
                before=before,
                after=after,
            )
        return _saved(_("Your profile is saved."))
    return _page(422, profile_form=form)


@bp.post("/account/password")
@login_required
def account_password() -> BaseResponse:
    user = current_user
    form = ChangePasswordForm(personal=(user.email, user.display_name))
    if form.validate_on_submit():
        if services.has_password(user) and not services.check_password(
            user, form.current_password.data or ""
        ):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            services.set_password(user, form.password.data, actor_id=user.id)
            response = _saved(_("Your password is changed. Every other session has ended."))
            sessions.renew_after_version_change(user)
            return response
    return _page(422, password_form=form)


@bp.post("/account/preferences")
@login_required
def account_preferences() -> BaseResponse:
    form = PreferencesForm()
    if form.validate_on_submit():
        user = current_user
        user.interface_language = form.interface_language.data
        user.playback_rate = Decimal(form.playback_rate.data)
        user.autoplay_next = form.autoplay_next.data
        refresh_locale()  # say it in the language just chosen
        return _saved(_("Your preferences are saved."))
    return _page(422, preferences_form=form)


@bp.get("/account/export")
@login_required
def account_export() -> Response:
    data = services.export_data(current_user)
    data["exported_at"] = datetime.now(UTC).isoformat()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    response = Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="durus-my-data-{stamp}.json"',
            "Cache-Control": "no-store",
        },
    )
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def account_delete() -> BaseResponse:
    user = current_user
    has_password = services.has_password(user)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if has_password:
            confirmed = services.check_password(user, form.password.data or "")
            if not confirmed:
                form.password.errors.append(_("This is not your password."))
        else:
            typed = (form.confirm_email.data or "").strip().lower()
            confirmed = typed == user.email.lower()
            if not confirmed:
                form.confirm_email.errors.append(_("Type the email address of this account."))
        if confirmed:
            try:
                ensure_not_last_administrator(user)
            except Refused as refusal:
                form.form_errors.append(str(refusal))
                return render(
                    "auth/account_delete.html", form=form, has_password=has_password, status=409
                )
            services.delete_account(user)
            db.session.commit()
            sessions.sign_out()
            flash(_("Your account and your personal data are deleted."), "success")
            return redirect(url_for("catalogue.home"), 303)
    status = 422 if form.is_submitted() else 200
    return render("auth/account_delete.html", form=form, has_password=has_password, status=status)
