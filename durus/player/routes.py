"""Audio delivery. An asset is served only when a listener may hear a lecture that uses it,
or to an editor who may edit such a lecture (drafts are heard before publication)."""

from __future__ import annotations

import uuid

from flask import Response
from sqlalchemy import Select, select
from sqlalchemy.sql.elements import ColumnElement

from ..models import Lecture, MediaAsset, MediaKind
from ..models.visibility import visible_lectures
from . import bp
from .delivery import deliver


def _heard_publicly() -> ColumnElement[bool]:
    """Some visible lecture uses the asset."""
    return visible_lectures(Lecture.id).where(Lecture.audio_asset_id == MediaAsset.id).exists()


def _scholars_using(asset_id: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    return select(Lecture.scholar_id).where(Lecture.audio_asset_id == asset_id).distinct()


@bp.get("/media/audio/<uuid:asset_id>.<ext>")
def audio(asset_id: uuid.UUID, ext: str) -> Response:
    return deliver(asset_id, ext, MediaKind.AUDIO, _heard_publicly(), _scholars_using)
