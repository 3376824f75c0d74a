"""Account forms. Only the fields declared here are ever read from a request."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import LazyString
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from ..forms import Form
from ..i18n import LANGUAGES
from ..i18n import lazy_gettext as _l
from ..models.users import INTERFACE_LANGUAGES
from .passwords import MAX_LENGTH, password_problem

EMAIL_RULES = [
    DataRequired(_l("Enter your email address.")),
    Email(_l("Enter an email address like name@example.com."), check_deliverability=False),
    Length(max=254, message=_l("An email address has at most 254 characters.")),
]
NAME_RULES = [
    DataRequired(_l("Enter the name to show on Durus.")),
    Length(max=80, message=_l("Use at most 80 characters.")),
]
PLAYBACK_RATES = ["0.75", "1.00", "1.25", "1.50", "1.75", "2.00"]


def _language_choice(code: str) -> SelectChoice:
    """A language by its own name, in its own language and direction (never translated)."""
    name, direction = LANGUAGES[code]
    return SelectChoice(code, name, render_kw={"lang": code, "dir": direction})


def new_password_field(label: LazyString | None = None) -> PasswordField:
    return PasswordField(
        label or _l("Password"),
        validators=[DataRequired(_l("Choose a password.")), Length(max=MAX_LENGTH)],
        description=_l("At least 10 characters. A few unrelated words make a strong one."),
        render_kw={"autocomplete": "new-password"},
    )


class NewPasswordMixin:
    """Checks `password` against the rules, knowing the email and name it must not be."""

    def personal_values(self) -> tuple[str, ...]:
        return ()

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", *self.personal_values())
        if problem:
            raise ValidationError(problem)


class SignUpForm(NewPasswordMixin, Form):
    email = EmailField(
        _l("Email"), validators=EMAIL_RULES, render_kw={"autocomplete": "email", "dir": "ltr"}
    )
    display_name = StringField(
        _l("Name"), validators=NAME_RULES, render_kw={"autocomplete": "name"}
    )
    password = new_password_field()
    next = HiddenField()
    submit = SubmitField(_l("Create account"))

    def personal_values(self) -> tuple[str, ...]:
        return (self.email.data or "", self.display_name.data or "")


class SignInForm(Form):
    email = EmailField(
        _l("Email"), validators=EMAIL_RULES, render_kw={"autocomplete": "username", "dir": "ltr"}
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device (30 days)"))
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(Form):
    email = EmailField(
        _l("Email"), validators=EMAIL_RULES, render_kw={"autocomplete": "email", "dir": "ltr"}
    )
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(NewPasswordMixin, Form):
    password = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set the new password"))

    def __init__(self, *args: object, personal: tuple[str, ...] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._personal = personal

    def personal_values(self) -> tuple[str, ...]:
        return self._personal


class ProfileForm(Form):
    display_name = StringField(
        _l("Name"), validators=NAME_RULES, render_kw={"autocomplete": "name"}
    )
    email = EmailField(
        _l("Email"), validators=EMAIL_RULES, render_kw={"autocomplete": "email", "dir": "ltr"}
    )
    current_password = PasswordField(
        _l("Current password (needed to change your email)"),
        validators=[Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Save profile"))


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[Length(max=MAX_LENGTH)],
        description=_l("Leave empty if your account has no password yet."),
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Change password"))


class PreferencesForm(Form):
    interface_language = SelectField(
        _l("Interface language"),
        choices=[_language_choice(code) for code in INTERFACE_LANGUAGES],
        validators=[InputRequired()],
    )
    playback_rate = SelectField(
        _l("Playback speed"),
        choices=[SelectChoice(rate, f"{Decimal(rate).normalize()}×") for rate in PLAYBACK_RATES],
        validators=[InputRequired()],
    )
    autoplay_next = BooleanField(_l("Play the next lecture of a series automatically"))
    submit = SubmitField(_l("Save preferences"))


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    confirm_email = StringField(
        _l("Type your email address to confirm"),
        validators=[Length(max=254)],
        render_kw={"autocomplete": "off", "dir": "ltr"},
    )
    submit = SubmitField(_l("Delete my account for good"))


class SignOutForm(Form):
    submit = SubmitField(_l("Sign out"))
