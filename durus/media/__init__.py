"""The media store: files live here, the database keeps references (media_assets)."""

from flask import current_app

from .store import LocalMediaStore, MediaStore, StoredFile


def get_store() -> MediaStore:
    """The application's media store (a local folder under MEDIA_ROOT)."""
    return LocalMediaStore(current_app.config["MEDIA_ROOT"])


__all__ = ["LocalMediaStore", "MediaStore", "StoredFile", "get_store"]
