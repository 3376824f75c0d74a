"""Accounts: the identity row, its local password verifier and its OpenID Connect identities."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, created_at, not_blank, pg_enum, updated_at, uuid_pk
from .enums import AccountState, Role

INTERFACE_LANGUAGES = ("en", "ar")
SEARCH_TEXT = text("(display_name || ' '::text) || email")
SEARCH_TRIGRAMS = func.durus_trigrams(SEARCH_TEXT)


class User(Base):
    """A person's account. Carries no credential: see UserCredential and UserIdentity."""

    __tablename__ = "users"
    __table_args__ = (
        # Emails differing only by case are the same address.
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
        CheckConstraint("position('@' in email) > 1", name="email_has_at"),
        CheckConstraint(not_blank("display_name"), name="display_name_not_blank"),
        CheckConstraint("playback_rate BETWEEN 0.5 AND 3.0", name="playback_rate_range"),
        CheckConstraint(
            "interface_language IN ('" + "', '".join(INTERFACE_LANGUAGES) + "')",
            name="interface_language_supported",
        ),
        Index("ix_users_role_state", "role", "state"),
        CheckConstraint("session_version >= 1", name="session_version_positive"),
        # The accounts list's sorts, each with the id as the keyset tie-breaker (0005).
        Index("ix_users_created_at_id", text("created_at DESC"), text("id DESC")),
        Index("ix_users_display_name_id", func.lower(text("display_name")), "id"),
        Index(
            "ix_users_last_sign_in_at_id", text("last_sign_in_at DESC NULLS LAST"), text("id DESC")
        ),
        # The accounts search: trigrams of name and email (durus_trigrams, migration 0003).
        Index("ix_users_search_trigrams", SEARCH_TRIGRAMS, postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    email: Mapped[str]
    display_name: Mapped[str]
    role: Mapped[Role] = mapped_column(
        pg_enum(Role, "user_role"), server_default=Role.LISTENER.value
    )
    state: Mapped[AccountState] = mapped_column(
        pg_enum(AccountState, "account_state"), server_default=AccountState.ACTIVE.value
    )
    interface_language: Mapped[str] = mapped_column(server_default="en")
    time_zone: Mapped[str] = mapped_column(server_default="UTC")
    playback_rate: Mapped[Decimal] = mapped_column(Numeric(3, 2), server_default="1.00")
    autoplay_next: Mapped[bool] = mapped_column(server_default=text("true"))
    # Part of the id Flask-Login keeps in the session and remember-me cookie: bumping it
    # revokes every copy of every session of this account.
    session_version: Mapped[int] = mapped_column(server_default=text("1"))
    last_sign_in_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    credential: Mapped[UserCredential | None] = relationship(
        back_populates="user", lazy="raise_on_sql", passive_deletes=True
    )

    # Flask-Login's user protocol.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.state is AccountState.ACTIVE

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class UserCredential(Base):
    """The Argon2id verifier of an account with a local password (never the password)."""

    __tablename__ = "user_credentials"
    __table_args__ = (
        CheckConstraint(
            "starts_with(password_hash, '$argon2id$')", name="password_hash_is_argon2id"
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    password_hash: Mapped[str]
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    user: Mapped[User] = relationship(back_populates="credential", lazy="raise_on_sql")


class UserIdentity(Base):
    """An OpenID Connect identity (issuer, subject) that signs in as a user."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    issuer: Mapped[str]
    subject: Mapped[str]
    created_at: Mapped[datetime] = created_at()
