"""Declarative base: stable constraint names, typed columns, shared column helpers."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, DateTime, Enum, FetchedValue, MetaData, Text, Uuid, func, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from .enums import PublicationState

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    # Given as a registry: Flask-SQLAlchemy subclasses Base, which a bare
    # type_annotation_map would not survive.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            datetime: DateTime(timezone=True),
            uuid.UUID: Uuid,
            str: Text,
        },
    )


def pg_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A PostgreSQL enum type storing the members' values (lower-case words)."""
    return Enum(
        enum_class,
        name=name,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(primary_key=True, server_default=text("gen_random_uuid()"))


def created_at() -> Mapped[datetime]:
    return mapped_column(server_default=func.now())


def updated_at() -> Mapped[datetime]:
    return mapped_column(server_default=func.now(), onupdate=func.now())


def publication_state() -> Mapped[PublicationState]:
    return mapped_column(
        pg_enum(PublicationState, "publication_state"),
        server_default=PublicationState.DRAFT.value,
    )


SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"


def slug_check(column: str = "slug") -> str:
    """SQL for a CHECK that keeps a slug URL-clean: lower-case ASCII words joined by hyphens."""
    return f"{column} ~ '{SLUG_PATTERN}' AND length({column}) <= 120"


def not_blank(column: str) -> str:
    return f"length(btrim({column})) > 0"


def search_columns() -> tuple[Any, Any, Any]:
    """search_document, search_trigrams, search_titles: what search reads, filled by each
    table's trigger (migration 0006) from its titles and texts; never loaded with the row."""
    return tuple(  # type: ignore[return-value]
        mapped_column(
            kind, FetchedValue(), FetchedValue(for_update=True), deferred=True, nullable=True
        )
        for kind in (TSVECTOR, ARRAY(Text), ARRAY(Text))
    )
