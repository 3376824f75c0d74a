"""Forms of the lecture pages: create, edit, publication, replace audio, delete."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..extensions import db
from ..forms import Form
from ..i18n import lazy_gettext as _l
from ..models import Lecture, PublicationState, Series, Topic
from ..models.base import SLUG_PATTERN
from .queries import languages
from .slugs import slug_taken

AUDIO_HINT = _l("MP3, M4A, Ogg, FLAC or WAV. The file's content decides its type, not its name.")


class LectureFields(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000)])
    language = SelectField(_l("Language"), validators=[InputRequired()])
    recorded_on = DateField(_l("Recorded on"), validators=[Optional()])
    topics = SelectMultipleField(_l("Topics"), validators=[Optional()])
    series = SelectField(_l("Series"), validators=[Optional()])
    position = IntegerField(
        _l("Position in the series"),
        validators=[Optional(), NumberRange(min=1, max=100_000)],
        description=_l("Leave empty to place it at the end of the series."),
    )

    def set_choices(self, scholar_id: uuid.UUID) -> None:
        self.language.choices = languages()
        topics = db.session.execute(select(Topic.id, Topic.name).order_by(Topic.name)).all()
        self.topics.choices = [(str(tid), name) for tid, name in topics]
        series = db.session.execute(
            select(Series.id, Series.title)
            .where(Series.scholar_id == scholar_id)
            .order_by(Series.title)
        ).all()
        self.series.choices = [("", _("— Not in a series —"))] + [(str(s), t) for s, t in series]

    def validate_position(self, field: Any) -> None:
        if field.data is not None and not self.series.data:
            raise ValidationError(_("A position needs a series."))

    def series_id(self) -> uuid.UUID | None:
        return uuid.UUID(self.series.data) if self.series.data else None

    def topic_ids(self) -> list[uuid.UUID]:
        return [uuid.UUID(t) for t in self.topics.data or []]


class LectureCreateForm(LectureFields):
    audio = FileField(_l("Audio file"), validators=[FileRequired()], description=AUDIO_HINT)


class LectureEditForm(LectureFields):
    slug = StringField(
        _l("Address (slug)"),
        validators=[DataRequired(), Length(max=120)],
        description=_l("Lower-case letters, digits and hyphens. The old address keeps working."),
        render_kw={"dir": "ltr"},
    )
    version = HiddenField()

    def __init__(self, *args: Any, lecture: Lecture, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lecture = lecture

    def validate_slug(self, field: Any) -> None:
        field.data = (field.data or "").strip().lower()
        if not re.fullmatch(SLUG_PATTERN, field.data):
            raise ValidationError(_("Use lower-case letters, digits and single hyphens."))
        if slug_taken(Lecture, field.data, exclude_id=self.lecture.id):
            raise ValidationError(_("This address is taken by another lecture."))


class PublicationForm(Form):
    target = SelectField(_l("Change to"), validators=[InputRequired()])
    publish_at = DateTimeLocalField(
        _l("Publish at (UTC)"),
        validators=[Optional()],
        description=_l("Leave empty to publish now; a future time schedules it."),
    )
    confirm = HiddenField()

    def set_choices(self, targets: list[PublicationState]) -> None:
        self.target.choices = [(t.value, t.value) for t in targets]

    def validate_publish_at(self, field: Any) -> None:
        if field.data is None:
            return
        if self.target.data != PublicationState.PUBLISHED.value:
            raise ValidationError(_("A time only applies to publishing."))
        field.data = field.data.replace(tzinfo=UTC)
        if field.data <= datetime.now(UTC):
            raise ValidationError(_("Choose a time in the future, or leave it empty."))

    def target_state(self) -> PublicationState:
        return PublicationState(self.target.data)


class ReplaceAudioForm(Form):
    audio = FileField(_l("New audio file"), validators=[FileRequired()], description=AUDIO_HINT)
    confirm = BooleanField(
        _l("Replace the audio listeners hear with this file"),
        validators=[DataRequired(_l("Confirm that you want to replace the audio."))],
    )


class DeleteForm(Form):
    confirm = BooleanField(
        _l("Delete this draft for good"),
        validators=[DataRequired(_l("Confirm that you want to delete this draft."))],
    )
