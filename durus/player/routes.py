"""Audio delivery. An asset is served only when a listener may hear a lecture that uses it,
or to an editor who may edit such a lecture (drafts are heard before publication)."""

from __future__ import annotations

import uuid

from flask import Response, abort, current_app, request
from flask_login import current_user
from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..media import get_store
from ..media.serving import MediaFile, media_response
from ..models import Lecture, MediaAsset, MediaKind
from ..models.visibility import visible_lectures
from . import bp


def audio_extension(asset: MediaAsset) -> str:
    return asset.storage_key.rsplit(".", 1)[-1]


def _may_hear(asset: MediaAsset) -> tuple[bool, bool]:
    """(may hear it, publicly): public when some visible lecture uses the asset."""
    public = db.session.scalar(
        select(visible_lectures(Lecture.id).where(Lecture.audio_asset_id == asset.id).exists())
    )
    if public:
        return True, True
    scholars = db.session.scalars(
        select(Lecture.scholar_id).where(Lecture.audio_asset_id == asset.id).distinct()
    )
    return any(policy.may_edit_scholar(current_user, s) for s in scholars), False


@bp.get("/media/audio/<uuid:asset_id>.<ext>")
def audio(asset_id: uuid.UUID, ext: str) -> Response:
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None or asset.kind is not MediaKind.AUDIO or ext != audio_extension(asset):
        abort(404)
    allowed, public = _may_hear(asset)
    if not allowed:
        abort(404)  # a draft's audio does not reveal that the draft exists
    # An asset never changes: its checksum is a strong validator, and it may be cached for a
    # year (privately while only editors may hear it). The storage key comes from the row, and
    # the store refuses any key it did not issue (404).
    media = MediaFile(
        key=asset.storage_key,
        content_type=asset.content_type,
        sha256=asset.sha256,
        public=public,
    )
    accel_prefix = current_app.config["MEDIA_ACCEL_REDIRECT_PREFIX"]
    return media_response(request, get_store(), media, accel_prefix)
