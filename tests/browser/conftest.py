"""Browser journeys: Debian's Chromium driven by Playwright against the app served by a real
HTTP server on 127.0.0.1, with committed demo data (removed again afterwards)."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from werkzeug.serving import make_server

from durus.extensions import db, limiter
from durus.models import Base

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--mute-audio",
    "--autoplay-policy=no-user-gesture-required",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

NO_CHROMIUM = "Chromium is not installed (apt-get install chromium): browser journeys skipped"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium every browser test is skipped, with the reason in the summary (-ra),
    however the tests were chosen (the whole suite or this folder)."""
    if CHROMIUM is not None:
        return
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))


def _whole_responses(app: Flask) -> Any:
    """The app, each response read whole and closed before a byte is sent. (Werkzeug's
    development server can leave a streamed file open when the browser drops the connection,
    as Chromium does with audio it no longer needs; pytest then turns the ResourceWarning into
    an error in some later test.)"""

    def serve(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@pytest.fixture(scope="module")
def live_server(app: Flask) -> Iterator[str]:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed", "demo"])
        assert result.exit_code == 0, result.output
    limiter.enabled = False  # journeys sign in several times from one address
    server = make_server("127.0.0.1", 0, _whole_responses(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        limiter.enabled = True
        with app.app_context():
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables if t.name != "languages")
            db.session.execute(text(f"TRUNCATE {tables} CASCADE"))
            db.session.commit()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Pages in fresh contexts (one per simulated browser; `new_page(java_script_enabled=False)`
    passes its options to the context); a failing test leaves screenshots."""
    contexts: list[Any] = []

    def factory(**options: Any) -> Any:
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield factory
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{index}-{number}.png"))
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report
