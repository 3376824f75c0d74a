"""Images (scholar photos). A photo is served when an active scholar shows it, publicly; a
photo of an inactive scholar only to an editor who may edit that scholar, privately."""

from __future__ import annotations

import uuid

from flask import Response, url_for
from sqlalchemy import select

from ..extensions import db
from ..models import MediaAsset, MediaKind, Scholar
from ..models.visibility import scholar_is_visible
from . import bp
from .delivery import deliver, editors_may_have, extension


@bp.app_template_global()
def image_url(asset: MediaAsset) -> str:
    return url_for("player.image", asset_id=asset.id, ext=extension(asset))


def _may_see(asset: MediaAsset) -> tuple[bool, bool]:
    """(may see it, publicly): public when an active scholar shows the photo."""
    shown = select(Scholar.id).where(Scholar.photo_asset_id == asset.id, scholar_is_visible())
    if db.session.scalar(select(shown.exists())):
        return True, True
    scholars = select(Scholar.id).where(Scholar.photo_asset_id == asset.id).limit(50)
    return editors_may_have(scholars), False


@bp.get("/media/image/<uuid:asset_id>.<ext>")
def image(asset_id: uuid.UUID, ext: str) -> Response:
    return deliver(asset_id, ext, MediaKind.IMAGE, _may_see)
