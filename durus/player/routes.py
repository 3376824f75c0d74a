"""Audio delivery. An asset is served only when a listener may hear a lecture that uses it,
or to an editor who may edit such a lecture (drafts are heard before publication)."""

from __future__ import annotations

import uuid

from flask import Response
from sqlalchemy import select

from ..extensions import db
from ..models import Lecture, MediaAsset, MediaKind
from ..models.visibility import visible_lectures
from . import bp
from .delivery import deliver, editors_may_have


def _may_hear(asset: MediaAsset) -> tuple[bool, bool]:
    """(may hear it, publicly): public when some visible lecture uses the asset."""
    public = db.session.scalar(
        select(visible_lectures(Lecture.id).where(Lecture.audio_asset_id == asset.id).exists())
    )
    if public:
        return True, True
    scholars = select(Lecture.scholar_id).where(Lecture.audio_asset_id == asset.id).distinct()
    return editors_may_have(scholars), False


@bp.get("/media/audio/<uuid:asset_id>.<ext>")
def audio(asset_id: uuid.UUID, ext: str) -> Response:
    return deliver(asset_id, ext, MediaKind.AUDIO, _may_hear)
