"""Faults: the database going away and coming back, the analytics log removed or read-only, an
upload cut off half way or a media store that cannot write.

Real parts throughout: a PostgreSQL server of this module's own (stopped, frozen and started
here; the shared embedded server is never touched), migrated from empty, with committed
rows; the real media store and analytics log in temporary folders; real HTTP requests
through the test client, answered as in production (exceptions are not propagated).
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select, text
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from durus.analytics import dropped_events
from durus.analytics.log import segment_name
from durus.errors import RETRY_AFTER_SECONDS
from durus.extensions import db
from durus.models import EditorScope, Role, UserProgress
from tests.conftest import dispose, make_test_app
from tests.editorial.lecture_support import SEEDS, counts, lecture_fields, stored_files
from tests.factories import make_lecture, make_scholar, make_stored_audio_asset
from tests.fault_support import CannotMakeReadOnly, PostgresInstance, read_only
from tests.helpers import PASSWORD, csrf_token, make_account

DATABASE = "durus"
# A request during an outage must be answered well within this (connect_timeout is 3 s).
NO_HANG_SECONDS = 5.0
RETRY_PAGE = "Durus cannot reach its database just now"


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresInstance]:
    server = PostgresInstance().init()
    server.start()
    server.create_database(DATABASE)
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def fault_app(pg: PostgresInstance, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = make_test_app(
        pg.url(DATABASE), tmp_path_factory.mktemp("faults"), PROPAGATE_EXCEPTIONS=False
    )
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    dispose(app)


@dataclass(frozen=True)
class Site:
    listener: str  # e-mail addresses; every account has tests.helpers.PASSWORD
    editor: str
    scholar_id: str
    lecture_id: str
    lecture_path: str
    audio_path: str


@pytest.fixture(scope="module")
def site(fault_app: Flask) -> Site:
    """Committed rows: a listener, an editor of one scholar, a published lecture whose audio
    is in the media store."""
    with fault_app.app_context():
        listener = make_account(display_name="Listener Layla")
        editor = make_account(role=Role.EDITOR, display_name="Editor Idris")
        scholar = make_scholar()
        db.session.add(EditorScope(user_id=editor.id, scholar_id=scholar.id))
        asset = make_stored_audio_asset()
        lecture = make_lecture(scholar_id=scholar.id, audio_asset_id=asset.id)
        found = Site(
            listener=listener.email,
            editor=editor.email,
            scholar_id=str(scholar.id),
            lecture_id=str(lecture.id),
            lecture_path=f"/lectures/{lecture.slug}",
            audio_path=f"/media/audio/{asset.id}.{asset.storage_key.rsplit('.', 1)[1]}",
        )
        db.session.commit()
    return found


@pytest.fixture(autouse=True)
def _database_running(pg: PostgresInstance) -> Iterator[None]:
    """Whatever a test did to the server, the next one finds it running."""
    yield
    if not pg.running:
        pg.start()


@contextmanager
def outage(pg: PostgresInstance) -> Iterator[None]:
    pg.stop()  # -m fast: connected sessions are ended, as in a restart
    try:
        yield
    finally:
        pg.start()


def signed_in(app: Flask, email: str) -> tuple[FlaskClient, str]:
    """A client signed in as `email`, and the CSRF token its pages carry."""
    client = app.test_client()
    data = {"email": email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post("/auth/sign-in", data=data)
    assert response.status_code == 303, response.text
    return client, csrf_token(client, "/")


def ping(client: FlaskClient, token: str, site: Site, position: float) -> Any:
    """A signed-in pause ping, observed now (a moment after the previous one: the server
    applies only a newer observation)."""
    time.sleep(0.002)
    return client.post(
        "/player/progress",
        data={
            "csrf_token": token,
            "lecture": site.lecture_id,
            "position": str(position),
            "event": "pause",
            "observed_at": str(int(datetime.now(UTC).timestamp() * 1000)),
            "playback_id": "playback-faults",
        },
    )


def timed(call: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


def stored_position(app: Flask, site: Site) -> float | None:
    with app.app_context():
        row = db.session.scalar(
            select(UserProgress.position_seconds).where(
                UserProgress.lecture_id == uuid.UUID(site.lecture_id)
            )
        )
        return None if row is None else float(row)


# --- the database goes away --------------------------------------------------------------------


def test_while_the_database_is_down_requests_get_a_503_retry_page_quickly(
    fault_app: Flask, pg: PostgresInstance, site: Site
) -> None:
    visitor = fault_app.test_client()
    listener, token = signed_in(fault_app, site.listener)
    assert visitor.get(site.lecture_path).status_code == 200
    assert ping(listener, token, site, 12).status_code == 204

    with outage(pg):
        answers = {
            "home page": timed(visitor.get, "/"),
            "lecture page": timed(visitor.get, site.lecture_path),
            "signed-in page": timed(listener.get, "/library"),
            "audio": timed(visitor.get, site.audio_path, headers={"Range": "bytes=0-99"}),
            "progress ping": timed(ping, listener, token, site, 30),
        }
        for name, (response, seconds) in answers.items():
            assert response.status_code == 503, name
            # (On a rate-limited route, the ping's, Flask-Limiter's headers make it the
            # later of this and the end of the current limit window.)
            assert int(response.headers["Retry-After"]) >= RETRY_AFTER_SECONDS, name
            assert response.headers["Cache-Control"] == "no-store", name
            assert RETRY_PAGE in response.text, name
            assert seconds < NO_HANG_SECONDS, name

        assert answers["lecture page"][0].headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        page = answers["lecture page"][0].text
        assert "<html" in page and 'class="error-message"' in page
        assert f'<meta http-equiv="refresh" content="{RETRY_AFTER_SECONDS}">' in page
        assert "Try again now" in page
        after_post = answers["progress ping"][0].text
        assert "http-equiv" not in after_post  # a POST is never repeated by itself
        assert "may not have been saved" in after_post

        fragment = visitor.get(site.lecture_path, headers={"HX-Request": "true"})
        assert fragment.status_code == 503
        assert "<html" not in fragment.text
        assert RETRY_PAGE in fragment.text

        arabic = visitor.get("/", headers={"Accept-Language": "ar"})
        assert arabic.status_code == 503
        assert 'lang="ar" dir="rtl"' in arabic.text
        assert RETRY_PAGE not in arabic.text
        assert "قاعدة" in arabic.text  # "database", in the Arabic sentence

    assert stored_position(fault_app, site) == 12  # the ping during the outage saved nothing


def test_once_the_database_is_back_every_request_succeeds_and_sessions_survive(
    fault_app: Flask, pg: PostgresInstance, site: Site
) -> None:
    visitor = fault_app.test_client()
    listener, token = signed_in(fault_app, site.listener)
    for path in ("/", site.lecture_path):  # the pool holds connections from before
        assert visitor.get(path).status_code == 200
    assert listener.get("/library").status_code == 200

    with outage(pg):
        assert visitor.get("/").status_code == 503
        assert listener.get("/library").status_code == 503

    # pg_ctl has waited for the server: the very first requests succeed (pre-ping replaces
    # the broken pooled connections), and the listener is still signed in.
    assert visitor.get("/").status_code == 200
    assert visitor.get(site.lecture_path).status_code == 200
    audio = visitor.get(site.audio_path, headers={"Range": "bytes=0-99"})
    assert audio.status_code == 206
    audio.close()
    library = listener.get("/library")
    assert library.status_code == 200
    assert "Listener Layla" in library.text
    assert ping(listener, token, site, 20).status_code == 204
    assert stored_position(fault_app, site) == 20


def test_a_connection_broken_mid_transaction_is_discarded(
    fault_app: Flask, pg: PostgresInstance, site: Site
) -> None:
    with fault_app.app_context():
        backend = db.session.scalar(text("SELECT pg_backend_pid()"))
        pg.execute(DATABASE, "SELECT pg_terminate_backend(%s)", backend)
        with pytest.raises(OperationalError) as raised:
            db.session.execute(text("SELECT 1"))
        assert raised.value.connection_invalidated
        db.session.rollback()
        assert db.session.scalar(text("SELECT pg_backend_pid()")) != backend
    assert fault_app.test_client().get(site.lecture_path).status_code == 200


def test_a_connection_lost_where_the_error_is_swallowed_is_a_503_too(
    fault_app: Flask, pg: PostgresInstance, site: Site
) -> None:
    """Code that catches errors broadly (choosing the page's language asks whether anyone is
    signed in, and takes any error for "no") leaves the transaction on a dead connection;
    the next query raises PendingRollbackError instead. The answer is still the retry page."""
    listener, _ = signed_in(fault_app, site.listener)
    with fault_app.app_context():
        engine = db.engine
    ended: list[int] = []

    def end_it_before_the_account_is_read(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not ended and "FROM users" in statement:
            ended.append(conn.connection.dbapi_connection.info.backend_pid)
            pg.execute(DATABASE, "SELECT pg_terminate_backend(%s, 5000)", ended[0])

    event.listen(engine, "before_cursor_execute", end_it_before_the_account_is_read)
    try:
        response = listener.get("/scholars")
    finally:
        event.remove(engine, "before_cursor_execute", end_it_before_the_account_is_read)
    assert ended
    assert response.status_code == 503
    assert RETRY_PAGE in response.text
    assert listener.get("/scholars").status_code == 200


def test_a_connection_lost_as_the_request_ends_does_not_spoil_its_answer(
    fault_app: Flask, pg: PostgresInstance, site: Site
) -> None:
    """The server goes away after the page was made, while the request's transaction is
    rolled back: the page still goes out, and the next request gets a fresh connection."""
    visitor = fault_app.test_client()
    with fault_app.app_context():
        engine = db.engine
    ended: list[int] = []

    def end_it_before_the_rollback(conn: Any) -> None:
        if not ended:
            ended.append(conn.connection.dbapi_connection.info.backend_pid)
            pg.execute(DATABASE, "SELECT pg_terminate_backend(%s, 5000)", ended[0])

    event.listen(engine, "rollback", end_it_before_the_rollback)
    try:
        response = visitor.get(site.lecture_path)
    finally:
        event.remove(engine, "rollback", end_it_before_the_rollback)
    assert ended
    assert response.status_code == 200
    assert visitor.get(site.lecture_path).status_code == 200


def test_pooled_connections_ended_by_the_server_are_replaced_unnoticed(
    fault_app: Flask, pg: PostgresInstance, site: Site
) -> None:
    visitor = fault_app.test_client()
    assert visitor.get("/").status_code == 200
    ended = pg.execute(
        DATABASE,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = 'durus' AND pid <> pg_backend_pid()",
    )
    assert ended, "the pool kept no connection"
    assert visitor.get("/").status_code == 200
    assert visitor.get(site.lecture_path).status_code == 200


def test_a_database_that_stops_answering_is_a_503_after_the_connect_timeout(
    fault_app: Flask, pg: PostgresInstance, site: Site
) -> None:
    """A frozen server accepts the connection and never answers: libpq's connect_timeout
    bounds the wait (no worker hangs until gunicorn kills it)."""
    visitor = fault_app.test_client()
    with fault_app.app_context():
        db.engine.dispose()  # no pooled connection to fall back on
    postmaster = int((pg.data / "postmaster.pid").read_text().split()[0])
    os.kill(postmaster, signal.SIGSTOP)
    try:
        response, seconds = timed(visitor.get, site.lecture_path)
    finally:
        os.kill(postmaster, signal.SIGCONT)
    timeout = fault_app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"]
    assert response.status_code == 503
    assert RETRY_PAGE in response.text
    assert timeout <= seconds < timeout + 2
    assert visitor.get(site.lecture_path).status_code == 200


def test_a_pool_with_no_free_connection_is_a_503_after_the_pool_timeout(
    pg: PostgresInstance, site: Site, tmp_path: Path
) -> None:
    """Every pooled connection busy (threaded workers, a slow query): the request waits
    pool_timeout for one, then gets the retry page."""
    options = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 1, "pool_pre_ping": True}
    app = make_test_app(
        pg.url(DATABASE), tmp_path, PROPAGATE_EXCEPTIONS=False, SQLALCHEMY_ENGINE_OPTIONS=options
    )
    try:
        with app.app_context(), db.engine.connect():  # the only connection, held
            response, seconds = timed(app.test_client().get, site.lecture_path)
        assert response.status_code == 503
        assert RETRY_PAGE in response.text
        assert 1 <= seconds < NO_HANG_SECONDS
        assert app.test_client().get(site.lecture_path).status_code == 200
    finally:
        dispose(app)


# --- the analytics log cannot be written -------------------------------------------------------


def _segment(app: Flask) -> Path:
    return Path(app.config["ANALYTICS_DIR"]) / segment_name(datetime.now(UTC).date())


def _drops(app: Flask) -> int:
    with app.app_context():
        return dropped_events()


def test_a_removed_analytics_folder_fails_no_request_and_comes_back(
    fault_app: Flask, site: Site
) -> None:
    listener, token = signed_in(fault_app, site.listener)
    assert ping(listener, token, site, 21).status_code == 204
    shutil.rmtree(fault_app.config["ANALYTICS_DIR"])

    assert ping(listener, token, site, 22).status_code == 204
    assert listener.get(site.lecture_path).status_code == 200
    assert stored_position(fault_app, site) == 22
    lines = _segment(fault_app).read_text().splitlines()
    assert len(lines) == 1 and '"position":22.0' in lines[0]


def test_a_read_only_analytics_folder_fails_no_request(fault_app: Flask, site: Site) -> None:
    listener, token = signed_in(fault_app, site.listener)
    assert ping(listener, token, site, 23).status_code == 204
    segment = _segment(fault_app)
    before, drops = segment.read_bytes(), _drops(fault_app)
    try:
        with read_only(segment.parent):
            for position in (24, 25, 26):
                assert ping(listener, token, site, position).status_code == 204
            assert listener.get(site.lecture_path).status_code == 200
            assert listener.get("/library").status_code == 200
    except CannotMakeReadOnly as exc:
        pytest.skip(str(exc))
    assert stored_position(fault_app, site) == 26  # progress is PostgreSQL's, not the log's
    assert segment.read_bytes() == before
    assert _drops(fault_app) == drops + 3
    assert ping(listener, token, site, 27).status_code == 204  # writable again: written
    assert '"position":27.0' in segment.read_text().splitlines()[-1]


# --- uploads cut off, media that cannot be written ---------------------------------------------


def _upload_body(token: str, copies: int = 1) -> tuple[bytes, str]:
    audio = (SEEDS / "usul-2.mp3").read_bytes() * copies
    fields = {
        "csrf_token": token,
        **lecture_fields(title="Cut off"),
        "audio": FileStorage(io.BytesIO(audio), "usul-2.mp3", content_type="audio/mpeg"),
    }
    boundary, body = encode_multipart(MultiDict(fields))
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def upload_temp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The folder where this test's uploads are spooled and probed (the system's temporary
    folder is shared with other processes)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _rows(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return counts()


# Werkzeug's form parser leaves the spool of a part it could not finish to the garbage
# collector, which closes it (with a ResourceWarning); the file has no name on disk.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_upload_cut_off_half_way_leaves_no_row_and_no_file(
    fault_app: Flask, site: Site, upload_temp: Path
) -> None:
    editor, token = signed_in(fault_app, site.editor)
    media = Path(fault_app.config["MEDIA_ROOT"])
    files, rows = stored_files(media), _rows(fault_app)
    body, content_type = _upload_body(token, copies=10)  # 1.3 MB: spooled to disk past 500 KB
    response = editor.post(
        f"/editorial/scholars/{site.scholar_id}/lectures/new",
        input_stream=io.BytesIO(body[: len(body) // 2]),  # the client went away half way
        content_length=len(body),
        content_type=content_type,
    )
    assert response.status_code == 400
    assert _rows(fault_app) == rows
    assert stored_files(media) == files
    assert list(upload_temp.iterdir()) == []


@contextmanager
def full_disk(folder: Path, size: str) -> Iterator[None]:
    """A file system of `size` mounted on `folder` (root only); skips the test elsewhere."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("a small file system cannot be mounted here (needs root)")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.mark.parametrize("failure", ["full", "read-only"])
def test_a_media_store_that_cannot_write_leaves_no_row_and_no_file(
    fault_app: Flask, site: Site, upload_temp: Path, tmp_path: Path, failure: str
) -> None:
    editor, token = signed_in(fault_app, site.editor)
    media = tmp_path / "media"
    (media / "audio").mkdir(parents=True)
    rows = _rows(fault_app)
    body, content_type = _upload_body(token)
    original = fault_app.config["MEDIA_ROOT"]
    fault_app.config["MEDIA_ROOT"] = str(media)
    try:
        cannot_write = full_disk(media, "64k") if failure == "full" else read_only(media)
        with cannot_write:
            response = editor.post(
                f"/editorial/scholars/{site.scholar_id}/lectures/new",
                data=body,
                content_type=content_type,
            )
            assert stored_files(media) == set()  # no temporary file left in the store either
    except CannotMakeReadOnly as exc:
        pytest.skip(str(exc))
    finally:
        fault_app.config["MEDIA_ROOT"] = original
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert _rows(fault_app) == rows
    assert list(upload_temp.iterdir()) == []
