"""The audit log's filters: a GET form, so every filtered view is a link to share or bookmark."""

from __future__ import annotations

import re
import uuid

from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from ..audit import action_label, entity_type_label
from ..forms import Form
from ..i18n import lazy_gettext as _l

ANY = SelectChoice("", _l("Any"))
# What the code writes: `series.updated`, `user.role_changed`; `user`, `lecture`.
ACTION = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
ENTITY_TYPE = re.compile(r"[a-z][a-z0-9_]*")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def as_uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        return None


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET form that changes nothing

    actor = StringField(
        _l("Actor"),
        description=_l("The email address of the person who acted."),
        validators=[Optional(), Length(max=320, message=_l("At most 320 characters."))],
        filters=[lambda text: text.strip() if text else text],
    )
    action = SelectField(_l("Action"), validators=[Optional()])
    entity_type = SelectField(_l("Entity type"), validators=[Optional()])
    entity_id = StringField(_l("Entity ID"), validators=[Optional()])
    date_from = DateField(
        _l("From (UTC)"), validators=[Optional()], description=_l("Inclusive, as a UTC date.")
    )
    date_to = DateField(_l("To (UTC)"), validators=[Optional()], description=_l("Inclusive."))

    def set_choices(self, actions: list[str], entity_types: list[str]) -> None:
        """The values present in the log, and a well-formed value asked for that is not (yet):
        a link to it shows nothing rather than an error."""
        wanted = self.action.data
        if wanted and ACTION.fullmatch(wanted) and wanted not in actions:
            actions = sorted([*actions, wanted])
        self.action.choices = [ANY, *(SelectChoice(a, action_label(a)) for a in actions)]
        wanted = self.entity_type.data
        if wanted and ENTITY_TYPE.fullmatch(wanted) and wanted not in entity_types:
            entity_types = sorted([*entity_types, wanted])
        self.entity_type.choices = [
            ANY,
            *(SelectChoice(t, entity_type_label(t)) for t in entity_types),
        ]

    def validate_actor(self, field: StringField) -> None:
        text = field.data or ""
        if text and (CONTROL.search(text) or ("@" not in text and as_uuid(text) is None)):
            raise ValidationError(_l("Enter an email address (or an account ID)."))

    def validate_entity_id(self, field: StringField) -> None:
        if not field.data:
            return
        if as_uuid(field.data) is None:
            raise ValidationError(_l("Not a valid ID."))
        if not self.entity_type.data:
            raise ValidationError(_l("Choose the entity type of this ID."))

    def validate_date_to(self, field: DateField) -> None:
        start = self.date_from.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(_l("The end date must not be before the start date."))

    @property
    def filtered(self) -> bool:
        return any(self[name].data for name in ("actor", "action", "entity_type", "entity_id")) or (
            self.date_from.data is not None or self.date_to.data is not None
        )
