"""Saving an uploaded scholar photo: its type is decided by its first bytes (JPEG, PNG or
WebP), never by its name; only an accepted file reaches the media store, so a refused one
leaves no row and no file behind. Assets never change: a new photo is a new asset."""

from __future__ import annotations

import tempfile
import uuid
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import number
from ..media import get_store
from ..media.assets import asset_for
from ..models import MediaAsset, MediaKind
from .uploads import UploadRefused, copy_limited

# (content type, extension) by signature; WebP is RIFF....WEBP.
JPEG = ("image/jpeg", "jpg")
PNG = ("image/png", "png")
WEBP = ("image/webp", "webp")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sniff_image(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of the image these first bytes start, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(PNG_SIGNATURE):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def max_image_bytes() -> int:
    return int(current_app.config["MAX_IMAGE_UPLOAD_MB"]) * 1024 * 1024


def image_too_large_message() -> str:
    limit = number(current_app.config["MAX_IMAGE_UPLOAD_MB"])
    return _("The photo is too large: images of up to %(limit)s MB can be uploaded.", limit=limit)


def save_image_upload(
    source: BinaryIO, filename: str | None, *, actor_id: uuid.UUID | None
) -> MediaAsset:
    """Check `source` and store it as an image asset (the existing one for the same bytes).
    Raises UploadRefused; the caller commits."""
    with tempfile.TemporaryFile(prefix="durus-image-") as temp:
        copy_limited(source, temp, max_image_bytes(), image_too_large_message())
        temp.seek(0)
        kind = sniff_image(temp.read(16))
        if kind is None:
            raise UploadRefused(
                _("This file cannot be used as a photo: it is not a JPEG, PNG or WebP image.")
            )
        content_type, extension = kind
        temp.seek(0)
        stored = get_store().put(temp, "image", extension)
    asset, _created = asset_for(
        db.session, stored, MediaKind.IMAGE, content_type, filename=filename, created_by_id=actor_id
    )
    return asset
