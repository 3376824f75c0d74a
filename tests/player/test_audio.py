"""Audio is served with Range support, only to those who may hear it, and only from keys the
store issued."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from werkzeug.exceptions import NotFound

from durus.config import ConfigurationError, accel_redirect_prefix
from durus.extensions import db
from durus.media.serving import (
    ONE_YEAR,
    MediaFile,
    RangeFile,
    media_response,
    parse_byte_ranges,
)
from durus.media.store import LocalMediaStore
from durus.models import EditorScope, MediaAsset, MediaKind, PublicationState, Role
from tests.factories import SAMPLE_AUDIO, make_lecture, make_stored_audio_asset
from tests.helpers import make_account, sign_in

pytestmark = pytest.mark.usefixtures("db_session")

BYTES = SAMPLE_AUDIO.read_bytes()
SIZE = len(BYTES)
PUBLIC_CACHE = f"public, max-age={ONE_YEAR}, immutable"
PRIVATE_CACHE = f"private, max-age={ONE_YEAR}, immutable"
SECRET = b"this must never be served"


def _url(asset) -> str:  # type: ignore[no-untyped-def]
    return f"/media/audio/{asset.id}.mp3"


def fetch(client: FlaskClient, url: str, method: str = "GET", **headers: str) -> Any:
    """The response, read whole and closed (the file it streamed from is closed too)."""
    with client.open(url, method=method, headers=headers) as response:
        response.get_data()
        return response


@pytest.fixture
def published() -> MediaAsset:
    asset = make_stored_audio_asset()
    make_lecture(audio_asset_id=asset.id)
    return asset


def test_published_audio_is_served_whole_with_validators_and_caching(
    client: FlaskClient, published: MediaAsset
) -> None:
    whole = fetch(client, _url(published))
    assert whole.status_code == 200
    assert whole.data == BYTES
    assert whole.mimetype == "audio/mpeg"
    assert whole.headers["Content-Length"] == str(SIZE) == str(published.byte_size)
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["ETag"] == f'"{published.sha256}"'
    assert whole.headers["Cache-Control"] == PUBLIC_CACHE
    assert "Content-Range" not in whole.headers


@pytest.mark.parametrize(
    ("range_header", "start", "stop"),
    [
        ("bytes=100-199", 100, 200),
        ("bytes=0-0", 0, 1),
        ("bytes=0-", 0, SIZE),
        ("bytes=500-", 500, SIZE),  # open-ended
        (f"bytes={SIZE - 1}-", SIZE - 1, SIZE),  # the last byte
        ("bytes=-500", SIZE - 500, SIZE),  # suffix: the last 500 bytes
        (f"bytes=-{SIZE + 1000}", 0, SIZE),  # a suffix longer than the file is all of it
        (f"bytes=1000-{SIZE + 5000}", 1000, SIZE),  # an end beyond the file is clamped
        ("bytes=1000-99999999999999999999999", 1000, SIZE),
        ("Bytes=10-19", 10, 20),  # the unit is case-insensitive
        ("bytes= 10-19 ", 10, 20),
    ],
)
def test_one_range_is_answered_206_with_exactly_those_bytes(
    client: FlaskClient, published: MediaAsset, range_header: str, start: int, stop: int
) -> None:
    part = fetch(client, _url(published), Range=range_header)
    assert part.status_code == 206
    assert part.data == BYTES[start:stop]
    assert part.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{SIZE}"
    assert part.headers["Content-Length"] == str(stop - start)
    assert part.headers["ETag"] == f'"{published.sha256}"'
    assert part.headers["Cache-Control"] == PUBLIC_CACHE
    assert part.mimetype == "audio/mpeg"


def test_a_range_of_published_audio_is_one_statement(
    client: FlaskClient, published: MediaAsset, count_queries: Any
) -> None:
    # A player asks for many ranges: the asset and whether the public may hear it, together.
    with count_queries() as statements:
        assert fetch(client, _url(published), Range="bytes=0-99").status_code == 206
    assert len(statements) == 1, statements


@pytest.mark.parametrize(
    "range_header",
    [f"bytes={SIZE}-", f"bytes={SIZE + 10}-", f"bytes={SIZE}-{SIZE + 99}", "bytes=-0"],
)
def test_an_unsatisfiable_range_is_416_with_the_size(
    client: FlaskClient, published: MediaAsset, range_header: str
) -> None:
    refused = fetch(client, _url(published), Range=range_header)
    assert refused.status_code == 416
    assert refused.headers["Content-Range"] == f"bytes */{SIZE}"
    assert refused.data == b""


@pytest.mark.parametrize(
    "range_header",
    [
        "bytes=0-9,20-29",  # several ranges: the whole file (documented), never multipart
        "bytes=0-9, -5",
        "bytes=abc",  # malformed ones are ignored, as RFC 9110 says
        "bytes=9-5",
        "bytes=",
        "bytes=1-2,",
        "items=0-9",  # another unit
        "0-9",
    ],
)
def test_several_or_malformed_ranges_get_the_whole_file(
    client: FlaskClient, published: MediaAsset, range_header: str
) -> None:
    whole = fetch(client, _url(published), Range=range_header)
    assert whole.status_code == 200
    assert whole.data == BYTES
    assert "Content-Range" not in whole.headers


@pytest.mark.parametrize(
    ("headers", "status", "length", "content_range"),
    [
        ({}, 200, SIZE, None),
        ({"Range": "bytes=100-199"}, 206, 100, f"bytes 100-199/{SIZE}"),
        ({"Range": "bytes=-10"}, 206, 10, f"bytes {SIZE - 10}-{SIZE - 1}/{SIZE}"),
        ({"Range": f"bytes={SIZE}-"}, 416, None, f"bytes */{SIZE}"),
    ],
)
def test_head_has_the_headers_of_get_and_no_body(
    client: FlaskClient,
    published: MediaAsset,
    headers: dict[str, str],
    status: int,
    length: int | None,
    content_range: str | None,
) -> None:
    head = fetch(client, _url(published), method="HEAD", **headers)
    get = fetch(client, _url(published), **headers)
    assert head.status_code == get.status_code == status
    assert head.data == b""
    assert head.headers.get("Content-Range") == content_range
    if length is not None:
        assert head.headers["Content-Length"] == str(length) == str(len(get.data))
    for name in ("Content-Type", "ETag", "Cache-Control", "Accept-Ranges"):
        assert head.headers.get(name) == get.headers.get(name)


def test_if_range_applies_the_range_only_to_the_same_file(
    client: FlaskClient, published: MediaAsset
) -> None:
    etag = f'"{published.sha256}"'
    same = fetch(client, _url(published), Range="bytes=10-19", **{"If-Range": etag})
    assert same.status_code == 206
    assert same.data == BYTES[10:20]
    for other in ('"0123"', f"W/{etag}", "Wed, 21 Oct 2015 07:28:00 GMT"):
        changed = fetch(client, _url(published), Range="bytes=10-19", **{"If-Range": other})
        assert changed.status_code == 200, other
        assert changed.data == BYTES
        assert "Content-Range" not in changed.headers


@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", "W/{etag}", '"other", {etag}', "*"],
)
def test_a_cached_copy_is_confirmed_with_304(
    client: FlaskClient, published: MediaAsset, if_none_match: str
) -> None:
    etag = f'"{published.sha256}"'
    header = if_none_match.format(etag=etag)
    for method in ("GET", "HEAD"):
        cached = fetch(client, _url(published), method=method, **{"If-None-Match": header})
        assert cached.status_code == 304
        assert cached.data == b""
        assert cached.headers["ETag"] == etag
        assert cached.headers["Cache-Control"] == PUBLIC_CACHE
    ranged = fetch(client, _url(published), Range="bytes=0-9", **{"If-None-Match": header})
    assert ranged.status_code == 304  # If-None-Match is evaluated before Range


def test_another_etag_gets_the_file(client: FlaskClient, published: MediaAsset) -> None:
    response = fetch(client, _url(published), **{"If-None-Match": '"0123", W/"4567"'})
    assert response.status_code == 200
    assert response.data == BYTES


def test_draft_audio_is_hidden_from_listeners_but_heard_by_its_editors(
    client: FlaskClient,
) -> None:
    asset = make_stored_audio_asset()
    lecture = make_lecture(audio_asset_id=asset.id, state=PublicationState.DRAFT, published_at=None)
    assert fetch(client, _url(asset)).status_code == 404
    assert fetch(client, _url(asset), Range="bytes=0-9").status_code == 404
    editor = make_account(role=Role.EDITOR)
    sign_in(client, editor)
    assert fetch(client, _url(asset)).status_code == 404  # not in scope
    db.session.add(EditorScope(user_id=editor.id, scholar_id=lecture.scholar_id))
    db.session.flush()
    response = fetch(client, _url(asset))
    assert response.status_code == 200
    assert response.data == BYTES
    assert response.headers["Cache-Control"] == PRIVATE_CACHE
    part = fetch(client, _url(asset), Range="bytes=-100")
    assert part.status_code == 206
    assert part.data == BYTES[-100:]
    assert part.headers["Cache-Control"] == PRIVATE_CACHE


def test_wrong_extension_or_unknown_asset_is_404(
    client: FlaskClient, published: MediaAsset
) -> None:
    assert fetch(client, f"/media/audio/{published.id}.ogg").status_code == 404
    assert fetch(client, f"/media/audio/{published.id}.MP3").status_code == 404
    assert fetch(client, "/media/audio/00000000-0000-0000-0000-000000000000.mp3").status_code == 404


def test_a_missing_file_is_404(client: FlaskClient, media_root: Path) -> None:
    sha = hashlib.sha256(b"never stored").hexdigest()
    asset = MediaAsset(
        kind=MediaKind.AUDIO,
        storage_key=f"audio/{sha[:2]}/{sha}.mp3",
        content_type="audio/mpeg",
        byte_size=10,
        duration_seconds=Decimal("1.000"),
        sha256=sha,
    )
    db.session.add(asset)
    db.session.flush()
    make_lecture(audio_asset_id=asset.id)
    assert fetch(client, _url(asset)).status_code == 404


# --- X-Accel-Redirect: the front server sends the bytes ---------------------------------


@pytest.fixture
def accel(app: Flask, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(app.config, "MEDIA_ACCEL_REDIRECT_PREFIX", "/_media/")
    return "/_media/"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("headers", [{}, {"Range": "bytes=100-199"}])
def test_with_a_front_server_the_response_names_the_file_and_carries_no_body(
    client: FlaskClient,
    published: MediaAsset,
    accel: str,
    method: str,
    headers: dict[str, str],
) -> None:
    response = fetch(client, _url(published), method=method, **headers)
    assert response.status_code == 200  # nginx answers the range itself
    assert response.headers["X-Accel-Redirect"] == accel + published.storage_key
    assert response.data == b""
    assert response.mimetype == "audio/mpeg"
    assert response.headers["ETag"] == f'"{published.sha256}"'
    assert response.headers["Cache-Control"] == PUBLIC_CACHE
    assert response.headers["Accept-Ranges"] == "bytes"
    assert "Content-Range" not in response.headers


def test_with_a_front_server_drafts_stay_hidden(client: FlaskClient, accel: str) -> None:
    asset = make_stored_audio_asset()
    make_lecture(audio_asset_id=asset.id, state=PublicationState.DRAFT, published_at=None)
    response = fetch(client, _url(asset))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response.headers


# --- never a path from the request ------------------------------------------------------


@pytest.fixture
def secret_file(media_root: Path) -> Iterator[Path]:
    """A file inside MEDIA_ROOT but not under a key the store issues."""
    media_root.mkdir(parents=True, exist_ok=True)
    path = media_root / "secret.mp3"
    path.write_bytes(SECRET)
    yield path
    path.unlink()


TRAVERSALS = [
    "/media/audio/../../secret.mp3",
    "/media/audio/../secret.mp3",
    "/media/audio/%2e%2e/%2e%2e/secret.mp3",
    "/media/audio/%2E%2E%2Fsecret.mp3",
    "/media/audio/..%2f..%2fsecret.mp3",
    "/media/audio/..%5c..%5csecret.mp3",
    "/media/audio/..\\..\\secret.mp3",
    "/media/audio/%2Fetc%2Fpasswd",
    "/media/audio//etc/passwd",
    "/media/audio/%2fetc%2fpasswd.mp3",
    "/media/audio/secret.mp3",
    "/media/audio/{id}.mp3/../../secret.mp3",
    "/media/audio/{id}.mp3%2F..%2F..%2Fsecret.mp3",
    "/media/audio/{id}.mp3%00.txt",
    "/media/audio/{id}..%2Fsecret.mp3",
    "/media/audio/{id}.mp3..",
    "/media/audio/{key}",
    "/media/audio/{id}.{key}",
    "/media/audio/{id}.mp3?path=../secret.mp3",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_in_the_url_never_reach_the_disk(
    client: FlaskClient, published: MediaAsset, secret_file: Path, path: str
) -> None:
    url = path.format(id=published.id, key=published.storage_key)
    response = fetch(client, url)
    if "?" in url:  # the query is ignored: the asset itself, and nothing else
        assert response.data == BYTES
        return
    assert response.status_code == 404
    assert SECRET not in response.data
    assert BYTES[:1000] not in response.data


@pytest.mark.parametrize(
    "key",
    ["audio/../secret.mp3", "../../secret.mp3", "/etc/passwd.mp3", "audio/ab/../../secret.mp3"],
)
@pytest.mark.parametrize("accel_prefix", [None, "/_media/"])
def test_a_stored_key_the_store_did_not_issue_is_404(
    app: Flask,
    client: FlaskClient,
    secret_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    accel_prefix: str | None,
) -> None:
    monkeypatch.setitem(app.config, "MEDIA_ACCEL_REDIRECT_PREFIX", accel_prefix)
    sha = hashlib.sha256(key.encode()).hexdigest()
    asset = MediaAsset(
        kind=MediaKind.AUDIO,
        storage_key=key,
        content_type="audio/mpeg",
        byte_size=len(SECRET),
        duration_seconds=Decimal("1.000"),
        sha256=sha,
    )
    db.session.add(asset)
    db.session.flush()
    make_lecture(audio_asset_id=asset.id)
    response = fetch(client, _url(asset))
    assert response.status_code == 404
    assert SECRET not in response.data
    assert "X-Accel-Redirect" not in response.headers


@pytest.mark.parametrize("key", ["../../secret", "secret.mp3", "audio/x/../../secret.mp3"])
@pytest.mark.parametrize("accel_prefix", [None, "/_media/"])
def test_the_serving_function_refuses_keys_itself(
    app: Flask, secret_file: Path, key: str, accel_prefix: str | None
) -> None:
    store = LocalMediaStore(secret_file.parent)
    media = MediaFile(key=key, content_type="audio/mpeg", sha256="0" * 64, public=True)
    with app.test_request_context("/media/audio/x.mp3"), pytest.raises(NotFound):
        media_response(request, store, media, accel_prefix)


# --- the pieces ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "ranges"),
    [
        ("bytes=0-99", [(0, 99)]),
        ("bytes=500-", [(500, None)]),
        ("bytes=-500", [(None, 500)]),
        ("bytes=0-0, 5-9,-1", [(0, 0), (5, 9), (None, 1)]),
        ("BYTES=1-2", [(1, 2)]),
        ("bytes=9-5", None),
        ("bytes=-", None),
        ("bytes=a-b", None),
        ("bytes=1-2,", None),
        ("bytes 1-2", None),
        ("pages=1-2", None),
        ("bytes=" + "9" * 5000 + "-", [(10**18, None)]),  # no giant int() parsing
    ],
)
def test_parse_byte_ranges(header: str, ranges: list[Any] | None) -> None:
    assert parse_byte_ranges(header) == ranges


def test_range_file_starts_at_its_offset_and_stops_at_its_length(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    stored = store.put(io.BytesIO(BYTES), "audio", "mp3")
    file = store.open(stored.key)
    ranged = RangeFile(file, 1000, 6000)
    # What gunicorn's sendfile path reads: the descriptor's own offset, nothing read yet.
    assert os.lseek(ranged.fileno(), 0, os.SEEK_CUR) == 1000
    chunks = []
    while chunk := ranged.read(1536):
        chunks.append(chunk)
    assert b"".join(chunks) == BYTES[1000:6000]
    assert max(len(c) for c in chunks) <= 1536
    assert ranged.read() == b""
    ranged.seek(5990)  # socket.sendfile's fallback seeks to the offset, then reads
    assert ranged.read() == BYTES[5990:6000]
    ranged.close()
    assert file.closed


@pytest.mark.parametrize(
    ("raw", "prefix"),
    [("", None), ("  ", None), ("/_media/", "/_media/"), ("/_media", "/_media/"), (" /x/ ", "/x/")],
)
def test_the_accel_redirect_prefix_setting(raw: str, prefix: str | None) -> None:
    assert accel_redirect_prefix({"MEDIA_ACCEL_REDIRECT_PREFIX": raw}) == prefix


@pytest.mark.parametrize("raw", ["_media/", "http://cdn/_media/", "/a/../b/", "/a b/", "/a?x"])
def test_a_prefix_that_is_not_a_plain_path_stops_start_up(raw: str) -> None:
    with pytest.raises(ConfigurationError, match="MEDIA_ACCEL_REDIRECT_PREFIX"):
        accel_redirect_prefix({"MEDIA_ACCEL_REDIRECT_PREFIX": raw})


def test_the_prefix_comes_from_the_environment(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert make_app().config["MEDIA_ACCEL_REDIRECT_PREFIX"] is None
    monkeypatch.setenv("MEDIA_ACCEL_REDIRECT_PREFIX", "/_media")
    assert make_app().config["MEDIA_ACCEL_REDIRECT_PREFIX"] == "/_media/"
