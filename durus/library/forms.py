"""Library forms. Only the fields declared here are read from a request: never a user id."""

from __future__ import annotations

from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..forms import Form
from ..i18n import lazy_gettext as _l


class ToggleForm(Form):
    """The state the listener asked for (not "flip it"): pressing twice, or a replayed request,
    asks for the same state again and changes nothing more."""

    state = SelectField(
        choices=[SelectChoice("on", "on"), SelectChoice("off", "off")],
        validators=[InputRequired(_l("Say whether to turn it on or off."))],
    )
    next = HiddenField()


class BackForm(Form):
    """An action without input (remove from continue listening): where to go back to."""

    next = HiddenField()
