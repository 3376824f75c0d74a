"""Changing an item's publication state: the allowed transitions (models/publication.py),
scheduling, and the audit row, in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _

from .. import audit
from ..i18n import lazy_gettext as _l
from ..models import Lecture, PublicationState, Series
from ..models.publication import can_transition

# How a state is named on the pages (the stored values stay English). "scheduled" is a
# published item whose moment has not come yet.
STATE_NAMES = {
    "draft": _l("draft"),
    "scheduled": _l("scheduled"),
    "published": _l("published"),
    "archived": _l("archived"),
}


class TransitionRefused(ValueError):
    """Not allowed from the current state (or the item is not ready, e.g. no audio)."""


def state_name(state: str | PublicationState) -> str:
    """A state in the reader's language: "draft", "مسوّدة"."""
    value = state.value if isinstance(state, PublicationState) else state
    return str(STATE_NAMES.get(value, value))


def scheduled_message(moment: datetime | None) -> str:
    """The flash after scheduling: the moment listeners will see the item."""
    when = f"{moment:%Y-%m-%d %H:%M}"
    return _("Scheduled: listeners will see it from %(moment)s UTC.", moment=when)


def allowed_targets(item: Series | Lecture) -> list[PublicationState]:
    return [s for s in PublicationState if can_transition(item.state, s)]


def change_state(
    item: Series | Lecture,
    target: PublicationState,
    *,
    actor_id: uuid.UUID,
    publish_at: datetime | None = None,
) -> None:
    """Move `item` to `target`. Publishing at a future `publish_at` schedules it: listeners
    see it from that moment (the visibility rule compares with now; no job runs)."""
    if not can_transition(item.state, target):
        raise TransitionRefused(
            _(
                "A %(state)s item cannot become %(target)s.",
                state=state_name(item.state),
                target=state_name(target),
            )
        )
    needs_audio = target is PublicationState.PUBLISHED and isinstance(item, Lecture)
    if needs_audio and item.audio_asset_id is None:
        raise TransitionRefused(_("A lecture needs its audio before it can be published."))
    before = _snapshot(item)
    item.state = target
    if target is PublicationState.PUBLISHED:
        item.published_at = publish_at or datetime.now(UTC)
    kind = "lecture" if isinstance(item, Lecture) else "series"
    action = {
        PublicationState.PUBLISHED: "scheduled" if _in_future(publish_at) else "published",
        PublicationState.DRAFT: "unpublished",
        PublicationState.ARCHIVED: "archived",
    }[target]
    audit.record(
        f"{kind}.{action}", kind, item.id, actor_id=actor_id, before=before, after=_snapshot(item)
    )


def _in_future(moment: datetime | None) -> bool:
    return moment is not None and moment > datetime.now(UTC)


def _snapshot(item: Any) -> dict[str, Any]:
    return {
        "state": item.state.value,
        "published_at": item.published_at.isoformat() if item.published_at else None,
    }
