"""Editorial forms (scholars, series, transitions, ordering, notes). Only the fields declared
here are read from a request; choices that come from the database are set by the view."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask_wtf import FlaskForm
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

from ..models.base import SLUG_PATTERN

SLUG_RULES = [
    Optional(),
    Length(max=80, message="Use at most 80 characters."),
]
SLUG_HINT = "Lower-case letters, digits and hyphens. Leave empty to make one from the title."


def check_slug(value: str | None) -> None:
    if value and not re.fullmatch(SLUG_PATTERN, value):
        raise ValidationError("Use lower-case letters, digits and single hyphens (e.g. my-series).")


class VersionedForm(FlaskForm):
    """Carries the item's `updated_at` as it was when the form was opened."""

    version = HiddenField()


class ScholarForm(VersionedForm):
    name = StringField(
        "Name",
        validators=[DataRequired("Enter the scholar's name."), Length(max=200)],
    )
    name_original = StringField(
        "Name in original script",
        validators=[Optional(), Length(max=200)],
        render_kw={"dir": "auto"},
    )
    name_original_language = SelectField("Language of that name", validate_choice=False)
    biography = TextAreaField(
        "Biography", validators=[Length(max=20_000)], render_kw={"rows": 8, "dir": "auto"}
    )
    slug = StringField("Address (slug)", validators=SLUG_RULES, description=SLUG_HINT)
    submit = SubmitField("Save scholar")

    def validate_slug(self, field: StringField) -> None:
        check_slug(field.data)

    def validate_name_original_language(self, field: SelectField) -> None:
        codes = {str(value) for value, _label in field.choices or []}
        if field.data and field.data not in codes:
            raise ValidationError("Not a valid choice.")
        if (self.name_original.data or "").strip() and not field.data:
            raise ValidationError("Choose the language of the name in original script.")


class ScholarPhotoForm(FlaskForm):
    photo = FileField(
        "Photo",
        validators=[FileRequired("Choose an image file.")],
        description="A JPEG, PNG or WebP image. A new photo replaces the one shown to listeners.",
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    submit = SubmitField("Upload photo")


class ScholarActiveForm(FlaskForm):
    active = SelectField(
        "Status",
        choices=[SelectChoice("active", "Active"), SelectChoice("inactive", "Inactive")],
        validators=[InputRequired("Choose active or inactive.")],
    )
    submit = SubmitField("Set status")


class SeriesForm(VersionedForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Enter a title."), Length(max=300)],
        render_kw={"dir": "auto"},
    )
    description = TextAreaField(
        "Description", validators=[Length(max=20_000)], render_kw={"rows": 5, "dir": "auto"}
    )
    language_code = SelectField(
        "Language", validators=[InputRequired("Choose the language.")], validate_choice=True
    )
    slug = StringField("Address (slug)", validators=SLUG_RULES, description=SLUG_HINT)
    submit = SubmitField("Save series")

    def validate_slug(self, field: StringField) -> None:
        check_slug(field.data)


class TransitionForm(VersionedForm):
    """Publish now, schedule, unpublish, archive or restore: `target` is a state; the view
    offers only the targets allowed from the current state and checks again."""

    target = SelectField(
        "Change to",
        choices=[SelectChoice(v, v) for v in ("draft", "published", "archived")],
        validators=[InputRequired("Choose what to do.")],
    )
    publish_at = DateTimeLocalField(
        "Publish at (UTC)",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description="Leave empty to publish now.",
    )
    confirm = BooleanField("Yes, take it away from listeners")

    def validate_publish_at(self, field: DateTimeLocalField) -> None:
        if field.data is None:
            return
        moment = field.data.replace(tzinfo=UTC)
        if moment <= datetime.now(UTC):
            raise ValidationError("Choose a moment in the future, or leave empty to publish now.")
        field.data = moment


class MoveForm(FlaskForm):
    """Move a lecture up, down, or to position N (1 is the first)."""

    direction = SelectField(
        choices=[SelectChoice("", ""), SelectChoice("up", "up"), SelectChoice("down", "down")],
        validators=[Optional()],
    )
    position = IntegerField(
        "Move to position",
        validators=[Optional(), NumberRange(min=1, message="Positions start at 1.")],
    )

    def validate(self, extra_validators: object = None) -> bool:
        if not super().validate():  # type: ignore[arg-type]
            return False
        if not self.direction.data and self.position.data is None:
            self.position.errors.append("Say where to move it: up, down or a position.")
            return False
        return True


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Note",
        validators=[DataRequired("Write the note."), Length(max=5_000)],
        render_kw={"rows": 3, "dir": "auto"},
        description="Seen only by editors and administrators, never by listeners.",
    )
    submit = SubmitField("Add note")


class ConfirmForm(FlaskForm):
    """A deliberate action: the page's form carries confirm=yes."""

    confirm = HiddenField(validators=[InputRequired("Confirm the action.")])
