"""A scholar's photo: uploaded by editors in scope, its type read from its bytes, stored as a
new image asset, audited, and shown (and served) on the listener's scholar page."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from durus.extensions import db
from durus.models import AuditEntry, MediaAsset, MediaKind, Role
from tests.editorial.lecture_support import Desk, editor_desk, stored_files
from tests.factories import JPEG_BYTES, make_scholar, png_bytes
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")


def _url(desk: Desk) -> str:
    return f"/editorial/scholars/{desk.scholar.id}/photo"


def _upload(desk: Desk, data: bytes, name: str = "photo.png") -> Any:
    """The body built in memory (the test client would spool a large one to an open file)."""
    photo = FileStorage(io.BytesIO(data), name, content_type="image/png")
    boundary, body = encode_multipart(MultiDict({"csrf_token": desk.token(), "photo": photo}))
    return desk.client.post(
        _url(desk), data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _assets() -> int:
    return db.session.scalar(select(func.count()).select_from(MediaAsset)) or 0


@pytest.mark.parametrize(
    ("data", "extension", "content_type"),
    [(png_bytes(), "png", "image/png"), (JPEG_BYTES, "jpg", "image/jpeg")],
    ids=["png", "jpeg"],
)
def test_a_real_image_becomes_the_photo_with_an_audit_row(
    client: FlaskClient, data: bytes, extension: str, content_type: str
) -> None:
    desk = editor_desk(client)
    response = _upload(desk, data, name="anything.bin")
    assert response.status_code == 303, response.text
    db.session.refresh(desk.scholar)
    asset = db.session.get(MediaAsset, desk.scholar.photo_asset_id)
    assert asset is not None
    assert (asset.kind, asset.content_type) == (MediaKind.IMAGE, content_type)
    assert asset.storage_key.endswith(f".{extension}")
    assert asset.duration_seconds is None and asset.byte_size == len(data)
    assert asset.created_by_id == desk.editor.id
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "scholar.photo_changed")
    )
    assert entry is not None and entry.entity_id == desk.scholar.id
    assert entry.before == {"photo_asset_id": None}
    assert entry.after == {"photo_asset_id": str(asset.id)}
    page = client.get(f"/editorial/scholars/{desk.scholar.id}")
    assert f"/media/image/{asset.id}.{extension}" in page.text


def test_a_new_photo_is_a_new_asset_and_the_old_one_is_kept(client: FlaskClient) -> None:
    desk = editor_desk(client)
    assert _upload(desk, png_bytes()).status_code == 303
    db.session.refresh(desk.scholar)
    first = desk.scholar.photo_asset_id
    assert _upload(desk, JPEG_BYTES, "second.jpg").status_code == 303
    db.session.refresh(desk.scholar)
    assert desk.scholar.photo_asset_id not in (None, first)
    assert db.session.get(MediaAsset, first) is not None
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "scholar.photo_changed")
    ).all()
    assert {"photo_asset_id": str(first)} in [e.before for e in entries]


@pytest.mark.parametrize(
    "data",
    [b"This is a text file, not a picture.\n" * 20, b"RIFF\x00\x00\x00\x00WAVEfmt ", b""],
    ids=["text-named-png", "riff-not-webp", "empty"],
)
def test_a_file_that_is_not_an_image_leaves_nothing_behind(
    client: FlaskClient, media_root: Path, data: bytes
) -> None:
    desk = editor_desk(client)
    before_files, before_assets = stored_files(media_root), _assets()
    response = _upload(desk, data, name="photo.png")
    assert response.status_code == 422
    assert "not a JPEG, PNG or WebP image" in response.text or "empty" in response.text
    assert _assets() == before_assets
    assert stored_files(media_root) == before_files
    db.session.refresh(desk.scholar)
    assert desk.scholar.photo_asset_id is None


def test_a_webp_is_recognised_by_its_header() -> None:
    from durus.editorial.images import sniff_image

    assert sniff_image(b"RIFF\x24\x00\x00\x00WEBPVP8 ") == ("image/webp", "webp")
    assert sniff_image(b"GIF89a") is None


def test_an_oversize_photo_is_refused_with_a_clear_message(
    app: Flask, client: FlaskClient, media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAX_IMAGE_UPLOAD_MB", 1)
    desk = editor_desk(client)
    before_files, before_assets = stored_files(media_root), _assets()
    response = _upload(desk, png_bytes() + b"\x00" * (1024 * 1024))
    assert response.status_code == 413
    assert "The photo is too large: images of up to 1 MB can be uploaded." in response.text
    assert _assets() == before_assets
    assert stored_files(media_root) == before_files


def test_a_missing_file_is_refused(client: FlaskClient) -> None:
    desk = editor_desk(client)
    response = desk.post(_url(desk), content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose an image file." in response.text


def test_an_editor_outside_the_scope_gets_403(client: FlaskClient, media_root: Path) -> None:
    desk = editor_desk(client)
    other = make_scholar()
    before_files = stored_files(media_root)
    photo = FileStorage(io.BytesIO(png_bytes()), "p.png", content_type="image/png")
    response = client.post(
        f"/editorial/scholars/{other.id}/photo",
        data={"csrf_token": desk.token(), "photo": photo},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert stored_files(media_root) == before_files


def test_the_listener_page_shows_the_photo_and_it_is_served(
    app: Flask, client: FlaskClient
) -> None:
    desk = editor_desk(client)
    assert _upload(desk, png_bytes()).status_code == 303
    db.session.refresh(desk.scholar)
    asset_id = desk.scholar.photo_asset_id
    client = app.test_client()
    sign_in(client, make_account(role=Role.LISTENER))
    page = client.get(f"/scholars/{desk.scholar.slug}")
    assert page.status_code == 200
    src = f"/media/image/{asset_id}.png"
    assert f'src="{src}"' in page.text
    assert f'alt="{desk.scholar.name}"' in page.text
    assert 'loading="lazy"' in page.text and 'width="160" height="160"' in page.text
    image = client.get(src)
    assert image.status_code == 200
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Cache-Control"].startswith("public")
    assert image.data == png_bytes()
    image.close()
    assert client.get(f"/media/image/{asset_id}.jpg").status_code == 404


def test_an_inactive_scholars_photo_is_only_for_editors_in_scope(
    app: Flask, client: FlaskClient
) -> None:
    desk = editor_desk(client)
    assert _upload(desk, png_bytes()).status_code == 303
    db.session.refresh(desk.scholar)
    desk.scholar.is_active = False
    db.session.flush()
    src = f"/media/image/{desk.scholar.photo_asset_id}.png"
    response = client.get(src)
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    response.close()
    listener = app.test_client()
    sign_in(listener, make_account(role=Role.LISTENER))
    assert listener.get(src).status_code == 404
