"""Editorial forms (scholars, series, transitions, ordering, notes). Only the fields declared
here are read from a request; choices that come from the database are set by the view."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..forms import Form
from ..i18n import lazy_gettext as _l
from ..models.base import SLUG_PATTERN

SLUG_RULES = [
    Optional(),
    Length(max=80, message=_l("Use at most 80 characters.")),
]
LTR = {"dir": "ltr"}  # an address reads left to right on an Arabic page too
SLUG_HINT = _l("Lower-case letters, digits and hyphens. Leave empty to make one from the title.")


def check_slug(value: str | None) -> None:
    if value and not re.fullmatch(SLUG_PATTERN, value):
        raise ValidationError(
            _("Use lower-case letters, digits and single hyphens (e.g. my-series).")
        )


class VersionedForm(Form):
    """Carries the item's `updated_at` as it was when the form was opened."""

    version = HiddenField()


class ScholarForm(VersionedForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter the scholar's name.")), Length(max=200)],
    )
    name_original = StringField(
        _l("Name in original script"),
        validators=[Optional(), Length(max=200)],
        render_kw={"dir": "auto"},
    )
    name_original_language = SelectField(_l("Language of that name"), validate_choice=False)
    biography = TextAreaField(
        _l("Biography"), validators=[Length(max=20_000)], render_kw={"rows": 8, "dir": "auto"}
    )
    slug = StringField(
        _l("Address (slug)"), validators=SLUG_RULES, description=SLUG_HINT, render_kw=LTR
    )
    submit = SubmitField(_l("Save scholar"))

    def validate_slug(self, field: StringField) -> None:
        check_slug(field.data)

    def validate_name_original_language(self, field: SelectField) -> None:
        codes = {str(value) for value, _label in field.choices or []}
        if field.data and field.data not in codes:
            raise ValidationError(_("Not a valid choice."))
        if (self.name_original.data or "").strip() and not field.data:
            raise ValidationError(_("Choose the language of the name in original script."))


class ScholarPhotoForm(Form):
    photo = FileField(
        _l("Photo"),
        validators=[FileRequired(_l("Choose an image file."))],
        description=_l(
            "A JPEG, PNG or WebP image. A new photo replaces the one shown to listeners."
        ),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    submit = SubmitField(_l("Upload photo"))


class ScholarActiveForm(Form):
    active = SelectField(
        _l("Status"),
        choices=[SelectChoice("active", _l("Active")), SelectChoice("inactive", _l("Inactive"))],
        validators=[InputRequired(_l("Choose active or inactive."))],
    )
    submit = SubmitField(_l("Set status"))


class SeriesForm(VersionedForm):
    title = StringField(
        _l("Title"),
        validators=[DataRequired(_l("Enter a title.")), Length(max=300)],
        render_kw={"dir": "auto"},
    )
    description = TextAreaField(
        _l("Description"), validators=[Length(max=20_000)], render_kw={"rows": 5, "dir": "auto"}
    )
    language_code = SelectField(
        _l("Language"), validators=[InputRequired(_l("Choose the language."))], validate_choice=True
    )
    slug = StringField(
        _l("Address (slug)"), validators=SLUG_RULES, description=SLUG_HINT, render_kw=LTR
    )
    submit = SubmitField(_l("Save series"))

    def validate_slug(self, field: StringField) -> None:
        check_slug(field.data)


class TransitionForm(VersionedForm):
    """Publish now, schedule, unpublish, archive or restore: `target` is a state; the view
    offers only the targets allowed from the current state and checks again."""

    target = SelectField(
        _l("Change to"),
        choices=[SelectChoice(v, v) for v in ("draft", "published", "archived")],
        validators=[InputRequired(_l("Choose what to do."))],
    )
    publish_at = DateTimeLocalField(
        _l("Publish at (UTC)"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=_l("Leave empty to publish now."),
    )
    confirm = BooleanField(_l("Yes, take it away from listeners"))

    def validate_publish_at(self, field: DateTimeLocalField) -> None:
        if field.data is None:
            return
        moment = field.data.replace(tzinfo=UTC)
        if moment <= datetime.now(UTC):
            raise ValidationError(
                _("Choose a moment in the future, or leave empty to publish now.")
            )
        field.data = moment


class MoveForm(Form):
    """Move a lecture up, down, or to position N (1 is the first)."""

    direction = SelectField(
        choices=[SelectChoice("", ""), SelectChoice("up", "up"), SelectChoice("down", "down")],
        validators=[Optional()],
    )
    position = IntegerField(
        _l("Move to position"),
        validators=[Optional(), NumberRange(min=1, message=_l("Positions start at 1."))],
    )

    def validate(self, extra_validators: object = None) -> bool:
        if not super().validate():  # type: ignore[arg-type]
            return False
        if not self.direction.data and self.position.data is None:
            self.position.errors.append(_("Say where to move it: up, down or a position."))
            return False
        return True


class NoteForm(Form):
    body = TextAreaField(
        _l("Note"),
        validators=[DataRequired(_l("Write the note.")), Length(max=5_000)],
        render_kw={"rows": 3, "dir": "auto"},
        description=_l("Seen only by editors and administrators, never by listeners."),
    )
    submit = SubmitField(_l("Add note"))


class ConfirmForm(Form):
    """A deliberate action: the page's form carries confirm=yes."""

    confirm = HiddenField(validators=[InputRequired(_l("Confirm the action."))])
