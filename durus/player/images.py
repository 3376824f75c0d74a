"""Images (scholar photos). A photo is served when an active scholar shows it, publicly; a
photo of an inactive scholar only to an editor who may edit that scholar, privately."""

from __future__ import annotations

import uuid

from flask import Response, abort, current_app, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import policy
from ..extensions import db
from ..media import get_store
from ..media.serving import MediaFile, media_response
from ..models import MediaAsset, MediaKind, Scholar
from ..models.visibility import scholar_is_visible
from . import bp


def _extension(asset: MediaAsset) -> str:
    return asset.storage_key.rsplit(".", 1)[-1]


@bp.app_template_global()
def image_url(asset: MediaAsset) -> str:
    return url_for("player.image", asset_id=asset.id, ext=_extension(asset))


def _may_see(asset: MediaAsset) -> tuple[bool, bool]:
    """(may see it, publicly): public when an active scholar shows the photo."""
    public = db.session.scalar(
        select(
            select(Scholar.id)
            .where(Scholar.photo_asset_id == asset.id, scholar_is_visible())
            .exists()
        )
    )
    if public:
        return True, True
    scholars = db.session.scalars(
        select(Scholar.id).where(Scholar.photo_asset_id == asset.id).limit(50)
    )
    return any(policy.may_edit_scholar(current_user, s) for s in scholars), False


@bp.get("/media/image/<uuid:asset_id>.<ext>")
def image(asset_id: uuid.UUID, ext: str) -> Response:
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None or asset.kind is not MediaKind.IMAGE or ext != _extension(asset):
        abort(404)
    allowed, public = _may_see(asset)
    if not allowed:
        abort(404)
    media = MediaFile(
        key=asset.storage_key,
        content_type=asset.content_type,
        sha256=asset.sha256,
        public=public,
    )
    accel_prefix = current_app.config["MEDIA_ACCEL_REDIRECT_PREFIX"]
    return media_response(request, get_store(), media, accel_prefix)
