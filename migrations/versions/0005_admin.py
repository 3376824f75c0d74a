"""Administration: indexes for the accounts list and the audit log's filters.

Revision ID: 0005_admin
Revises: 0004_library
Create Date: 2026-11-22

The accounts list sorts by newest, name, email or last sign-in, each with the id as the keyset
tie-breaker; its search matches inside names and emails through a GIN index of their trigrams
(the same durus_trigrams function as the catalogue, see 0003). The audit log is filtered by
actor, action or entity and always read newest first, so each filter column leads an index
ending in (created_at DESC, id DESC); these replace the single-column indexes they extend.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_admin"
down_revision = "0004_library"
branch_labels = None
depends_on = None

USER_INDEXES = [
    ("ix_users_created_at_id", [sa.text("created_at DESC"), sa.text("id DESC")]),
    ("ix_users_display_name_id", [sa.text("lower(display_name)"), "id"]),
    (
        "ix_users_last_sign_in_at_id",
        [sa.text("last_sign_in_at DESC NULLS LAST"), sa.text("id DESC")],
    ),
]
AUDIT_INDEXES = [
    # (new index, its columns before the order, the index it replaces, that index's columns)
    ("ix_audit_log_actor_id_created_at", ["actor_id"], "ix_audit_log_actor_id", ["actor_id"]),
    ("ix_audit_log_action_created_at", ["action"], "ix_audit_log_action", ["action"]),
    (
        "ix_audit_log_entity_created_at",
        ["entity_type", "entity_id"],
        "ix_audit_log_entity_type_entity_id",
        ["entity_type", "entity_id"],
    ),
]
NEWEST_FIRST = [sa.text("created_at DESC"), sa.text("id DESC")]


def upgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    for name, columns in USER_INDEXES:
        op.create_index(name, "users", columns)
    op.execute(
        "CREATE INDEX ix_users_search_trigrams ON users "
        "USING gin ((durus_trigrams(display_name || ' ' || email)))"
    )
    for name, columns, old, _ in AUDIT_INDEXES:
        op.create_index(name, "audit_log", [*columns, *NEWEST_FIRST])
        op.drop_index(old, table_name="audit_log")


def downgrade():
    op.execute("SET LOCAL lock_timeout = '5s'")
    for name, _, old, old_columns in AUDIT_INDEXES:
        op.create_index(old, "audit_log", old_columns)
        op.drop_index(name, table_name="audit_log")
    op.drop_index("ix_users_search_trigrams", table_name="users")
    for name, _ in USER_INDEXES:
        op.drop_index(name, table_name="users")
