"""Administration: indexes for the accounts list and the audit log's filters.

Revision ID: 0005_admin
Revises: 0004_library
Create Date: 2026-11-22

The accounts list sorts by newest, name, email or last sign-in, each with the id as the keyset
tie-breaker; its search matches inside names and emails through a GIN index of their trigrams
(the same durus_trigrams function as the catalogue, see 0003). The audit log is filtered by
actor, action or entity and always read newest first, so each filter column leads an index
ending in (created_at DESC, id DESC); these replace the single-column indexes they extend.

Both tables are live and written on every sign-in and every editorial action, so the indexes
are built and dropped CONCURRENTLY (outside a transaction: reads and writes go on meanwhile).
A build that fails (e.g. on lock_timeout, set in env.py) leaves an invalid index behind and
the revision unapplied; each index is therefore dropped if it exists before it is built, so
running the upgrade again finishes the job.
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
SEARCH_TRIGRAMS = sa.text("(durus_trigrams(display_name || ' ' || email))")


def build(name, table, columns, **kw):
    # IF NOT EXISTS alone would keep an invalid index that a failed attempt left: drop it first.
    drop(name, table)
    op.create_index(name, table, columns, postgresql_concurrently=True, if_not_exists=True, **kw)


def drop(name, table):
    op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)


def upgrade():
    with op.get_context().autocommit_block():
        for name, columns in USER_INDEXES:
            build(name, "users", columns)
        build("ix_users_search_trigrams", "users", [SEARCH_TRIGRAMS], postgresql_using="gin")
        for name, columns, old, _ in AUDIT_INDEXES:
            build(name, "audit_log", [*columns, *NEWEST_FIRST])
            drop(old, "audit_log")


def downgrade():
    with op.get_context().autocommit_block():
        for name, _, old, old_columns in AUDIT_INDEXES:
            build(old, "audit_log", old_columns)
            drop(name, "audit_log")
        drop("ix_users_search_trigrams", "users")
        for name, _ in USER_INDEXES:
            drop(name, "users")
