"""Audio is served with Range support, only to those who may hear it."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from durus.extensions import db
from durus.models import EditorScope, PublicationState, Role
from tests.factories import SAMPLE_AUDIO, make_lecture, make_stored_audio_asset
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")


def _url(asset) -> str:  # type: ignore[no-untyped-def]
    return f"/media/audio/{asset.id}.mp3"


def test_published_audio_is_served_whole_and_in_ranges(client: FlaskClient) -> None:
    asset = make_stored_audio_asset()
    make_lecture(audio_asset_id=asset.id)
    whole = client.get(_url(asset))
    assert whole.status_code == 200
    assert whole.data == SAMPLE_AUDIO.read_bytes()
    assert whole.mimetype == "audio/mpeg"
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["ETag"] == f'"{asset.sha256}"'
    assert "immutable" in whole.headers["Cache-Control"]
    part = client.get(_url(asset), headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.data == SAMPLE_AUDIO.read_bytes()[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{asset.byte_size}"
    beyond = client.get(_url(asset), headers={"Range": f"bytes={asset.byte_size + 10}-"})
    assert beyond.status_code == 416
    for response in (whole, part, beyond):
        response.close()


def test_draft_audio_is_hidden_from_listeners_but_heard_by_its_editors(
    client: FlaskClient,
) -> None:
    asset = make_stored_audio_asset()
    lecture = make_lecture(audio_asset_id=asset.id, state=PublicationState.DRAFT, published_at=None)
    assert client.get(_url(asset)).status_code == 404
    editor = make_account(role=Role.EDITOR)
    sign_in(client, editor)
    assert client.get(_url(asset)).status_code == 404  # not in scope
    db.session.add(EditorScope(user_id=editor.id, scholar_id=lecture.scholar_id))
    db.session.flush()
    response = client.get(_url(asset))
    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]
    response.close()


def test_wrong_extension_or_unknown_asset_is_404(client: FlaskClient) -> None:
    asset = make_stored_audio_asset()
    make_lecture(audio_asset_id=asset.id)
    assert client.get(f"/media/audio/{asset.id}.ogg").status_code == 404
    assert client.get("/media/audio/00000000-0000-0000-0000-000000000000.mp3").status_code == 404
