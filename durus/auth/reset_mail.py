"""The password-reset email, sent when someone asks for it or an administrator does."""

from __future__ import annotations

from flask import current_app, url_for

from ..mail import send_mail
from ..models import User
from . import tokens


def send_reset_link(user: User) -> None:
    link = url_for("auth.reset_password", token=tokens.make_reset_token(user), _external=True)
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60)
    send_mail(
        user.email,
        "Reset your Durus password",
        f"Assalamu alaikum {user.display_name},\n\n"
        f"To choose a new password for Durus, open this link within {minutes} minutes:\n\n"
        f"{link}\n\nThe link works once. If you did not ask for it, ignore this message:"
        " your password stays as it is.\n",
    )
