"""What the listening insights ask of the database: only names, slugs and lengths, to label
and link what the analytics log counts. The counting itself never touches the database."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import literal, select, union_all

from ..extensions import db
from ..models import Lecture, MediaAsset, Scholar, Series

# kind → (model, the column that names it)
NAMED = {
    "lecture": (Lecture, Lecture.title),
    "series": (Series, Series.title),
    "scholar": (Scholar, Scholar.name),
}


@dataclass(frozen=True)
class Named:
    name: str
    slug: str


@dataclass(frozen=True)
class LectureFacts:
    title: str
    slug: str
    duration_seconds: float | None


def catalogue_names(
    ids: Mapping[str, Iterable[uuid.UUID]],
) -> dict[str, dict[uuid.UUID, Named]]:
    """Name and slug of the lectures, series and scholars asked for (kind → ids), in one
    statement however many; an id no longer in the catalogue is simply absent."""
    found: dict[str, dict[uuid.UUID, Named]] = {kind: {} for kind in NAMED}
    parts = []
    for kind, wanted in ids.items():
        model, name = NAMED[kind]
        wanted = list(wanted)
        if wanted:
            parts.append(
                select(literal(kind).label("kind"), model.id, name.label("name"), model.slug).where(
                    model.id.in_(wanted)
                )
            )
    if not parts:
        return found
    for kind, id_, name, slug in db.session.execute(union_all(*parts)):
        found[kind][id_] = Named(name, slug)
    return found


def lecture_facts(lecture_id: uuid.UUID) -> LectureFacts | None:
    """Title, slug and audio length of a lecture (None when it is no longer there)."""
    row = db.session.execute(
        select(Lecture.title, Lecture.slug, MediaAsset.duration_seconds)
        .outerjoin(MediaAsset, MediaAsset.id == Lecture.audio_asset_id)
        .where(Lecture.id == lecture_id)
    ).first()
    if row is None:
        return None
    duration: Decimal | None = row.duration_seconds
    return LectureFacts(row.title, row.slug, None if duration is None else float(duration))
