"""The explicit states of the domain, stored as PostgreSQL enum types."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    LISTENER = "listener"
    EDITOR = "editor"
    ADMIN = "admin"


class AccountState(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DEACTIVATED = "deactivated"


class PublicationState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class TextDirection(enum.StrEnum):
    LTR = "ltr"
    RTL = "rtl"


class MediaKind(enum.StrEnum):
    AUDIO = "audio"
    IMAGE = "image"
