"""Forms of the accounts pages. Choices from the database are set by the view."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..forms import Form
from ..i18n import lazy_gettext as _l
from ..models import AccountState, Role

ANY = SelectChoice("", _l("Any"))
ROLE_LABELS = {
    Role.LISTENER: _l("Listener"),
    Role.EDITOR: _l("Editor"),
    Role.ADMIN: _l("Administrator"),
}
# The people who have a role, for counts ("Editors: 3").
ROLE_PLURALS = {
    Role.LISTENER: _l("Listeners"),
    Role.EDITOR: _l("Editors"),
    Role.ADMIN: _l("Administrators"),
}
STATE_LABELS = {
    AccountState.ACTIVE: _l("Active"),
    AccountState.SUSPENDED: _l("Suspended"),
    AccountState.DEACTIVATED: _l("Deactivated"),
}
SORTS = {
    "newest": _l("Newest first"),
    "name": _l("Name (A–Z)"),
    "email": _l("Email (A–Z)"),
    "last_sign_in": _l("Last signed in"),
}
DEFAULT_SORT = "newest"
# What the state buttons do: the state each leads to.
STATE_CHANGES = {
    "suspend": AccountState.SUSPENDED,
    "deactivate": AccountState.DEACTIVATED,
    "reactivate": AccountState.ACTIVE,
}


class UserFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = StringField(
        _l("Search by name or email"),
        validators=[Optional(), Length(max=200, message=_l("Use at most 200 characters."))],
    )
    role = SelectField(
        _l("Role"),
        choices=[ANY, *(SelectChoice(r.value, label) for r, label in ROLE_LABELS.items())],
        validators=[Optional()],
    )
    state = SelectField(
        _l("Account state"),
        choices=[ANY, *(SelectChoice(s.value, label) for s, label in STATE_LABELS.items())],
        validators=[Optional()],
    )
    sort = SelectField(
        _l("Order"),
        choices=[SelectChoice(name, label) for name, label in SORTS.items()],
        default=DEFAULT_SORT,
        validators=[Optional()],
    )


class RoleForm(Form):
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()],
        validators=[InputRequired(_l("Choose a role."))],
    )
    confirm = BooleanField(_l("Yes, take these rights away"))


class StateForm(Form):
    change = HiddenField(validators=[InputRequired(_l("Choose what to do."))])
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give a reason: it is kept in the audit log.")),
            Length(min=3, max=500, message=_l("Between 3 and 500 characters.")),
        ],
        description=_l("Kept in the audit log with the change."),
    )
    confirm = BooleanField(_l("Yes, do it"))

    def validate_change(self, field: HiddenField) -> None:
        if field.data not in STATE_CHANGES:
            raise ValidationError(_l("Choose suspend, deactivate or reactivate."))


class ScopeForm(Form):
    scholar_id = SelectField(_l("Scholar"), validators=[InputRequired(_l("Choose a scholar."))])


class ConfirmForm(Form):
    """Actions without fields: CSRF, and the confirmation where rights are taken away."""

    confirm = BooleanField(_l("Yes"))
