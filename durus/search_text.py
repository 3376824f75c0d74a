"""Search text rules, the Python twin of the SQL functions of migration 0003_search.

`fold()` is `durus_fold()`, `words()` is `durus_words()` and `trigrams()` is
`durus_trigrams()`: PostgreSQL applies them to what it indexes and to the query, Python
applies them to mark on the page the words a query matched. A test checks that both sides
agree character by character, so a change here needs a migration, and the reverse.

Folding, in order:
- Arabic: remove the tashkeel (U+064B–U+065F, U+0670) and the tatweel (U+0640); write
  أ إ آ ٱ as ا, ة as ه and ى as ي.
- Latin: lower-case; strip diacritics (ā ḥ ṣ ḍ ṭ ẓ … and combining marks); drop the
  transliteration apostrophes ʿ ʾ ' ` ’ ‘; then ee → i, oo → u, ou → u, y → i, and a doubled
  letter becomes one — so Uthaymeen meets Uthaimin and Baaz meets Baz.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup, escape

# Characters that only decorate: vowel marks, tatweel, transliteration apostrophes and
# combining diacritics of decomposed Latin text.
_DROPPED = (
    "".join(map(chr, range(0x064B, 0x0660)))
    + "\u0670\u0640"
    + "'`\u2018\u2019\u02bf\u02be\u02bb\u02bc\u00b4"
    + "".join(map(chr, range(0x0300, 0x0370)))
)
# Letters written more than one way.
_ARABIC = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"}
_LATIN_EXTRA = {"Ø": "o", "ø": "o", "Đ": "d", "đ": "d", "Ł": "l", "ł": "l", "Ħ": "h", "ħ": "h"}
_LATIN_EXTRA |= {"ı": "i", "ß": "s"}


def _latin_letters() -> dict[str, str]:
    """Upper- and lower-case Latin letters, with or without diacritics, to plain a–z (y → i)."""
    table = {chr(c): chr(c).lower() for c in range(ord("A"), ord("Z") + 1)}
    for code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            table[char] = base.lower()
    table |= _LATIN_EXTRA
    table = {k: ("i" if v == "y" else v) for k, v in table.items()}
    table["y"] = "i"
    return table


_MAPPED = _latin_letters() | _ARABIC
# The same rules as the arguments of SQL translate(): FOLD_FROM[i] → FOLD_TO[i], and the
# characters of FOLD_FROM past the end of FOLD_TO are removed.
FOLD_FROM = "".join(_MAPPED) + _DROPPED
FOLD_TO = "".join(_MAPPED.values())
_TABLE = str.maketrans("".join(_MAPPED), FOLD_TO, _DROPPED)
_PAIRS = (("ee", "i"), ("oo", "u"), ("ou", "u"))
_DOUBLED = re.compile(r"([a-z])\1+")

# What separates words (listed, not a locale's idea of punctuation): white space, ASCII
# punctuation, Arabic comma, semicolon, question mark and full stop, quotes and dashes.
SEPARATORS = ' \t\n\r\f\v\u00a0\u2028\u2029!"#$%&()*+,-./:;<=>?@[\\]^_{|}~،؛؟۔٪«»“”„‹›–—…·'
_SPACES = str.maketrans(SEPARATORS, " " * len(SEPARATORS))
_TOKENS = re.compile(f"([{re.escape(SEPARATORS)}]+)")  # words and the runs between them

MAX_QUERY_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def fold(text: str) -> str:
    text = text.translate(_TABLE)
    for pair, single in _PAIRS:
        text = text.replace(pair, single)
    return _DOUBLED.sub(r"\1", text)


def words(text: str) -> list[str]:
    """The folded words of `text`, in order."""
    return [w for w in fold(text).translate(_SPACES).split(" ") if w]


def trigrams(text: str) -> set[str]:
    """pg_trgm-style trigrams of every word, padded with two spaces before and one after."""
    grams = set()
    for word in words(text):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(word) + 1))
    return grams


def similarity(query: str, text: str) -> float:
    """The share of the query's trigrams found in `text` (SQL durus_similarity)."""
    wanted = trigrams(query)
    return len(wanted & trigrams(text)) / len(wanted) if wanted else 0.0


def clean_query(raw: str) -> str:
    """The query as searched: control characters out, at most MAX_QUERY_LENGTH characters."""
    return " ".join(_CONTROL.sub(" ", raw).split())[:MAX_QUERY_LENGTH].strip()


# A title word is marked when it holds a query word (Arabic prefixes, English plurals), is
# the start of one (a stem), or is close enough by trigrams (a misspelling).
SIMILAR_WORD = 0.6


def _matches(word: str, query_words: Iterable[str]) -> bool:
    for q in query_words:
        if q == word or (len(q) >= 3 and q in word) or (len(word) >= 3 and q.startswith(word)):
            return True
        if len(q) >= 3 and similarity(q, word) >= SIMILAR_WORD:
            return True
    return False


def highlight(text: str, query: str) -> Markup:
    """`text`, escaped, with each word that the query matched in <mark>."""
    query_words = set(words(query))
    out = []
    for token in _TOKENS.split(text):
        folded = fold(token)
        if folded and token[0] not in SEPARATORS and _matches(folded, query_words):
            out.append(Markup("<mark>{}</mark>").format(token))
        else:
            out.append(escape(token))
    return Markup("").join(out)
