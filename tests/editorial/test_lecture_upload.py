"""Creating a lecture with its audio: the type is read from the content; a refused file
leaves no row and no file; the size limit comes from configuration."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from durus.extensions import db
from durus.models import AuditEntry, Lecture, MediaAsset, PublicationState
from tests.conftest import rolled_back
from tests.editorial.lecture_support import (
    SEEDS,
    audio_file,
    counts,
    editor_desk,
    lecture_fields,
    stored_files,
)
from tests.factories import make_series, make_topic


def _new(desk: Any) -> str:
    return f"/editorial/scholars/{desk.scholar.id}/lectures/new"


def test_the_form_is_a_page(client: FlaskClient) -> None:
    desk = editor_desk(client)
    response = client.get(_new(desk))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert "data-upload-progress" in response.text


def test_uploading_a_real_mp3_creates_an_asset_and_a_draft(client: FlaskClient) -> None:
    desk = editor_desk(client)
    series = make_series(scholar_id=desk.scholar.id)
    topic = make_topic()
    data = lecture_fields(
        title="Patience in adversity",
        recorded_on="2024-03-01",
        topics=[str(topic.id)],
        series=str(series.id),
        audio=audio_file("adab-2.mp3"),
    )
    response = desk.post(_new(desk), data, content_type="multipart/form-data")
    assert response.status_code == 303, response.text
    lecture = db.session.scalar(select(Lecture).where(Lecture.title == "Patience in adversity"))
    assert lecture is not None
    assert response.headers["Location"] == f"/editorial/lectures/{lecture.id}/edit"
    assert lecture.state is PublicationState.DRAFT
    assert lecture.slug == "patience-in-adversity"
    assert (lecture.series_id, lecture.position) == (series.id, 1)
    assert str(lecture.recorded_on) == "2024-03-01"
    asset = db.session.get(MediaAsset, lecture.audio_asset_id)
    assert asset is not None
    assert float(asset.duration_seconds) == pytest.approx(11.772, abs=0.01)
    assert asset.bitrate == 24000
    assert asset.sha256 == hashlib.sha256((SEEDS / "adab-2.mp3").read_bytes()).hexdigest()
    assert asset.original_filename == "adab-2.mp3"
    assert asset.created_by_id == desk.editor.id
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == lecture.id))
    assert audit is not None and audit.action == "lecture.created"
    assert audit.actor_id == desk.editor.id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"This is a text file pretending to be audio.\n" * 50, "cannot be used as audio"),
        ((SEEDS / "usul-2.mp3").read_bytes()[:40_000], "cut off or damaged"),
        (b"ID3" + bytes(range(256)) * 100, "cannot be used as audio"),
        (b"", "empty"),
    ],
    ids=["text-named-mp3", "truncated", "corrupt", "empty"],
)
def test_a_file_that_is_not_audio_leaves_nothing_behind(
    client: FlaskClient, media_root: Path, data: bytes, message: str
) -> None:
    desk = editor_desk(client)
    before_files, before_rows = stored_files(media_root), counts()
    response = desk.post(
        _new(desk),
        lecture_fields(audio=audio_file("lecture.mp3", data)),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in response.text
    assert counts() == before_rows
    assert stored_files(media_root) == before_files


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"language": "xx"}, "Not a valid choice"),
        ({"position": "2"}, "A position needs a series"),
        ({"series": "not-a-series"}, "Not a valid choice"),
    ],
)
def test_invalid_fields_are_refused_before_the_file_is_stored(
    client: FlaskClient, media_root: Path, fields: dict[str, str], message: str
) -> None:
    desk = editor_desk(client)
    before_files, before_rows = stored_files(media_root), counts()
    data = lecture_fields(audio=audio_file("kahf-2.mp3"), **fields)
    response = desk.post(_new(desk), data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.text
    assert counts() == before_rows
    assert stored_files(media_root) == before_files


def test_a_missing_file_is_refused(client: FlaskClient) -> None:
    desk = editor_desk(client)
    response = desk.post(_new(desk), lecture_fields(), content_type="multipart/form-data")
    assert response.status_code == 422
    assert "This field is required" in response.text


def _multipart(desk: Any, data: bytes) -> dict[str, Any]:
    """The body in memory (the test client would spool a large one to an unclosed file)."""
    audio = FileStorage(io.BytesIO(data), "big.mp3", content_type="audio/mpeg")
    fields = {"csrf_token": desk.token(), **lecture_fields(), "audio": audio}
    boundary, body = encode_multipart(MultiDict(fields))
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize("size", [600_000, 1_600_000], ids=["over-setting", "over-request"])
def test_an_upload_over_the_configured_size_is_refused_with_413(make_app: Any, size: int) -> None:
    """MAX_AUDIO_UPLOAD_MB=0: Flask refuses a request over 1 MB before reading it; a smaller
    file over the setting is refused while it is copied."""
    app: Flask = make_app(MAX_AUDIO_UPLOAD_MB=0)
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    with rolled_back(app):
        desk = editor_desk(app.test_client())
        media_root = Path(app.config["MEDIA_ROOT"])
        before_files, before_rows = stored_files(media_root), counts()
        data = ((SEEDS / "usul-2.mp3").read_bytes() * (size // 129_770 + 1))[:size]
        response = desk.client.post(_new(desk), **_multipart(desk, data))
        assert response.status_code == 413
        assert "files of up to 0 MB can be uploaded" in response.text
        assert "<html" in response.text
        fragment = desk.client.post(
            _new(desk), **_multipart(desk, data), headers={"HX-Request": "true"}
        )
        assert fragment.status_code == 413
        assert "<html" not in fragment.text
        assert "can be uploaded" in fragment.text
        assert counts() == before_rows
        assert stored_files(media_root) == before_files


def test_the_default_limit_is_500_mb(app: Flask) -> None:
    assert app.config["MAX_AUDIO_UPLOAD_MB"] == 500
    assert app.config["MAX_CONTENT_LENGTH"] == 501 * 1024 * 1024
