"""Search: text functions and GIN expression indexes on lectures, series and scholars.

Revision ID: 0003_search
Revises: 0002_sessions
Create Date: 2026-11-24

Written by hand. Core PostgreSQL only (no pg_trgm, no unaccent):

- durus_fold(text): the normalisation applied alike to what is indexed and to the query —
  Arabic without tashkeel and tatweel, one alef, ه for ة, ي for ى; Latin lower-case without
  diacritics or transliteration apostrophes, with ee → i, oo → u, ou → u, y → i and doubled
  letters single. durus/search_text.py is its Python twin (a test checks they agree).
- durus_words(text), durus_trigrams(text): words split on listed separators (no locale
  classes), and pg_trgm-style trigrams of each word (two spaces before, one after).
- durus_trigram_probe(text): the query's trigrams worth an index look-up (&&, overlap).
- durus_similarity(query trigrams, trigrams): the share of the query's trigrams present.
- durus_search_document(...): a tsvector with the 'english' and 'arabic' configurations,
  titles and names weighted A, descriptions and biographies B.
- durus_search_query(text): websearch_to_tsquery of the folded query in both configurations.

The indexes are derived data, not columns: nothing has to remember to update them. Their
expressions are also declared, as Index objects, in durus/catalogue/search.py, whose queries
use those very expressions (so the planner can use the indexes and autogenerate sees them).
Function bodies are SQL-standard (RETURN ...), parsed once and bound to the objects they use,
so a dump restores them whatever the search_path.
"""

import unicodedata

from alembic import op

revision = "0003_search"
down_revision = "0002_sessions"
branch_labels = None
depends_on = None

# The folding rules, frozen as they were when this migration was written.
DROPPED = (
    "".join(map(chr, range(0x064B, 0x0660)))
    + "\u0670\u0640"
    + "'`\u2018\u2019\u02bf\u02be\u02bb\u02bc\u00b4"
    + "".join(map(chr, range(0x0300, 0x0370)))
)
ARABIC = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"}
LATIN_EXTRA = {"Ø": "o", "ø": "o", "Đ": "d", "đ": "d", "Ł": "l", "ł": "l", "Ħ": "h", "ħ": "h"}
LATIN_EXTRA |= {"ı": "i", "ß": "s"}
SEPARATORS = ' \t\n\r\f\v\u00a0\u2028\u2029!"#$%&()*+,-./:;<=>?@[\\]^_{|}~،؛؟۔٪«»“”„‹›–—…·'
LATIN = "abcdefghijklmnopqrstuvwxyz"


def latin_letters():
    table = {chr(c): chr(c).lower() for c in range(ord("A"), ord("Z") + 1)}
    for code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            table[char] = base.lower()
    table |= LATIN_EXTRA
    table = {k: ("i" if v == "y" else v) for k, v in table.items()}
    table["y"] = "i"
    return table


def literal(value):
    """A standard SQL string literal, its colons escaped for SQLAlchemy's text()."""
    return "'" + value.replace("'", "''").replace(":", "\\:") + "'"


MAPPED = latin_letters() | ARABIC
FOLD_FROM = literal("".join(MAPPED) + DROPPED)
FOLD_TO = literal("".join(MAPPED.values()))
SEPS = literal(SEPARATORS)
SPACES = literal(" " * len(SEPARATORS))

FUNCTIONS = [
    (
        "durus_fold(t text)",
        f"""RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN regexp_replace(
            replace(replace(replace(translate(t, {FOLD_FROM}, {FOLD_TO}),
                'ee', 'i'), 'oo', 'u'), 'ou', 'u'),
            '([a-z])\\1+', '\\1', 'g')""",
    ),
    (
        "durus_words(t text)",
        f"""RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN array_remove(string_to_array(translate(durus_fold(t), {SEPS}, {SPACES}), ' '), '')""",
    ),
    (
        "durus_trigrams(t text)",
        """RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN (
            SELECT coalesce(array_agg(DISTINCT substr('  ' || w || ' ', i, 3)), '{}')
            FROM unnest(durus_words(t)) AS w, generate_series(1, length(w) + 1) AS i
        )""",
    ),
    (
        # The query's trigrams to look up in an index: all but the word starts ("  x"), which
        # too many titles share. A title with the similarity needed (more than half of the
        # query's trigrams; a word has at least as many other trigrams as starts) has one.
        "durus_trigram_probe(q text)",
        """RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN ARRAY(SELECT g FROM unnest(durus_trigrams(q)) AS g WHERE g NOT LIKE '  %')""",
    ),
    (
        "durus_similarity(query_trigrams text[], trigrams text[])",
        """RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN (
            SELECT count(*) FROM unnest(query_trigrams) AS g WHERE g = ANY (trigrams)
        )::double precision / greatest(cardinality(query_trigrams), 1)""",
    ),
    (
        "durus_search_vector(t text)",
        f"""RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN to_tsvector('english'::regconfig, durus_fold(t))
            || to_tsvector('arabic'::regconfig, translate(durus_fold(t), '{LATIN}', ''))""",
    ),
    (
        "durus_search_document(title text, body text)",
        """RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN setweight(durus_search_vector(coalesce(title, '')), 'A')
            || setweight(durus_search_vector(coalesce(body, '')), 'B')""",
    ),
    (
        "durus_search_document(name text, name_original text, biography text)",
        """RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN setweight(durus_search_vector(coalesce(name, '')), 'A')
            || setweight(durus_search_vector(coalesce(name_original, '')), 'A')
            || setweight(durus_search_vector(coalesce(biography, '')), 'B')""",
    ),
    (
        "durus_search_query(q text)",
        f"""RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN websearch_to_tsquery('english'::regconfig, durus_fold(q))
            || websearch_to_tsquery('arabic'::regconfig, translate(durus_fold(q), '{LATIN}', ''))""",
    ),
]

# (index, table, expression): the queries in durus/catalogue/search.py use these very
# expressions, so that the planner can answer them from the indexes.
INDEXES = [
    ("ix_lectures_search_document", "lectures", "durus_search_document(title, description)"),
    ("ix_lectures_search_trigrams", "lectures", "durus_trigrams(title)"),
    ("ix_series_search_document", "series", "durus_search_document(title, description)"),
    ("ix_series_search_trigrams", "series", "durus_trigrams(title)"),
    (
        "ix_scholars_search_document",
        "scholars",
        "durus_search_document(name, name_original, biography)",
    ),
    (
        "ix_scholars_search_trigrams",
        "scholars",
        "(durus_trigrams(name) || durus_trigrams(name_original))",
    ),
]


def upgrade():
    for signature, body in FUNCTIONS:
        op.execute(f"CREATE FUNCTION {signature} {body}")
    for name, table, expression in INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin (({expression}))")


def downgrade():
    for name, _table, _expression in reversed(INDEXES):
        op.execute(f"DROP INDEX {name}")
    for signature, _body in reversed(FUNCTIONS):
        op.execute(f"DROP FUNCTION {signature}")
