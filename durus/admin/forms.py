"""Forms of the accounts pages. Choices from the database are set by the view."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..models import AccountState, Role

ANY = SelectChoice("", "Any")
ROLE_LABELS = {Role.LISTENER: "Listener", Role.EDITOR: "Editor", Role.ADMIN: "Administrator"}
STATE_LABELS = {
    AccountState.ACTIVE: "Active",
    AccountState.SUSPENDED: "Suspended",
    AccountState.DEACTIVATED: "Deactivated",
}
SORTS = {
    "newest": "Newest first",
    "name": "Name (A–Z)",
    "email": "Email (A–Z)",
    "last_sign_in": "Last signed in",
}
DEFAULT_SORT = "newest"
# What the state buttons do: (the state it leads to, the button's words).
STATE_CHANGES = {
    "suspend": (AccountState.SUSPENDED, "Suspend"),
    "deactivate": (AccountState.DEACTIVATED, "Deactivate"),
    "reactivate": (AccountState.ACTIVE, "Reactivate"),
}


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = StringField(
        "Search by name or email",
        validators=[Optional(), Length(max=200, message="Use at most 200 characters.")],
    )
    role = SelectField(
        "Role",
        choices=[ANY, *(SelectChoice(r.value, label) for r, label in ROLE_LABELS.items())],
        validators=[Optional()],
    )
    state = SelectField(
        "Account state",
        choices=[ANY, *(SelectChoice(s.value, label) for s, label in STATE_LABELS.items())],
        validators=[Optional()],
    )
    sort = SelectField(
        "Order",
        choices=[SelectChoice(name, label) for name, label in SORTS.items()],
        default=DEFAULT_SORT,
        validators=[Optional()],
    )


class RoleForm(FlaskForm):
    role = SelectField(
        "Role",
        choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
        validators=[InputRequired("Choose a role.")],
    )
    confirm = BooleanField("Yes, take these rights away")


class StateForm(FlaskForm):
    change = HiddenField(validators=[InputRequired("Choose what to do.")])
    reason = TextAreaField(
        "Reason",
        validators=[
            DataRequired("Give a reason: it is kept in the audit log."),
            Length(min=3, max=500, message="Between 3 and 500 characters."),
        ],
        description="Kept in the audit log with the change.",
    )
    confirm = BooleanField("Yes, do it")

    def validate_change(self, field: HiddenField) -> None:
        if field.data not in STATE_CHANGES:
            raise ValidationError("Choose suspend, deactivate or reactivate.")


class ScopeForm(FlaskForm):
    scholar_id = SelectField("Scholar", validators=[InputRequired("Choose a scholar.")])


class ConfirmForm(FlaskForm):
    """Actions without fields: CSRF, and the confirmation where rights are taken away."""

    confirm = BooleanField("Yes")
