"""Loading the demo data in seeds/: idempotent, one transaction, never clobbers later edits.

Rows are matched on their natural keys (slug, email, storage key); a row that exists is left
as it is, so running the seed again creates nothing and edits made in the site survive.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .auth.passwords import hash_password
from .media.assets import asset_for
from .media.probe import probe_audio
from .media.store import LocalMediaStore
from .models import (
    EditorScope,
    Lecture,
    MediaAsset,
    MediaKind,
    PublicationState,
    Role,
    Scholar,
    Series,
    Topic,
    User,
    UserCredential,
)


class SeedLoader:
    def __init__(self, session: Session, store: LocalMediaStore, seed_dir: Path) -> None:
        self.session = session
        self.store = store
        self.seed_dir = seed_dir
        self.created: Counter[str] = Counter()

    def _by_slug(self, model: type[Any], slugs: list[str]) -> dict[str, Any]:
        rows = self.session.scalars(select(model).where(model.slug.in_(slugs)))
        return {row.slug: row for row in rows}

    def _add(self, row: Any, label: str) -> Any:
        self.session.add(row)
        self.created[label] += 1
        return row

    def topics(self, items: list[dict[str, Any]]) -> dict[str, Topic]:
        found = self._by_slug(Topic, [t["slug"] for t in items])
        for item in items:
            if item["slug"] not in found:
                found[item["slug"]] = self._add(Topic(**item), "topics")
        return found

    def scholars(self, items: list[dict[str, Any]]) -> dict[str, Scholar]:
        found = self._by_slug(Scholar, [s["slug"] for s in items])
        for item in items:
            if item["slug"] not in found:
                fields = {k: v for k, v in item.items() if k != "active"}
                scholar = Scholar(**fields, is_active=item.get("active", True))
                found[item["slug"]] = self._add(scholar, "scholars")
        self.session.flush()
        return found

    def series(
        self, items: list[dict[str, Any]], scholars: dict[str, Scholar]
    ) -> dict[str, Series]:
        found = self._by_slug(Series, [s["slug"] for s in items])
        for item in items:
            if item["slug"] not in found:
                series = Series(
                    slug=item["slug"],
                    scholar_id=scholars[item["scholar"]].id,
                    title=item["title"],
                    description=item.get("description", ""),
                    language_code=item["language"],
                    state=PublicationState(item["state"]),
                    published_at=item.get("published"),
                )
                found[item["slug"]] = self._add(series, "series")
        self.session.flush()
        return found

    def audio_asset(self, filename: str) -> MediaAsset:
        path = self.seed_dir / "audio" / filename
        info = probe_audio(path)
        with path.open("rb") as source:
            stored = self.store.put(source, "audio", info.extension)
        asset, new = asset_for(
            self.session,
            stored,
            MediaKind.AUDIO,
            info.content_type,
            filename=filename,
            duration_seconds=info.duration_seconds,
            bitrate=info.bitrate,
        )
        if new:
            self.created["media_assets"] += 1
        return asset

    def lectures(
        self,
        items: list[dict[str, Any]],
        scholars: dict[str, Scholar],
        series: dict[str, Series],
        topics: dict[str, Topic],
    ) -> None:
        found = self._by_slug(Lecture, [lec["slug"] for lec in items])
        for item in items:
            if item["slug"] in found:
                continue
            in_series = series.get(item.get("series", ""))
            scholar_id = in_series.scholar_id if in_series else scholars[item["scholar"]].id
            lecture = Lecture(
                slug=item["slug"],
                scholar_id=scholar_id,
                series_id=in_series.id if in_series else None,
                position=item.get("position"),
                title=item["title"],
                description=item.get("description", ""),
                language_code=item["language"],
                state=PublicationState(item["state"]),
                published_at=item.get("published"),
                recorded_on=item.get("recorded"),
                audio_asset_id=self.audio_asset(item["audio"]).id,
            )
            lecture.topics = [topics[slug] for slug in item.get("topics", [])]
            self._add(lecture, "lectures")
        self.session.flush()

    def users(self, items: list[dict[str, Any]], scholars: dict[str, Scholar]) -> None:
        emails = [u["email"].lower() for u in items]
        existing = {
            user.email.lower()
            for user in self.session.scalars(select(User).where(func.lower(User.email).in_(emails)))
        }
        for item in items:
            if item["email"].lower() in existing:
                continue
            user = self._add(
                User(
                    email=item["email"], display_name=item["display_name"], role=Role(item["role"])
                ),
                "users",
            )
            self.session.flush()
            self.session.add(
                UserCredential(user_id=user.id, password_hash=hash_password(item["password"]))
            )
            for slug in item.get("scholars", []):
                self.session.add(EditorScope(user_id=user.id, scholar_id=scholars[slug].id))
        self.session.flush()


def load_demo(session: Session, store: LocalMediaStore, seed_dir: Path) -> Counter[str]:
    """Load seeds/demo.toml; returns how many rows of each kind were created."""
    demo = tomllib.loads((seed_dir / "demo.toml").read_text(encoding="utf-8"))
    loader = SeedLoader(session, store, seed_dir)
    topics = loader.topics(demo["topics"])
    scholars = loader.scholars(demo["scholars"])
    series = loader.series(demo["series"], scholars)
    loader.lectures(demo["lectures"], scholars, series, topics)
    loader.users(demo["users"], scholars)
    return loader.created


def demo_accounts(seed_dir: Path) -> list[dict[str, Any]]:
    demo = tomllib.loads((seed_dir / "demo.toml").read_text(encoding="utf-8"))
    return demo["users"]
