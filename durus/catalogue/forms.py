"""The browse filters: a GET form, so every filtered view is a shareable link."""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from ..forms import Form
from ..i18n import lazy_gettext as _l
from .listing import DEFAULT_SORT, SORTS

ANY = SelectChoice("", _l("Any"))
MAX_MINUTES = 24 * 60
BETWEEN = _l("Between 0 and 1440 minutes.")


class MinutesField(IntegerField):
    """A whole number of minutes, its parse error in our words (WTForms' Arabic for it speaks
    of real numbers)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        try:
            self.data = int(valuelist[0])
        except ValueError as exc:
            self.data = None
            raise ValueError(_("Not a valid integer value.")) from exc


class BrowseForm(Form):
    class Meta:
        csrf = False  # a GET form that changes nothing

    scholar = SelectField(_l("Scholar"), validators=[Optional()])
    series = SelectField(_l("Series"), validators=[Optional()])
    topic = SelectField(_l("Topic"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])
    min_minutes = MinutesField(
        _l("At least (minutes)"),
        validators=[Optional(), NumberRange(0, MAX_MINUTES, BETWEEN)],
    )
    max_minutes = MinutesField(
        _l("At most (minutes)"),
        validators=[Optional(), NumberRange(0, MAX_MINUTES, BETWEEN)],
    )
    sort = SelectField(
        _l("Order"),
        choices=[SelectChoice(name, sort.label) for name, sort in SORTS.items()],
        default=DEFAULT_SORT,
        validators=[Optional()],
    )

    def validate_max_minutes(self, field: IntegerField) -> None:
        low = self.min_minutes.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_("Must not be less than the shortest length."))

    def set_choices(
        self,
        scholars: list[tuple[str, str]],
        series: list[tuple[str, str]],
        topics: list[tuple[str, str]],
        languages: list[tuple[str, str]],
    ) -> None:
        for field, options in (
            (self.scholar, scholars),
            (self.series, series),
            (self.topic, topics),
            (self.language, languages),
        ):
            field.choices = [ANY, *(SelectChoice(value, label) for value, label in options)]
