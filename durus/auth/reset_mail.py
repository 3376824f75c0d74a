"""The password-reset email, sent when someone asks for it or an administrator does. It is
written in the recipient's interface language, whoever asked for it."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from ..i18n import DEFAULT, LOCALES
from ..mail import send_mail
from ..models import User
from . import tokens


def send_reset_link(user: User) -> None:
    link = url_for("auth.reset_password", token=tokens.make_reset_token(user), _external=True)
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60)
    language = user.interface_language if user.interface_language in LOCALES else DEFAULT
    with force_locale(LOCALES[language]):
        subject = _("Reset your Durus password")
        body = "\n\n".join(
            [
                _("Assalamu alaikum %(name)s,", name=user.display_name),
                ngettext(
                    "To choose a new password for Durus, open this link within %(num)d minute:",
                    "To choose a new password for Durus, open this link within %(num)d minutes:",
                    minutes,
                ),
                link,
                _(
                    "The link works once. If you did not ask for it, ignore this message: "
                    "your password stays as it is."
                ),
            ]
        )
    send_mail(user.email, subject, body + "\n", language=language)
