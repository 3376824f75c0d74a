"""`flask seed demo` loads the demo data once, however often it runs."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from durus.cli import SEED_DIR
from durus.extensions import db
from durus.models import (
    EditorScope,
    Lecture,
    LectureTopic,
    MediaAsset,
    Role,
    Scholar,
    Series,
    Topic,
    User,
    UserCredential,
)

DEMO = tomllib.loads((SEED_DIR / "demo.toml").read_text(encoding="utf-8"))
COUNTED = [
    Scholar,
    Series,
    Lecture,
    Topic,
    User,
    UserCredential,
    EditorScope,
    MediaAsset,
    LectureTopic,
]


def _counts() -> dict[str, int]:
    return {
        m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in COUNTED
    }


def _seed(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.usefixtures("db_session")
def test_seed_loads_twice_without_duplicating(app: Flask, media_root: Path) -> None:
    first = _seed(app)
    counts = _counts()
    assert counts["scholars"] == len(DEMO["scholars"])
    assert counts["series"] == len(DEMO["series"])
    assert counts["lectures"] == len(DEMO["lectures"]) >= 30
    assert counts["users"] == counts["user_credentials"] == len(DEMO["users"])
    assert counts["media_assets"] == len({lec["audio"] for lec in DEMO["lectures"]})
    assert "admin@durus.example" in first

    second = _seed(app)
    assert _counts() == counts
    assert "nothing new" in second
    stored = [p for p in (media_root / "audio").rglob("*") if p.is_file()]
    assert len(stored) == counts["media_assets"]


@pytest.mark.usefixtures("db_session")
def test_seed_covers_the_demo_cases(app: Flask) -> None:
    _seed(app)
    languages = set(db.session.scalars(select(Lecture.language_code)))
    assert {"ar", "en", "ur"} <= languages
    states = set(db.session.scalars(select(Lecture.state)))
    assert {"draft", "published", "archived"} <= {s.value for s in states}
    arabic_scholars = db.session.scalars(
        select(Scholar).where(Scholar.name_original_language == "ar")
    ).all()
    assert len(arabic_scholars) >= 2
    # Some Arabic titles carry diacritics (harakat, U+064B–U+0652).
    titles = db.session.scalars(select(Lecture.title).where(Lecture.language_code == "ar"))
    assert any(any("\u064b" <= ch <= "\u0652" for ch in title) for title in titles)

    editor = db.session.scalar(select(User).where(User.email == "editor@durus.example"))
    assert editor.role is Role.EDITOR
    scoped = db.session.scalars(
        select(Scholar.slug).join(EditorScope).where(EditorScope.user_id == editor.id)
    )
    assert sorted(scoped) == ["abd-al-rahman-al-nasiri", "dawud-clarke"]


@pytest.mark.usefixtures("db_session")
def test_seed_keeps_edits_made_since(app: Flask) -> None:
    _seed(app)
    lecture = db.session.scalar(select(Lecture).where(Lecture.slug == "the-night-prayer"))
    lecture.title = "The Night Prayer (revised)"
    db.session.commit()
    _seed(app)
    db.session.expire_all()
    assert db.session.get(Lecture, lecture.id).title == "The Night Prayer (revised)"


def demo_visible_slugs() -> list[str]:
    """Slugs a listener may see, by the rules, newest first: worked out from the seed file."""
    series: dict[str, Any] = {s["slug"]: s for s in DEMO["series"]}
    inactive = {s["slug"] for s in DEMO["scholars"] if s.get("active") is False}
    visible = []
    for lecture in DEMO["lectures"]:
        in_series = series.get(lecture.get("series", ""))
        scholar = in_series["scholar"] if in_series else lecture["scholar"]
        if (
            lecture["state"] == "published"
            and scholar not in inactive
            and (in_series is None or in_series["state"] == "published")
        ):
            visible.append(lecture)
    times = [lec["published"] for lec in visible]
    assert len(set(times)) == len(times), "demo publication times must not tie"
    visible.sort(key=lambda lec: lec["published"], reverse=True)
    return [lec["slug"] for lec in visible]
