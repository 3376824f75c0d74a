"""Session revocation and sign-in time on users.

Revision ID: 0002_sessions
Revises: 0001_core_schema
Create Date: 2026-11-22

session_version is part of the id kept in the session and remember-me cookies; bumping it
ends every copy of every session of the account. Autogenerate does not see CHECK
constraints: the one here is added by hand.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_sessions"
down_revision = "0001_core_schema"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "users",
        sa.Column("session_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.add_column("users", sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_users_session_version_positive"), "users", "session_version >= 1"
    )


def downgrade():
    op.drop_constraint(op.f("ck_users_session_version_positive"), "users", type_="check")
    op.drop_column("users", "last_sign_in_at")
    op.drop_column("users", "session_version")
