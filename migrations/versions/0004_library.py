"""The listener's library: "remove from continue listening", and history in order.

Revision ID: 0004_library
Revises: 0003_search
Create Date: 2026-11-26

user_progress.dismissed_at records an explicit choice (the listener removed the lecture from
"continue listening"); the progress upsert clears it when it applies an observation newer than
the dismissal, so playing the lecture again brings it back. The partial index serves the
history list (completed lectures, newest first).
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_library"
down_revision = "0003_search"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "user_progress", sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_user_progress_user_id_completed_at",
        "user_progress",
        ["user_id", sa.text("completed_at DESC")],
        unique=False,
        postgresql_where=sa.text("completed_at IS NOT NULL"),
    )


def downgrade():
    op.drop_index(
        "ix_user_progress_user_id_completed_at",
        table_name="user_progress",
        postgresql_where=sa.text("completed_at IS NOT NULL"),
    )
    op.drop_column("user_progress", "dismissed_at")
