"""Every foreign key is backed by an index (joins and ON DELETE checks stay fast)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from durus.extensions import db

# Foreign keys whose first column does not lead any index. (The composite lectures → series
# key is served by the (series_id, position) index: series_id alone is selective.)
UNINDEXED_FOREIGN_KEYS = text(
    """
    SELECT c.conrelid::regclass::text AS table_name, c.conname
    FROM pg_constraint c
    WHERE c.contype = 'f'
      AND NOT EXISTS (
        SELECT 1 FROM pg_index i
        WHERE i.indrelid = c.conrelid
          AND (i.indkey::int2[])[0] = c.conkey[1]
      )
    ORDER BY 1, 2
    """
)


@pytest.mark.usefixtures("db_session")
def test_every_foreign_key_has_an_index() -> None:
    assert db.session.execute(UNINDEXED_FOREIGN_KEYS).all() == []


@pytest.mark.usefixtures("db_session")
def test_published_listings_have_partial_indexes() -> None:
    rows = db.session.execute(
        text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%_published'")
    ).all()
    definitions = dict(rows)
    assert "WHERE (state = 'published'" in definitions["ix_lectures_published"]
    assert "WHERE (state = 'published'" in definitions["ix_series_published"]
