"""The period of the listening insights: the last 7, 30 or 90 days (UTC, today included), or
dates of one's own. A GET form, so every view of the insights is a link to keep or share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import DateField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError

from ..forms import Form
from ..i18n import lazy_gettext as _l

PRESETS = {"7": 7, "30": 30, "90": 90}
CUSTOM = "custom"
DEFAULT = "30"
MAX_DAYS = 366
CHOICES = [
    SelectChoice("7", _l("Last 7 days")),
    SelectChoice("30", _l("Last 30 days")),
    SelectChoice("90", _l("Last 90 days")),
    SelectChoice(CUSTOM, _l("Between these dates")),
]


@dataclass(frozen=True)
class Period:
    """Days from `first` to `last`, both included."""

    first: date
    last: date
    choice: str

    @property
    def end(self) -> date:
        """The day after the last: the reader's ranges are [start, end)."""
        return self.last + timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def args(self) -> dict[str, str]:
        """The query arguments that name this period (for links that keep it)."""
        if self.choice in PRESETS:
            return {"period": self.choice}
        return {"period": CUSTOM, "start": self.first.isoformat(), "end": self.last.isoformat()}


class DayField(DateField):
    """A date input whose error says what it expects."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = datetime.strptime(valuelist[0].strip(), "%Y-%m-%d").date()
        except ValueError as error:
            self.data = None
            raise ValueError(_("Enter a date as YYYY-MM-DD, e.g. 2026-11-21.")) from error


class PeriodForm(Form):
    class Meta:
        csrf = False  # a GET form that changes nothing

    period = RadioField(
        _l("Period"),
        choices=CHOICES,
        default=DEFAULT,
        validators=[InputRequired(_l("Choose a period."))],
        validate_choice=False,  # validate_period says it better
    )
    start = DayField(_l("From (UTC)"), validators=[Optional()])
    end = DayField(_l("To (UTC)"), validators=[Optional()], description=_l("Both days included."))

    def __init__(self, formdata: MultiDict[str, str], **kwargs: object) -> None:
        # Dates without a period (a link such as ?start=…&end=…) mean those dates.
        if "period" not in formdata and (formdata.get("start") or formdata.get("end")):
            formdata = MultiDict([*formdata.items(multi=True), ("period", CUSTOM)])
        elif "period" not in formdata:
            formdata = MultiDict([*formdata.items(multi=True), ("period", DEFAULT)])
        super().__init__(formdata, **kwargs)

    def validate_period(self, field: RadioField) -> None:
        if field.data not in {choice.value for choice in CHOICES}:
            raise ValidationError(_("Choose the last 7, 30 or 90 days, or dates of your own."))

    def validate(self, extra_validators: dict | None = None) -> bool:
        valid = super().validate(extra_validators)
        if self.period.data != CUSTOM or self.start.errors or self.end.errors:
            return valid
        start, end = self.start.data, self.end.data
        if start is None:
            self.start.errors.append(_("Give the first day of the period."))
        if end is None:
            self.end.errors.append(_("Give the last day of the period."))
        elif start is not None and end < start:
            self.end.errors.append(_("The last day must not be before the first."))
        elif start is not None and (days := (end - start).days + 1) > MAX_DAYS:
            self.end.errors.append(
                _(
                    "A period is at most %(max)d days; this one is %(days)d.",
                    max=MAX_DAYS,
                    days=days,
                )
            )
        return valid and not (self.start.errors or self.end.errors)

    def resolve(self, today: date) -> Period:
        """The period asked for (call after `validate`); shows its dates in the date inputs."""
        choice = self.period.data or DEFAULT
        if choice in PRESETS:
            period = Period(today - timedelta(days=PRESETS[choice] - 1), today, choice)
        else:
            assert self.start.data is not None and self.end.data is not None
            period = Period(self.start.data, self.end.data, CUSTOM)
        self.start.data, self.end.data = period.first, period.last
        return period
