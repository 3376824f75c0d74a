"""What the player sends. Validated like any form: a bad ping is refused with 422."""

from __future__ import annotations

import math
import re

from wtforms import FloatField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    UUID,
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from ..auth.forms import PLAYBACK_RATES
from ..forms import Form

# The player's events, and the analytics event each one is logged as.
EVENTS = {
    "play": "play_start",
    "tick": "progress",
    "pause": "pause",
    "seek": "seek",
    "ended": "complete",
}
TOKEN = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class ProgressForm(Form):
    class Meta:
        # The player reads no message; without a catalogue, building the form needs neither
        # the reader's language nor their account (a ping loads no user).
        def get_translations(self, form: Form) -> None:
            return None

    lecture = StringField(validators=[DataRequired(), UUID("Not a lecture.")])
    position = FloatField(validators=[InputRequired("A position is needed."), NumberRange(min=0)])
    event = SelectField(choices=[SelectChoice(name) for name in EVENTS])
    observed_at = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=10**13)])
    playback_id = StringField(validators=[DataRequired(), Regexp(TOKEN)])
    browser_id = StringField(validators=[Optional(), UUID()])

    def validate_position(self, field: FloatField) -> None:
        if field.data is not None and not math.isfinite(field.data):
            raise ValidationError("The position must be a number of seconds.")


class RateForm(Form):
    rate = SelectField(choices=[SelectChoice(rate) for rate in PLAYBACK_RATES])
