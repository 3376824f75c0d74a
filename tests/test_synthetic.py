"""`flask seed synthetic` at a tiny size, into a database of its own (the data is committed)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask_migrate
import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import make_url, text

from durus.analytics import listener_key_for_user, reader
from durus.embedded_db import ensure_database
from durus.extensions import db
from durus.synthetic import SYNTHETIC_PASSWORD
from durus.synthetic import rows as synthetic_rows
from tests.conftest import dispose, make_test_app, reset_schema
from tests.helpers import csrf_token

SIZES = {
    "--scholars": 3,
    "--series": 20,
    "--lectures": 200,
    "--users": 100,
    "--progress": 2000,
    "--favourites": 400,
    "--analytics-days": 5,
}
ARGS = ["seed", "synthetic", "--scale", "0.002", *(str(a) for kv in SIZES.items() for a in kv)]
COUNTS = {
    "scholars": 3,
    "series": 20,
    "lectures": 200,
    "users": 100,
    "user_credentials": 100,
    "user_progress": 2000,
    "favourites": 400,
}
KEYS = {
    "scholars": "id",
    "series": "id",
    "lectures": "id",
    "users": "id",
    "editor_scopes": "user_id, scholar_id",
    "user_progress": "user_id, lecture_id",
    "favourites": "user_id, lecture_id",
}


@pytest.fixture(scope="module")
def synth_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An application on `<test database>_synthetic`, migrated from empty, seeded once."""
    url = make_url(database_url)
    name = f"{url.database}_synthetic"
    admin = url.set(drivername="postgresql", database="postgres")
    ensure_database(admin.render_as_string(hide_password=False), name)
    own = url.set(database=name).render_as_string(hide_password=False)
    reset_schema(own)
    app = make_test_app(own, tmp_path_factory.mktemp("synthetic"))
    with app.app_context():
        flask_migrate.upgrade()
    result = _seed(app)
    assert result.exit_code == 0, result.output
    app.config["first_output"] = result.output
    yield app
    dispose(app)


def _seed(app: Flask, *args: str) -> Result:
    with app.app_context():  # as the `flask` command provides
        return app.test_cli_runner().invoke(args=[*ARGS, *args])


def _scalar(app: Flask, sql: str, **params: object) -> object:
    with app.app_context():
        return db.session.execute(text(sql), params).scalar()


def _checksums(app: Flask) -> dict[str, str]:
    return {
        table: str(
            _scalar(app, f"SELECT md5(string_agg(t::text, '|' ORDER BY {key})) FROM {table} t")
        )
        for table, key in KEYS.items()
    }


def _counts(app: Flask) -> dict[str, int]:
    return {table: int(_scalar(app, f"SELECT count(*) FROM {table}")) for table in COUNTS}  # type: ignore[arg-type]


def test_fills_every_stage_with_the_sizes_asked(synth_app: Flask) -> None:
    assert _counts(synth_app) == COUNTS
    output = synth_app.config["first_output"]
    for stage in ("scholars", "series", "lectures", "users", "progress", "favourites"):
        assert f"{stage}: " in output and "rows/s" in output
    assert "analytics: " in output and "over 5 days" in output


def test_the_data_looks_like_a_real_catalogue(synth_app: Flask) -> None:
    languages = _scalar(synth_app, "SELECT array_agg(DISTINCT language_code) FROM lectures")
    assert {"ar", "en"} <= set(languages) and len(set(languages)) >= 4  # type: ignore[arg-type]
    # Arabic with diacritics (fatha … sukun) in part, and without in part.
    assert _scalar(synth_app, "SELECT count(*) FROM lectures WHERE title ~ '[\u064b-\u0652]'")
    assert _scalar(
        synth_app,
        "SELECT count(*) FROM lectures WHERE language_code = 'ar' AND title !~ '[\u064b-\u0652]'",
    )
    # Positions in a series run 1..n; published lectures are playable.
    assert not _scalar(
        synth_app,
        "SELECT count(*) FROM (SELECT series_id FROM lectures WHERE series_id IS NOT NULL"
        " GROUP BY series_id HAVING max(position) <> count(*)) gaps",
    )
    assert not _scalar(
        synth_app,
        "SELECT count(*) FROM lectures l JOIN media_assets a ON a.id = l.audio_asset_id"
        " WHERE l.state = 'published' AND a.duration_seconds IS NULL",
    )
    assert _scalar(synth_app, "SELECT count(*) FROM users WHERE role = 'admin'") == 1
    assert _scalar(synth_app, "SELECT count(*) FROM editor_scopes") > 0  # type: ignore[operator]


def test_a_rerun_adds_nothing(synth_app: Flask) -> None:
    before = _checksums(synth_app)
    result = _seed(synth_app)
    assert result.exit_code == 0, result.output
    assert result.output.count("complete already") == 7  # six tables and the analytics
    assert _checksums(synth_app) == before and _counts(synth_app) == COUNTS


def test_an_interrupted_stage_is_completed_with_the_same_rows(synth_app: Flask) -> None:
    before = _checksums(synth_app)
    with synth_app.app_context():
        # As if the lectures stage had been cut short: its later stages go with it (cascade).
        db.session.execute(
            text("DELETE FROM lectures WHERE id IN (SELECT id FROM lectures LIMIT 50)")
        )
        db.session.commit()
    assert _counts(synth_app)["lectures"] == 150
    result = _seed(synth_app)
    assert result.exit_code == 0, result.output
    assert "lectures: 200 rows" in result.output
    # The same seed gives the same rows: every table is as the first run left it.
    assert _checksums(synth_app) == before and _counts(synth_app) == COUNTS


def test_the_site_serves_synthetic_pages(synth_app: Flask) -> None:
    slug, title = (
        _scalar(synth_app, f"SELECT {column} FROM lectures WHERE state = 'published' LIMIT 1")
        for column in ("slug", "title")
    )
    client = synth_app.test_client()
    page = client.get(f"/lectures/{slug}")
    assert page.status_code == 200
    assert str(title).split(" ")[0] in page.text
    email = _scalar(
        synth_app,
        "SELECT u.email FROM users u JOIN user_progress p ON p.user_id = u.id"
        " WHERE u.state = 'active' LIMIT 1",
    )
    token = csrf_token(client)
    signed_in = client.post(
        "/auth/sign-in",
        data={"email": email, "password": SYNTHETIC_PASSWORD, "csrf_token": token},
    )
    assert signed_in.status_code == 303, signed_in.text
    library = client.get("/library")
    assert library.status_code == 200 and "<html" in library.text


def test_the_analytics_reader_reads_the_listening(synth_app: Flask) -> None:
    directory = Path(synth_app.config["ANALYTICS_DIR"])
    today = datetime.now(UTC).date()
    report = reader.summary(directory, today - timedelta(days=5), today - timedelta(days=1))
    assert report.status == "ok" and report.rows[0].plays > 0
    # The listeners are the synthetic accounts.
    with synth_app.app_context():
        ids = db.session.execute(text("SELECT id FROM users")).scalars()
        keys = {listener_key_for_user(user_id) for user_id in ids}
    segment = next(directory.glob("events-*.ndjson"))
    listeners = {json.loads(line)["listener"] for line in segment.read_text().splitlines()}
    assert listeners and listeners <= keys


def test_sizes_that_cannot_fit_are_refused_in_one_line(synth_app: Flask) -> None:
    result = _seed(synth_app, "--progress", "1000000")
    assert result.exit_code == 2
    assert "progress must be at most" in result.output
    assert "Traceback" not in result.output


def test_a_database_without_schema_is_refused_in_one_line(
    database_url: str, tmp_path: Path
) -> None:
    url = make_url(database_url)
    name = f"{url.database}_synthetic_empty"
    ensure_database(
        url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False),
        name,
    )
    own = url.set(database=name).render_as_string(hide_password=False)
    reset_schema(own)
    _fails_in_one_line(make_test_app(own, tmp_path), "no schema yet: run `flask db upgrade`")


def _fails_in_one_line(app: Flask, message: str) -> None:
    """`flask seed synthetic` on `app` stops with `message`, no traceback (the app's
    connections are closed after)."""
    try:
        result = _seed(app)
    finally:
        dispose(app)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_unwritable_analytics_folder_is_reported_in_one_line(
    synth_app: Flask, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    app = make_test_app(
        str(synth_app.config["SQLALCHEMY_DATABASE_URI"]),
        tmp_path,
        ANALYTICS_DIR=str(blocker / "analytics"),
    )
    _fails_in_one_line(app, "cannot write the media or the analytics log")


def test_stages_finished_before_an_interruption_stay_committed(
    synth_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _checksums(synth_app)
    with synth_app.app_context():
        db.session.execute(text("DELETE FROM favourites"))
        db.session.execute(text("DELETE FROM user_progress"))
        db.session.commit()
    real = synthetic_rows.favourites

    def cut_short(*args: object, **kwargs: object) -> Iterator[str]:
        yield from itertools.islice(real(*args, **kwargs), 100)  # type: ignore[arg-type]
        raise KeyboardInterrupt  # as Ctrl-C half-way through the stage

    monkeypatch.setattr(synthetic_rows, "favourites", cut_short)
    stopped = _seed(synth_app)
    assert stopped.exit_code != 0 and "progress: 2,000 rows" in stopped.output
    counts = _counts(synth_app)
    assert counts["user_progress"] == 2000 and counts["favourites"] == 0
    monkeypatch.undo()
    result = _seed(synth_app)
    assert "progress: complete already" in result.output
    assert "favourites: 400 rows" in result.output
    assert _checksums(synth_app) == before and _counts(synth_app) == COUNTS
