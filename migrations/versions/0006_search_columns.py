"""Search: the folded search values stored in columns, kept by triggers, instead of computed.

Revision ID: 0006_search_columns
Revises: 0005_admin
Create Date: 2026-11-22

0003 indexed expressions (durus_search_document(title, description), durus_trigrams(title)):
the index finds the matches, but ranking them computed the expression again for every match,
and the exact-title test folded every matching title. Folding costs about 2 ms for a lecture
(durus_fold's translate() walks a 500-character table for each character), so a common word
among 300,000 lectures (49,000 matches for "prayer") took minutes. Now each row keeps
- search_document: the tsvector of 0003 (ranked with ts_rank straight from the column),
- search_trigrams: the title's trigrams (similarity from the column),
- search_titles: each title's folded words joined by spaces (the exact-title test is an
  equality with the folded query),
computed by a BEFORE INSERT OR UPDATE trigger of each table from the same functions, so
nothing in the application has to remember them, and indexed (GIN, named
ix_<table>_<column>_stored) in place of 0003's expression indexes, which are dropped. The
indexes have no pending list (fastupdate off): editors write a few rows at a time, searches
are many and never scan a backlog of unmerged rows (which also made the planner shy of them).

Also an index of the lectures by last change, newest first, for the editorial workspace.

Safe on a live database: the columns are added without a default (no table rewrite); the
triggers exist before the backfill, so rows written meanwhile fill themselves; the backfill
commits every 2,000 rows (a DO block in autocommit, short row locks); the indexes are built
and the old ones dropped CONCURRENTLY. Each step can run again after a failure.
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0006_search_columns"
down_revision = "0005_admin"
branch_labels = None
depends_on = None


def _rules():
    """0003's folding rules (its module: the file name is not an importable name)."""
    path = Path(__file__).with_name("0003_search.py")
    spec = importlib.util.spec_from_file_location("durus_migration_0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Characters that fold to themselves, the frequent ones first. translate() walks its table
# until it finds a character, the whole table (500 characters) for one that is not there:
# listed at the front, a plain letter is found in a few steps, with the same result.
UNCHANGED = " etaoinsrhldcumfpgwbvkjxqz0123456789الميونهربتعدسفقكحجشصطزخذثضظغءئؤ"


def _bracket(chars):
    return "[" + "".join("\\" + c if c in "[]\\^-" else c for c in chars) + "]"


def _fast_functions(rules):
    """durus_fold and durus_words, giving what 0003's give for every text, faster: the
    removed characters go first through one regular expression (a character class), then
    translate() maps the rest with the unchanged characters at the front of its table."""
    mapped, dropped, literal = rules.MAPPED, rules.DROPPED, rules.literal
    unchanged = "".join(c for c in dict.fromkeys(UNCHANGED) if c not in mapped and c not in dropped)
    removed = "".join(c for c in dict.fromkeys(dropped) if c not in mapped)
    fold_from = literal(unchanged + "".join(mapped))
    fold_to = literal(unchanged + "".join(mapped.values()))
    letters = "".join(c for c in unchanged if c not in rules.SEPARATORS)
    return [
        (
            "durus_fold(t text)",
            f"""RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            RETURN regexp_replace(
                replace(replace(replace(
                    translate(regexp_replace(t, {literal(_bracket(removed))}, '', 'g'),
                        {fold_from}, {fold_to}),
                    'ee', 'i'), 'oo', 'u'), 'ou', 'u'),
                '([a-z])\\1+', '\\1', 'g')""",
        ),
        (
            "durus_words(t text)",
            f"""RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            RETURN array_remove(string_to_array(translate(durus_fold(t),
                {literal(letters + rules.SEPARATORS)},
                {literal(letters + " " * len(rules.SEPARATORS))}), ' '), '')""",
        ),
    ]


def _replace_functions(functions):
    for signature, body in functions:
        op.execute(f"CREATE OR REPLACE FUNCTION {signature} {body}")


# table -> (document, trigrams, titles), over the NEW row
VALUES = {
    "lectures": (
        "durus_search_document(NEW.title, NEW.description)",
        "durus_trigrams(NEW.title)",
        "ARRAY[array_to_string(durus_words(NEW.title), ' ')]",
    ),
    "series": (
        "durus_search_document(NEW.title, NEW.description)",
        "durus_trigrams(NEW.title)",
        "ARRAY[array_to_string(durus_words(NEW.title), ' ')]",
    ),
    "scholars": (
        "durus_search_document(NEW.name, NEW.name_original, NEW.biography)",
        "durus_trigrams(NEW.name) || durus_trigrams(NEW.name_original)",
        "array_remove(ARRAY[array_to_string(durus_words(NEW.name), ' '), "
        "array_to_string(durus_words(NEW.name_original), ' ')], NULL)",
    ),
}
SOURCES = {
    "lectures": "title, description",
    "series": "title, description",
    "scholars": "name, name_original, biography",
}
COLUMNS = ("search_document", "search_trigrams", "search_titles")
TYPES = ("tsvector", "text[]", "text[]")
INDEXED = ("search_document", "search_trigrams")  # ix_<table>_<column>: 0003's indexes


def _function(table):
    document, trigrams, titles = VALUES[table]
    return f"""CREATE OR REPLACE FUNCTION {table}_search_fill() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_document := {document};
            NEW.search_trigrams := {trigrams};
            NEW.search_titles := {titles};
            RETURN NEW;
        END $$"""


def _backfill(table):
    # The trigger fires on the UPDATE of a source column: setting one to itself refills a row.
    first = SOURCES[table].split(",")[0]
    return f"""DO $$
        DECLARE
            done integer;
        BEGIN
            LOOP
                UPDATE {table} SET {first} = {first}
                WHERE id IN (SELECT id FROM {table} WHERE search_document IS NULL LIMIT 2000);
                GET DIAGNOSTICS done = ROW_COUNT;
                EXIT WHEN done = 0;
                COMMIT;
            END LOOP;
        END $$"""


def _index(table, column, name):
    # IF NOT EXISTS alone would keep an invalid index that a failed attempt left.
    op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    op.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} USING gin ({column})"
        " WITH (fastupdate = off)"
    )


def upgrade():
    # Same results, so every index and stored value built on them stays right.
    _replace_functions(_fast_functions(_rules()))
    with op.get_context().autocommit_block():
        for table in VALUES:
            added = ", ".join(
                f"ADD COLUMN IF NOT EXISTS {c} {t}" for c, t in zip(COLUMNS, TYPES, strict=True)
            )
            op.execute(f"ALTER TABLE {table} {added}")
            op.execute(_function(table))
            op.execute(f"DROP TRIGGER IF EXISTS search_fill ON {table}")
            op.execute(
                f"CREATE TRIGGER search_fill BEFORE INSERT OR UPDATE OF {SOURCES[table]} "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_search_fill()"
            )
            op.execute(_backfill(table))
            # search_titles is only compared for the ranking, never looked up: no index.
            for column in INDEXED:
                _index(table, column, f"ix_{table}_{column}_stored")
                op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS ix_{table}_{column}")
        # The editorial workspace lists the most recently changed lectures (series had theirs).
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_lectures_updated_at")
        op.execute(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_lectures_updated_at"
            " ON lectures (updated_at DESC, id DESC)"
        )


def downgrade():
    rules = _rules()
    _replace_functions(
        f for f in rules.FUNCTIONS if f[0] in ("durus_fold(t text)", "durus_words(t text)")
    )
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY IF EXISTS ix_lectures_updated_at")
        for table in VALUES:
            expressions = {
                "search_document": f"durus_search_document({SOURCES[table]})",
                "search_trigrams": (
                    "(durus_trigrams(name) || durus_trigrams(name_original))"
                    if table == "scholars"
                    else "durus_trigrams(title)"
                ),
            }
            for column in INDEXED:
                op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS ix_{table}_{column}")
                op.execute(
                    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_{table}_{column} "
                    f"ON {table} USING gin (({expressions[column]}))"
                )
                op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS ix_{table}_{column}_stored")
            op.execute(f"DROP TRIGGER IF EXISTS search_fill ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_search_fill()")
            dropped = ", ".join(f"DROP COLUMN IF EXISTS {c}" for c in COLUMNS)
            op.execute(f"ALTER TABLE {table} {dropped}")
