"""Real media clients over real HTTP: ffprobe and ffmpeg read and seek the audio through a
real WSGI server; gunicorn sends ranges with sendfile(2) from the right offset.

The server runs in other threads (or another process), so it must see committed rows: the
lecture and its audio are committed here and deleted afterwards, not rolled back.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder
from werkzeug.wsgi import FileWrapper

from durus.config import PROJECT_ROOT
from durus.extensions import db
from durus.media.store import LocalMediaStore
from durus.models import Lecture, MediaAsset, Scholar
from tests.factories import make_lecture, make_stored_audio_asset

SEED_AUDIO = PROJECT_ROOT / "seeds" / "audio" / "kahf-1.mp3"
BYTES = SEED_AUDIO.read_bytes()
SECRET = b"this must never be served"
HAS_GUNICORN = importlib.util.find_spec("gunicorn") is not None

needs_ffprobe = pytest.mark.skipif(
    shutil.which("ffprobe") is None,
    reason="ffprobe is not installed (Debian: apt-get install ffmpeg; .ci/run installs it)",
)
needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None,
    reason="ffmpeg is not installed (Debian: apt-get install ffmpeg; .ci/run installs it)",
)
needs_gunicorn = pytest.mark.skipif(not HAS_GUNICORN, reason="gunicorn is not installed")


@dataclass(frozen=True)
class Audio:
    path: str  # the URL path of the audio
    data: bytes
    duration: Decimal
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


@contextmanager
def committed(app: Flask, source: Path, keep_file: bool = True) -> Iterator[Audio]:
    """A published lecture with `source` as its audio, committed, and deleted afterwards.
    The stored file stays in the test MEDIA_ROOT unless `keep_file` is false."""
    with app.app_context():
        asset = make_stored_audio_asset(source)
        lecture = make_lecture(audio_asset_id=asset.id)
        ids = (lecture.id, lecture.scholar_id, asset.id)
        stored_path = LocalMediaStore(app.config["MEDIA_ROOT"]).path(asset.storage_key)
        audio = Audio(
            f"/media/audio/{asset.id}.mp3",
            source.read_bytes(),
            asset.duration_seconds or Decimal(0),
            asset.sha256,
        )
        db.session.commit()
    try:
        yield audio
    finally:
        with app.app_context():
            lecture_id, scholar_id, asset_id = ids
            db.session.execute(delete(Lecture).where(Lecture.id == lecture_id))
            db.session.execute(delete(Scholar).where(Scholar.id == scholar_id))
            db.session.execute(delete(MediaAsset).where(MediaAsset.id == asset_id))
            db.session.commit()
        if not keep_file:
            stored_path.unlink()


@pytest.fixture(scope="module")
def committed_audio(app: Flask) -> Iterator[Audio]:
    """A short seed recording (45 KB)."""
    with committed(app, SEED_AUDIO) as audio:
        yield audio


@pytest.fixture(scope="module")
def long_audio(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audio]:
    """Four minutes at 32 kbit/s (about 1 MB), made with ffmpeg: long enough that a client
    seeking to the middle asks for a range instead of reading on from its buffer."""
    path = tmp_path_factory.mktemp("long") / "long.mp3"
    source = "sine=frequency=220:duration=240"
    result = _run(
        "ffmpeg", "-v", "error", "-f", "lavfi", "-i", source, "-ac", "1", "-b:a", "32k", str(path)
    )
    assert result.returncode == 0, result.stderr
    with committed(app, path, keep_file=False) as audio:  # not one of the seed files
        yield audio


@dataclass
class LiveServer:
    url: str
    host: str
    port: int
    requests: list[tuple[str, str, str | None]]  # method, path, Range header

    def ranges_for(self, path: str) -> list[str | None]:
        return [r for (_, p, r) in self.requests if p == path]


@pytest.fixture(scope="module")
def live_server(app: Flask, committed_audio: Audio) -> Iterator[LiveServer]:
    """The app behind werkzeug's threaded server on 127.0.0.1 (a free port)."""
    seen: list[tuple[str, str, str | None]] = []
    bodies: list[FileWrapper] = []

    def recording(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("HTTP_RANGE")))
        body = app(environ, start_response)  # passed on untouched
        if isinstance(body, FileWrapper):
            # werkzeug's dev server skips close() when the client resets the connection
            # (ffmpeg does, once it has read enough); close those files at the end instead
            # of leaving them to the garbage collector.
            bodies.append(body)
        return body

    server = make_server("127.0.0.1", 0, recording, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.port}", "127.0.0.1", server.port, seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        for body in bodies:
            body.close()


@pytest.fixture(scope="module")
def secret_in_media_root(app: Flask) -> Iterator[None]:
    path = Path(app.config["MEDIA_ROOT"]) / "secret.mp3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(SECRET)
    yield
    path.unlink()


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@needs_ffprobe
@pytest.mark.parametrize("fixture", ["committed_audio", "long_audio"])
def test_ffprobe_reads_the_duration(
    live_server: LiveServer, request: pytest.FixtureRequest, fixture: str
) -> None:
    if fixture == "long_audio" and shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed: no long recording to probe")
    audio: Audio = request.getfixturevalue(fixture)
    probe = ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]
    result = _run("ffprobe", *probe, live_server.url + audio.path)
    assert result.returncode == 0, result.stderr
    assert abs(Decimal(result.stdout.strip()) - audio.duration) < Decimal("0.5")


@needs_ffmpeg
@pytest.mark.parametrize("fixture", ["committed_audio", "long_audio"])
def test_ffmpeg_decodes_a_second_from_the_middle(
    live_server: LiveServer, request: pytest.FixtureRequest, fixture: str
) -> None:
    audio: Audio = request.getfixturevalue(fixture)
    middle = str(audio.duration / 2)
    url = live_server.url + audio.path
    result = _run("ffmpeg", "-v", "error", "-ss", middle, "-i", url, "-t", "1", "-f", "null", "-")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@needs_ffmpeg
def test_ffmpeg_seeks_with_a_range_request(live_server: LiveServer, long_audio: Audio) -> None:
    """With fast seeking, ffmpeg jumps to the middle with `Range: bytes=N-` (as a browser
    does when the listener drags the slider) and decodes from there."""
    url = live_server.url + long_audio.path
    before = len(live_server.ranges_for(long_audio.path))
    middle = str(long_audio.duration / 2)
    fast = ["-v", "error", "-fflags", "+fastseek"]
    result = _run("ffmpeg", *fast, "-ss", middle, "-i", url, "-t", "1", "-f", "null", "-")
    assert result.returncode == 0, result.stderr
    ranges = live_server.ranges_for(long_audio.path)[before:]
    starts = [int(r.removeprefix("bytes=").split("-")[0]) for r in ranges if r]
    assert any(long_audio.size // 4 < start < long_audio.size for start in starts), ranges


def _get(
    connection: http.client.HTTPConnection, path: str, method: str = "GET", **headers: str
) -> tuple[http.client.HTTPResponse, bytes]:
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    return response, response.read()


def test_ranges_head_304_and_416_over_http(live_server: LiveServer, committed_audio: Audio) -> None:
    """What a player sees on the wire: the bytes, and a Content-Length that matches them."""
    connection = http.client.HTTPConnection(live_server.host, live_server.port, timeout=10)
    try:
        size = committed_audio.size
        for header, start, stop in [
            ("bytes=0-1", 0, 2),
            ("bytes=1000-", 1000, size),
            ("bytes=-777", size - 777, size),
            ("bytes=20000-20099", 20000, 20100),
        ]:
            response, body = _get(connection, committed_audio.path, Range=header)
            assert response.status == 206
            assert response.getheader("Content-Range") == f"bytes {start}-{stop - 1}/{size}"
            assert response.getheader("Content-Length") == str(stop - start)
            assert body == BYTES[start:stop]
        head, body = _get(connection, committed_audio.path, "HEAD")
        assert (head.status, body, head.getheader("Content-Length")) == (200, b"", str(size))
        whole, body = _get(connection, committed_audio.path)
        assert (whole.status, body) == (200, BYTES)
        cached, body = _get(
            connection, committed_audio.path, **{"If-None-Match": f'"{committed_audio.sha256}"'}
        )
        assert (cached.status, body) == (304, b"")
        refused, _ = _get(connection, committed_audio.path, Range=f"bytes={size}-")
        assert refused.status == 416
        assert refused.getheader("Content-Range") == f"bytes */{size}"
    finally:
        connection.close()


@pytest.mark.usefixtures("secret_in_media_root")
@pytest.mark.parametrize(
    "path",
    [
        "/media/audio/../../secret.mp3",
        "/media/audio/../secret.mp3",
        "/media/audio/%2e%2e/%2e%2e/secret.mp3",
        "/media/audio/%2e%2e%2fsecret.mp3",
        "/media/audio/..%5c..%5csecret.mp3",
        "/media/audio/..\\secret.mp3",
        "/media/audio/%2F..%2Fsecret.mp3",
        "/media/audio//etc/passwd",
        "/media/audio/secret.mp3",
        "/media/audio/{id}.mp3/../../secret.mp3",
        "/media/audio/{id}.mp3%2F..%2F..%2Fsecret.mp3",
        "/media/audio/{id}.mp3%00",
        "/media/audio/{id}..%2Fsecret.mp3",
        "/media/%2e%2e/secret.mp3",
        "/secret.mp3",
    ],
)
def test_raw_paths_with_traversal_are_404_over_http(
    live_server: LiveServer, committed_audio: Audio, path: str
) -> None:
    """Sent byte for byte (http.client normalises nothing), as an attacker would."""
    asset_id = committed_audio.path.removeprefix("/media/audio/").removesuffix(".mp3")
    connection = http.client.HTTPConnection(live_server.host, live_server.port, timeout=10)
    try:
        response, body = _get(connection, path.format(id=asset_id))
    finally:
        connection.close()
    assert response.status == 404
    assert SECRET not in body
    assert BYTES[:1000] not in body


# --- gunicorn -----------------------------------------------------------------------------


class _RecordingSocket:
    """A real socket whose sendfile() calls are recorded (gunicorn calls sock.sendfile)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sendfile_calls: list[tuple[int, int | None]] = []

    def sendall(self, data: bytes) -> None:
        self.sock.sendall(data)

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        self.sendfile_calls.append((offset, count))
        return self.sock.sendfile(file, offset=offset, count=count)


@needs_gunicorn
@pytest.mark.usefixtures("db_session")
@pytest.mark.parametrize(
    ("range_header", "start", "stop"),
    [(None, 0, None), ("bytes=1000-4999", 1000, 5000), ("bytes=-300", -300, None)],
)
def test_gunicorn_sends_the_range_with_sendfile_from_its_offset(
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    range_header: str | None,
    start: int,
    stop: int | None,
) -> None:
    """The app's response, handed to gunicorn's own Response as its sync worker does: it is
    gunicorn's file wrapper, so write_file() takes the sendfile path, which starts at the
    descriptor's offset (the range start) and sends Content-Length bytes, no more."""
    from gunicorn.http.wsgi import FileWrapper
    from gunicorn.http.wsgi import Response as GunicornResponse

    expected = BYTES[start:stop]
    asset = make_stored_audio_asset(SEED_AUDIO)
    make_lecture(audio_asset_id=asset.id)
    headers = {"Range": range_header} if range_header else {}
    environ = EnvironBuilder(path=f"/media/audio/{asset.id}.mp3", headers=headers).get_environ()
    environ["wsgi.file_wrapper"] = FileWrapper

    syscalls: list[tuple[int, int]] = []
    real_sendfile = os.sendfile

    def sendfile(out_fd: int, in_fd: int, offset: int, count: int) -> int:
        syscalls.append((offset, count))
        return real_sendfile(out_fd, in_fd, offset, count)

    monkeypatch.setattr(os, "sendfile", sendfile)
    server_end, client_end = socket.socketpair()
    with server_end, client_end:
        sock = _RecordingSocket(server_end)
        request = SimpleNamespace(version=(1, 1), method="GET", should_close=lambda: False)
        response = GunicornResponse(request, sock, SimpleNamespace(is_ssl=False, sendfile=None))
        with app.app_context():
            body = app(environ, response.start_response)
        assert isinstance(body, FileWrapper)  # gunicorn's test for the sendfile path
        offset = os.lseek(body.filelike.fileno(), 0, os.SEEK_CUR)
        response.write_file(body)
        response.close()
        body.close()
        server_end.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := client_end.recv(65536):
            received += chunk
    head, _, payload = received.partition(b"\r\n\r\n")
    assert payload == expected
    assert f"Content-Length: {len(expected)}".encode() in head
    begin = len(BYTES) + start if start < 0 else start
    assert offset == begin
    assert sock.sendfile_calls == [(begin, len(expected))]
    assert syscalls and syscalls[0][0] == begin  # sendfile(2) itself, not a read() loop
    assert sum(count for _, count in syscalls) >= len(expected)


def _free_listening_socket() -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.set_inheritable(True)
    return listener


@needs_gunicorn
def test_gunicorn_serves_ranges(
    app: Flask, database_url: str, committed_audio: Audio, tmp_path: Path
) -> None:
    """`gunicorn app:app` as in production, on a socket this test holds (no port race)."""
    listener = _free_listening_socket()
    port = listener.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": app.config["MEDIA_ROOT"],
        "ANALYTICS_DIR": str(tmp_path / "analytics"),
        "MAIL_OUTBOX": str(tmp_path / "outbox"),
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DURUS_ENV": "development",
    }
    env.pop("MEDIA_ACCEL_REDIRECT_PREFIX", None)
    command = [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"fd://{listener.fileno()}"]
    server = subprocess.Popen(
        [*command, "--log-level", "warning", "app:app"],
        cwd=PROJECT_ROOT,
        env=env,
        pass_fds=(listener.fileno(),),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        size = committed_audio.size
        # The socket already listens: a request waits in its backlog until a worker is up.
        for header, start, stop in [
            ("bytes=100-4099", 100, 4100),
            ("bytes=-500", size - 500, size),
        ]:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                response, body = _get(connection, committed_audio.path, Range=header)
            finally:
                connection.close()
            assert response.status == 206, body[:500]
            assert response.getheader("Content-Range") == f"bytes {start}-{stop - 1}/{size}"
            assert body == BYTES[start:stop]
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
        listener.close()
    assert b"Traceback" not in output, output.decode(errors="replace")
