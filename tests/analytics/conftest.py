"""An application whose analytics log is a folder of the test's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path / "log" / "analytics"


@pytest.fixture
def log_app(make_app: Callable[..., Flask], log_dir: Path) -> Iterator[Flask]:
    """An application writing its analytics to `log_dir`, with its context pushed."""
    app = make_app(ANALYTICS_DIR=str(log_dir))
    with app.app_context():
        yield app
