"""Account forms. Only the fields declared here are ever read from a request."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
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

from ..models.users import INTERFACE_LANGUAGES
from .passwords import MAX_LENGTH, password_problem

EMAIL_RULES = [
    DataRequired("Enter your email address."),
    Email("Enter an email address like name@example.com.", check_deliverability=False),
    Length(max=254, message="An email address has at most 254 characters."),
]
NAME_RULES = [
    DataRequired("Enter the name to show on Durus."),
    Length(max=80, message="Use at most 80 characters."),
]
PLAYBACK_RATES = ["0.75", "1.00", "1.25", "1.50", "1.75", "2.00"]
LANGUAGE_LABELS = {"en": "English", "ar": "العربية (Arabic)"}


def new_password_field(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired("Choose a password."), Length(max=MAX_LENGTH)],
        description="At least 10 characters. A few unrelated words make a strong one.",
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


class SignUpForm(NewPasswordMixin, FlaskForm):
    email = EmailField("Email", validators=EMAIL_RULES, render_kw={"autocomplete": "email"})
    display_name = StringField("Name", validators=NAME_RULES, render_kw={"autocomplete": "name"})
    password = new_password_field()
    next = HiddenField()
    submit = SubmitField("Create account")

    def personal_values(self) -> tuple[str, ...]:
        return (self.email.data or "", self.display_name.data or "")


class SignInForm(FlaskForm):
    email = EmailField("Email", validators=EMAIL_RULES, render_kw={"autocomplete": "username"})
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device (30 days)")
    next = HiddenField()
    submit = SubmitField("Sign in")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=EMAIL_RULES, render_kw={"autocomplete": "email"})
    submit = SubmitField("Send me a link")


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    password = new_password_field("New password")
    confirm = PasswordField(
        "New password again",
        validators=[EqualTo("password", "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Set the new password")

    def __init__(self, *args: object, personal: tuple[str, ...] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._personal = personal

    def personal_values(self) -> tuple[str, ...]:
        return self._personal


class ProfileForm(FlaskForm):
    display_name = StringField("Name", validators=NAME_RULES, render_kw={"autocomplete": "name"})
    email = EmailField("Email", validators=EMAIL_RULES, render_kw={"autocomplete": "email"})
    current_password = PasswordField(
        "Current password (needed to change your email)",
        validators=[Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Save profile")


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        "Current password",
        validators=[Length(max=MAX_LENGTH)],
        description="Leave empty if your account has no password yet.",
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Change password")


class PreferencesForm(FlaskForm):
    interface_language = SelectField(
        "Interface language",
        choices=[SelectChoice(code, LANGUAGE_LABELS[code]) for code in INTERFACE_LANGUAGES],
        validators=[InputRequired()],
    )
    playback_rate = SelectField(
        "Playback speed",
        choices=[SelectChoice(rate, f"{Decimal(rate).normalize()}×") for rate in PLAYBACK_RATES],
        validators=[InputRequired()],
    )
    autoplay_next = BooleanField("Play the next lecture of a series automatically")
    submit = SubmitField("Save preferences")


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        "Your password",
        validators=[Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    confirm_email = StringField(
        "Type your email address to confirm",
        validators=[Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
    submit = SubmitField("Delete my account for good")


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out")
