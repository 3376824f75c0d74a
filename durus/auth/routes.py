"""Sign up, sign in, sign out, forgotten password."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..extensions import db
from ..htmx import render
from ..i18n import current_language, set_language_cookie
from ..i18n import lazy_gettext as _l
from . import bp, limits, services, sessions, tokens
from .forms import ForgotPasswordForm, ResetPasswordForm, SignInForm, SignOutForm, SignUpForm
from .oidc import configured_providers
from .redirects import safe_next
from .reset_mail import send_reset_link

SIGN_IN_FAILED = _l("The email or password is not right. Check them and try again.")


def _password_sign_in_enabled() -> None:
    if not current_app.config["PASSWORD_SIGN_IN"]:
        abort(404)


def _next_from_request() -> str:
    return request.values.get("next", "")


@bp.route("/auth/sign-up", methods=["GET", "POST"])
@limits.apply(limits.sign_up_limits)
def sign_up() -> Response:
    _password_sign_in_enabled()
    form = SignUpForm(next=_next_from_request())
    if form.validate_on_submit():
        try:
            user = services.register(
                form.email.data,
                form.display_name.data,
                form.password.data,
                language=current_language(),
            )
        except services.EmailTaken:
            form.email.errors.append(
                _("An account with this email already exists. Sign in, or reset its password.")
            )
        else:
            sessions.sign_in(user, remember=False)
            db.session.commit()
            flash(_("Welcome to Durus, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next(form.next.data), 303)
    status = 422 if form.is_submitted() else 200
    return render("auth/sign_up.html", form=form, status=status)


@bp.route("/auth/sign-in", methods=["GET", "POST"])
@limits.apply(limits.sign_in_limits)
def sign_in() -> Response:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(_next_from_request()), 303)
    if request.method == "POST":
        _password_sign_in_enabled()
    form = SignInForm(next=_next_from_request())
    error = None
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            error = str(SIGN_IN_FAILED)
        elif not user.is_active:
            error = sessions.inactive_account_message(user)
        else:
            sessions.sign_in(user, remember=form.remember.data)
            db.session.commit()
            return redirect(safe_next(form.next.data), 303)
        db.session.commit()  # a rehash or nothing; never half a sign-in
    status = 422 if form.is_submitted() else 200
    return render(
        "auth/sign_in.html",
        form=form,
        error=error,
        providers=configured_providers(),
        status=status,
    )


@bp.post("/auth/sign-out")
@login_required
def sign_out() -> Response:
    form = SignOutForm()
    if not form.validate_on_submit():
        abort(400)
    language = current_language()
    services.end_all_sessions(current_user)
    db.session.commit()
    sessions.sign_out()
    flash(_("You are signed out, on this device and every other."), "success")
    response = redirect(url_for("catalogue.home"), 303)
    set_language_cookie(response, language)  # the pages stay in the language they were in
    return response


@bp.route("/auth/forgot-password", methods=["GET", "POST"])
@limits.apply(limits.reset_request_limits)
def forgot_password() -> Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data)
        if user is not None and user.is_active:
            send_reset_link(user)
        # The same answer whether or not the address has an account.
        flash(
            _("If an account uses that address, a link to reset its password is on its way."),
            "success",
        )
        return redirect(url_for("auth.sign_in"), 303)
    status = 422 if form.is_submitted() else 200
    return render("auth/forgot_password.html", form=form, status=status)


@bp.route("/auth/reset-password/<token>", methods=["GET", "POST"])
@limits.apply(limits.reset_use_limits)
def reset_password(token: str) -> Response:
    user = tokens.user_for_reset_token(token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if user is None or not user.is_active:
        return render("auth/reset_invalid.html", status=400)
    form = ResetPasswordForm(personal=(user.email, user.display_name))
    if form.validate_on_submit():
        services.set_password(user, form.password.data, actor_id=user.id)
        sessions.sign_in(user, remember=False)
        db.session.commit()
        flash(
            _("Your password is changed. Every other session of your account has ended."),
            "success",
        )
        return redirect(url_for("auth.account"), 303)
    status = 422 if form.is_submitted() else 200
    return render("auth/reset_password.html", form=form, status=status)
