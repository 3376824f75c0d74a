"""The browse filters: a GET form, so every filtered view is a shareable link."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from .listing import DEFAULT_SORT, SORTS

ANY = SelectChoice("", "Any")
MAX_MINUTES = 24 * 60


class BrowseForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    scholar = SelectField("Scholar", validators=[Optional()])
    series = SelectField("Series", validators=[Optional()])
    topic = SelectField("Topic", validators=[Optional()])
    language = SelectField("Language", validators=[Optional()])
    min_minutes = IntegerField(
        "At least (minutes)",
        validators=[Optional(), NumberRange(0, MAX_MINUTES, "Between 0 and 1440 minutes.")],
    )
    max_minutes = IntegerField(
        "At most (minutes)",
        validators=[Optional(), NumberRange(0, MAX_MINUTES, "Between 0 and 1440 minutes.")],
    )
    sort = SelectField(
        "Order",
        choices=[SelectChoice(name, sort.label) for name, sort in SORTS.items()],
        default=DEFAULT_SORT,
        validators=[Optional()],
    )

    def validate_max_minutes(self, field: IntegerField) -> None:
        low = self.min_minutes.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError("Must not be less than the shortest length.")

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
