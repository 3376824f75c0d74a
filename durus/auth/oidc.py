"""OpenID Connect sign-in (Authlib): the configured providers, the flow and its accounts.

Authlib keeps state, nonce and the PKCE verifier in the session between start and callback
and checks them; here the ID token's issuer and audience are pinned, and an identity is never
joined to an existing account on the strength of an email alone: its password is asked first.
"""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.security import is_secure_transport
from authlib.integrations.flask_client import FlaskOAuth2App, OAuthError
from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from .. import audit
from ..config import ConfigurationError
from ..extensions import db, limiter, oauth
from ..forms import Form
from ..htmx import render
from ..i18n import lazy_gettext as _l
from ..models import User, UserIdentity
from . import bp, services, sessions
from .passwords import MAX_LENGTH
from .redirects import safe_next

SCOPE = "openid email profile"
TIMEOUT = 10  # seconds, for every request to a provider
EXTENSION = "durus.oidc"
NEXT_KEY = "_durus_oidc_next"
LINK_KEY = "_durus_oidc_link"
LINK_MAX_AGE = 600  # seconds to prove the password after the provider answered
REQUIRED_METADATA = ("authorization_endpoint", "token_endpoint", "jwks_uri")


def configured_providers() -> list[dict[str, Any]]:
    """The providers to offer on the sign-in page ([] hides the buttons)."""
    return current_app.config["OIDC_PROVIDERS"]


# Start-up: register every provider and check what it says about itself.


def init_app(app: Flask) -> None:
    """Register the configured providers with Authlib; stop start-up if one is unusable."""
    clients = {p["name"]: _register(p) for p in app.config["OIDC_PROVIDERS"]}
    app.extensions[EXTENSION] = clients
    # Browsers check form-action on every redirect a form post leads to: the providers'
    # origins must be allowed for the sign-in buttons to work without JavaScript.
    origins = {_origin(c.server_metadata["authorization_endpoint"]) for c in clients.values()}
    app.config["CSP_FORM_ACTION_EXTRA"] = sorted(origins)


def _register(provider: dict[str, Any]) -> FlaskOAuth2App:
    name = provider["name"]
    # Authlib's registry is process-wide and caches clients by name: an app created later in
    # the same process (tests) must get a client of its own, not another app's metadata.
    oauth._clients.pop(name, None)
    client = oauth.register(
        name,
        client_id=provider["client_id"],
        client_secret=provider["client_secret"],
        server_metadata_url=_metadata_url(provider["issuer"]),
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "default_timeout": TIMEOUT},
    )
    _check_metadata(provider, client)
    return client


def _metadata_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _check_metadata(provider: dict[str, Any], client: FlaskOAuth2App) -> None:
    name, issuer = provider["name"], provider["issuer"]
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError, TypeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise ConfigurationError(
            f"OpenID Connect provider {name!r}: could not load {_metadata_url(issuer)} ({reason})"
        ) from None
    if metadata.get("issuer") != issuer:
        raise ConfigurationError(
            f"OpenID Connect provider {name!r} calls itself {metadata.get('issuer')!r}, not "
            f"{issuer!r}: set OIDC_{name.upper()}_ISSUER to exactly its issuer"
        )
    missing = [key for key in REQUIRED_METADATA if not metadata.get(key)]
    if missing:
        raise ConfigurationError(
            f"OpenID Connect provider {name!r} does not publish {', '.join(missing)}"
        )
    plain = [metadata[key] for key in REQUIRED_METADATA if not is_secure_transport(metadata[key])]
    if plain:
        raise ConfigurationError(
            f"OpenID Connect provider {name!r} must be reached over https, not {plain[0]}"
        )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# The flow: start, callback, and proving the password before an identity joins an account.


class LinkForm(Form):
    password = PasswordField(
        _l("Password of your Durus account"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Connect and sign in"))


class SignInProblem(Exception):
    """Why this sign-in stops, as the person is told it."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def _provider(name: str) -> tuple[dict[str, Any], FlaskOAuth2App]:
    client = current_app.extensions[EXTENSION].get(name)
    provider = next((p for p in configured_providers() if p["name"] == name), None)
    if client is None or provider is None:
        abort(404)
    return provider, client


@bp.post("/auth/oidc/<provider>/start")
@limiter.limit("20 per minute")
def oidc_start(provider: str) -> Response:
    _, client = _provider(provider)
    session[NEXT_KEY] = safe_next(request.form.get("next"))
    callback = url_for("auth.oidc_callback", provider=provider, _external=True)
    found = client.create_authorization_url(callback)  # with state, nonce and PKCE verifier
    _forget_older_flows(provider)
    client.save_authorize_data(
        redirect_uri=callback, **{key: value for key, value in found.items() if key != "url"}
    )
    if request.headers.get("HX-Request") == "true":
        # A boosted form: htmx would follow a redirect with XHR, which cannot leave the site.
        return Response(status=204, headers={"HX-Redirect": found["url"]})
    return redirect(found["url"], 303)


def _forget_older_flows(provider: str, keep: int = 2) -> None:
    # Authlib keeps every started flow in the cookie session for an hour; a person pressing
    # the button again and again would grow the cookie past what browsers keep.
    prefix = f"_state_{provider}_"
    started = sorted(
        (key for key in session if key.startswith(prefix)), key=lambda key: session[key]["exp"]
    )
    for key in started[: max(len(started) - keep, 0)]:
        session.pop(key)


@bp.get("/auth/oidc/<provider>/callback")
@limiter.limit("20 per minute")
def oidc_callback(provider: str) -> Response:
    config, client = _provider(provider)
    next_url = session.pop(NEXT_KEY, None) or safe_next(None)
    try:
        user = _account_for(config, _verified_claims(config, client), next_url)
    except SignInProblem as problem:
        return _refusal(problem)
    if user is None:
        return redirect(url_for("auth.oidc_link"), 303)
    return _sign_in(user, next_url)


@bp.route("/auth/oidc/link", methods=["GET", "POST"])
@limiter.limit("5 per minute;30 per hour", methods=["POST"])
def oidc_link() -> Response:
    pending = session.get(LINK_KEY)
    if not pending or time.time() - pending["at"] > LINK_MAX_AGE:
        session.pop(LINK_KEY, None)
        return _refusal(_link_expired())
    user = db.session.get(User, uuid.UUID(pending["user_id"]))
    if user is None or not user.is_active:
        session.pop(LINK_KEY, None)
        return _refusal(_link_expired() if user is None else _inactive(user))
    context = {"user": user, "provider_name": pending["provider_name"]}
    if not services.has_password(user):
        return render("auth/oidc_link.html", form=None, status=409, **context)
    form = LinkForm()
    if form.validate_on_submit():
        if services.check_password(user, form.password.data):
            _link(user, pending["issuer"], pending["subject"])
            return _sign_in(user, pending["next"])
        form.password.errors.append(_("That is not the password of this account."))
    status = 422 if form.is_submitted() else 200
    return render("auth/oidc_link.html", form=form, status=status, **context)


def _verified_claims(provider: dict[str, Any], client: FlaskOAuth2App) -> dict[str, Any]:
    """The ID token's claims once checked: signature, expiry, nonce, issuer and audience."""
    pinned = {
        "iss": {"essential": True, "value": provider["issuer"]},
        "aud": {"essential": True, "value": provider["client_id"]},
    }
    try:
        token = client.authorize_access_token(claims_options=pinned)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise OAuthError(description="no ID token in the token response")
        if not claims.get("email"):
            claims |= _userinfo(client, token, claims["sub"])
    except (OAuthError, JoseError, requests.RequestException) as exc:
        current_app.logger.info("OpenID Connect sign-in with %s failed: %r", provider["name"], exc)
        raise _failed(provider) from None
    if _usable_email(claims.get("email")) is None:
        raise _no_email(provider)
    return claims


def _userinfo(client: FlaskOAuth2App, token: dict[str, Any], subject: str) -> dict[str, Any]:
    info = client.userinfo(token=token)
    if info.get("sub") != subject:  # an answer about someone else says nothing about this one
        return {}
    return {key: info[key] for key in ("email", "email_verified", "name") if key in info}


def _usable_email(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    email = value.strip()
    fits = 3 <= len(email) <= 254 and "@" in email[1:] and not any(c.isspace() for c in email)
    return email if fits else None


def _email_verified(claims: dict[str, Any]) -> bool:
    return claims.get("email_verified") in (True, "true")  # some providers send a string


def _account_for(provider: dict[str, Any], claims: dict[str, Any], next_url: str) -> User | None:
    """The account this identity signs in as; None when a link waits for the password."""
    issuer, subject = provider["issuer"], claims["sub"]
    identity = _identity(issuer, subject)
    if identity is not None:
        return db.session.get(User, identity.user_id)
    email = _usable_email(claims["email"]) or ""
    user = services.user_by_email(email)
    # An unconfirmed address could belong to someone else: it neither opens a new account
    # (which would squat the owner's email) nor joins an existing one.
    if not _email_verified(claims):
        raise _unverified(provider, email, exists=user is not None)
    if user is None:
        return _create_account(issuer, subject, email, claims.get("name"))
    if not user.is_active:
        raise _inactive(user)
    session[LINK_KEY] = {
        "issuer": issuer,
        "subject": subject,
        "user_id": str(user.id),
        "provider_name": provider["display_name"],
        "next": next_url,
        "at": int(time.time()),
    }
    return None


def _identity(issuer: str, subject: str) -> UserIdentity | None:
    return db.session.scalar(
        select(UserIdentity).where(UserIdentity.issuer == issuer, UserIdentity.subject == subject)
    )


def _create_account(issuer: str, subject: str, email: str, name: Any) -> User:
    display_name = name.strip()[:80] if isinstance(name, str) else ""
    user = User(
        email=services.normalise_email(email),
        display_name=display_name or email.partition("@")[0][:80],
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(UserIdentity(user_id=user.id, issuer=issuer, subject=subject))
    audit.record("user.signed_up", "user", user.id, actor_id=user.id, after={"issuer": issuer})
    return user


def _link(user: User, issuer: str, subject: str) -> None:
    if _identity(issuer, subject) is None:  # a form sent twice links once
        db.session.add(UserIdentity(user_id=user.id, issuer=issuer, subject=subject))
    audit.record(
        "user.identity_linked", "user", user.id, actor_id=user.id, after={"issuer": issuer}
    )


def _sign_in(user: User, next_url: str) -> Response:
    if not user.is_active:
        return _refusal(_inactive(user))
    sessions.sign_in(user, remember=False)
    db.session.commit()
    return redirect(safe_next(next_url), 303)


# What the person is told when it stops.


def _refusal(problem: SignInProblem) -> Response:
    return render(
        "auth/oidc_error.html", title=problem.title, message=problem.message, status=problem.status
    )


def _failed(provider: dict[str, Any]) -> SignInProblem:
    return SignInProblem(
        400,
        _("Signing in did not work"),
        _(
            "%(provider)s could not confirm who you are: the sign-in may have expired or been "
            "interrupted. Please try again.",
            provider=provider["display_name"],
        ),
    )


def _no_email(provider: dict[str, Any]) -> SignInProblem:
    return SignInProblem(
        400,
        _("An email address is needed"),
        _(
            "%(provider)s did not share your email address with Durus. Allow Durus to see it, "
            "or sign in another way.",
            provider=provider["display_name"],
        ),
    )


def _unverified(provider: dict[str, Any], email: str, *, exists: bool) -> SignInProblem:
    if not exists:
        return SignInProblem(
            409,
            _("Your email address is not confirmed"),
            _(
                "%(provider)s has not confirmed that %(email)s is yours. Confirm it with "
                "%(provider)s, or create a Durus account with a password.",
                provider=provider["display_name"],
                email=email,
            ),
        )
    return SignInProblem(
        409,
        _("This email already has an account"),
        _(
            "A Durus account already uses %(email)s, and %(provider)s has not confirmed that "
            "this address is yours. Sign in with your email and password first.",
            provider=provider["display_name"],
            email=email,
        ),
    )


def _inactive(user: User) -> SignInProblem:
    return SignInProblem(
        403, _("This account cannot sign in"), sessions.inactive_account_message(user)
    )


def _link_expired() -> SignInProblem:
    return SignInProblem(
        400,
        _("Please start again"),
        _(
            "Connecting an account works only for a few minutes after signing in with your "
            "provider, and this request has expired or is not there."
        ),
    )
