"""Images (scholar photos). A photo is served when an active scholar shows it, publicly; a
photo of an inactive scholar only to an editor who may edit that scholar, privately."""

from __future__ import annotations

import uuid

from flask import Response, url_for
from sqlalchemy import Select, select
from sqlalchemy.sql.elements import ColumnElement

from ..models import MediaAsset, MediaKind, Scholar
from ..models.visibility import scholar_is_visible
from . import bp
from .delivery import deliver, extension


@bp.app_template_global()
def image_url(asset: MediaAsset) -> str:
    return url_for("player.image", asset_id=asset.id, ext=extension(asset))


def _shown_publicly() -> ColumnElement[bool]:
    """An active scholar shows the photo."""
    return (
        select(Scholar.id)
        .where(Scholar.photo_asset_id == MediaAsset.id, scholar_is_visible())
        .exists()
    )


def _scholars_showing(asset_id: uuid.UUID) -> Select[tuple[uuid.UUID]]:
    return select(Scholar.id).where(Scholar.photo_asset_id == asset_id).limit(50)


@bp.get("/media/image/<uuid:asset_id>.<ext>")
def image(asset_id: uuid.UUID, ext: str) -> Response:
    return deliver(asset_id, ext, MediaKind.IMAGE, _shown_publicly(), _scholars_showing)
