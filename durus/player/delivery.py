"""Serving a stored asset: the steps audio and images share. Each route supplies only its own
rule of who may have the bytes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Response, abort, current_app, request
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.sql.elements import ColumnElement

from .. import policy
from ..database import first_row
from ..extensions import db
from ..media import get_store
from ..media.serving import MediaFile, media_response
from ..models import MediaAsset, MediaKind


def extension(asset: Any) -> str:
    """A MediaAsset's (or a row's with its storage_key) file extension."""
    return asset.storage_key.rsplit(".", 1)[-1]


def editors_may_have(scholar_ids: Select[tuple[uuid.UUID]]) -> bool:
    """An unpublished asset goes to an editor who may edit one of these scholars."""
    return any(policy.may_edit_scholar(current_user, s) for s in db.session.scalars(scholar_ids))


def deliver(
    asset_id: uuid.UUID,
    ext: str,
    kind: MediaKind,
    public: ColumnElement[bool],
    scholars: Callable[[uuid.UUID], Select[tuple[uuid.UUID]]],
) -> Response:
    """404 unless the asset exists, is of `kind` with this extension, and is either `public`
    (a condition on MediaAsset, asked in the same statement as the asset: one round trip for
    every range a player asks) or the asset of one of `scholars` that the viewer may edit. An
    asset never changes: its checksum is a strong validator and it may be cached for a year
    (privately while only editors may have it). The storage key comes from the row, and the
    store refuses any key it did not issue (404)."""
    columns = MediaAsset.__table__.c
    asset = first_row(
        db.session,
        select(
            columns.kind,
            columns.storage_key,
            columns.content_type,
            columns.sha256,
            public.label("public"),
        ).where(columns.id == asset_id),
    )
    if asset is None or asset.kind is not kind or ext != extension(asset):
        abort(404)
    allowed = asset.public or editors_may_have(scholars(asset_id))
    if not allowed:
        abort(404)  # an unpublished item's media does not reveal that the item exists
    media = MediaFile(
        key=asset.storage_key,
        content_type=asset.content_type,
        sha256=asset.sha256,
        public=asset.public,
    )
    accel_prefix = current_app.config["MEDIA_ACCEL_REDIRECT_PREFIX"]
    return media_response(request, get_store(), media, accel_prefix)
