"""Search finds what a listener may see, across spellings and scripts, ranks the exact title
first, marks the matched words safely, stays within a few queries, and never fails on odd
input."""

from __future__ import annotations

import importlib.util
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Select, text

from durus.catalogue.search import (
    LECTURE_LIMIT,
    SIMILAR,
    lecture_search,
    probe_trigrams,
    scholar_search,
    series_search,
)
from durus.extensions import db
from durus.models import PublicationState
from durus.search_text import (
    FOLD_FROM,
    SEPARATORS,
    fold,
    highlight,
    similarity,
    trigrams,
    words,
)
from durus.synthetic import text as synthetic_text
from tests.factories import make_audio_asset, make_lecture, make_scholar, make_series

ROW_LINK = r'<h3 class="lecture-row__title"[^>]*>\s*<a href="/lectures/([a-z0-9-]+)"'
CARD_LINK = r'<a class="card__title" href="/{}/([a-z0-9-]+)"'


@pytest.fixture
def seeded(app: Flask, client: FlaskClient) -> FlaskClient:
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    return client


def _search(client: FlaskClient, query: str, **params: str) -> str:
    response = client.get("/search", query_string={"q": query, **params})
    assert response.status_code == 200, response.text
    return response.text


def _group(html: str, name: str) -> list[str]:
    """The slugs listed under one heading of the results: scholars, series or lectures."""
    section = re.search(
        rf'<section aria-labelledby="search-{name}-heading">(.*?)</section>', html, re.S
    )
    if section is None:
        return []
    pattern = ROW_LINK if name == "lectures" else CARD_LINK.format(name)
    return re.findall(pattern, section[1])


def _lectures(client: FlaskClient, query: str) -> list[str]:
    return _group(_search(client, query), "lectures")


def _title_of(html: str, slug: str) -> str:
    """The inner HTML of a result's title link."""
    match = re.search(rf'href="/(?:lectures|series|scholars)/{slug}"[^>]*>(.*?)</a>', html)
    assert match, f"{slug} is not listed"
    return match[1]


# --- Grouping and counts -----------------------------------------------------------------


@pytest.mark.usefixtures("db_session")
def test_results_are_grouped_into_scholars_series_and_lectures(client: FlaskClient) -> None:
    scholar = make_scholar(slug="amin", name="Ustadh Amin", biography="He teaches tawhid.")
    series = make_series(slug="kitab-al-tawhid", title="Kitab al-Tawhid", scholar_id=scholar.id)
    make_lecture(slug="tawhid-1", title="Tawhid: the first lesson", series=series)
    make_lecture(slug="fasting", title="Fasting", scholar_id=scholar.id)
    html = _search(client, "tawhid")
    assert _group(html, "scholars") == ["amin"]  # by the biography
    assert _group(html, "series") == ["kitab-al-tawhid"]
    assert _group(html, "lectures") == ["tawhid-1"]
    assert 'Scholars <span class="count">1</span>' in html
    assert 'Lectures <span class="count">1</span>' in html
    assert '3 results for <q dir="auto">tawhid</q>' in html


def test_seeded_catalogue_search_by_english_word(seeded: FlaskClient) -> None:
    html = _search(seeded, "faith")
    assert _group(html, "series") == ["foundations-of-faith"]
    assert "foundations-1-introduction" in _group(html, "lectures")


# --- Arabic --------------------------------------------------------------------------------


ARABIC_QUERIES = {
    "المقدمة": "usul-1-muqaddimah",  # no tashkeel; the title has it
    "الحنيفية ملة إبراهيم": "usul-4-al-hanifiyyah",
    "تَفْسِيرُ سُورَةِ النَّازِعَات": "juz-amma-2-al-naziat",  # tashkeel; the title has none
    "ابراهيم": "usul-4-al-hanifiyyah",  # bare alef for إ
    "المقدمه": "usul-1-muqaddimah",  # ه for ة
    "المسـائل الثـلاث": "usul-3-al-masail-al-thalath",  # tatweel
}


def test_arabic_with_or_without_diacritics(seeded: FlaskClient) -> None:
    for query, slug in ARABIC_QUERIES.items():
        assert _lectures(seeded, query)[:1] == [slug], query


@pytest.mark.usefixtures("db_session")
@pytest.mark.parametrize(
    ("title", "query"),
    [
        ("قصة عيسى عليه السلام", "قصه عيسي"),  # taa marbuta / haa, alef maqsura / yaa
        ("قصه عيسي عليه السلام", "قِصَّةُ عِيسَى"),
        ("أحكام الأضحية", "احكام الاضحيه"),  # hamza on and under alef
        ("آداب الإسلام", "اداب الاسلام"),
        ("ٱلرَّحْمَٰن", "الرحمن"),  # wasla and dagger alef
    ],
)
def test_arabic_letter_variants_meet(client: FlaskClient, title: str, query: str) -> None:
    lecture = make_lecture(title=title, language_code="ar")
    assert _lectures(client, query) == [lecture.slug]


def test_arabic_scholar_found_by_original_name(seeded: FlaskClient) -> None:
    html = _search(seeded, "يوسف الهاشمي")
    assert _group(html, "scholars") == ["yusuf-al-hashimi"]


# --- Transliteration and misspelling -----------------------------------------------------


@pytest.mark.usefixtures("db_session")
@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("Shaykh Muhammad ibn Salih al-Uthaymeen", "Uthaimin"),
        ("Shaykh Muhammad ibn Salih al-Uthaimin", "Uthaymeen"),
        ("Shaykh ʿAbd al-ʿAzīz Ibn Baaz", "Ibn Baz"),
        ("Shaykh Abd al-Aziz ibn Baz", "ibn baaz"),
        ("Imām al-Nawawī", "Nawawi"),
        ("Ibn Qudāmah al-Maqdisī", "ibn qudama al-maqdisi"),
    ],
)
def test_transliteration_variants_meet(client: FlaskClient, name: str, query: str) -> None:
    scholar = make_scholar(name=name)
    make_scholar(name="Someone Else Entirely")
    html = _search(client, query)
    assert _group(html, "scholars") == [scholar.slug]


def test_seeded_scholar_by_plain_transliteration(seeded: FlaskClient) -> None:
    html = _search(seeded, "abd al-rahman al-nasiri")
    assert _group(html, "scholars") == ["abd-al-rahman-al-nasiri"]


@pytest.mark.usefixtures("db_session")
@pytest.mark.parametrize("query", ["Monotheizm", "Monotheims", "Monothesim"])
def test_a_misspelt_long_word_is_still_found(client: FlaskClient, query: str) -> None:
    lecture = make_lecture(title="The Foundations of Monotheism")
    make_lecture(title="Manners of the Student")
    assert _lectures(client, query) == [lecture.slug]


def test_seeded_misspelling(seeded: FlaskClient) -> None:
    assert _lectures(seeded, "Revelaton") == []  # "The First Revelation" is archived
    assert "foundations-4-the-books" in _lectures(seeded, "Reveeled Books")


# --- Ranking -------------------------------------------------------------------------------


@pytest.mark.usefixtures("db_session")
def test_exact_title_comes_first(client: FlaskClient) -> None:
    wordy = make_lecture(
        title="Patience, patience: patience in hardship",
        description="Patience and more patience, on patience.",
    )
    exact = make_lecture(title="Patience")
    fuzzy = make_lecture(title="Patients of the heart")  # trigrams only
    assert _lectures(client, "patience") == [exact.slug, wordy.slug, fuzzy.slug]
    assert _lectures(client, "PATIENCE!")[0] == exact.slug


@pytest.mark.usefixtures("db_session")
def test_full_text_ranks_before_trigram_similarity(client: FlaskClient) -> None:
    in_title = make_lecture(title="The Treasure of Sincerity")
    in_description = make_lecture(title="A lesson", description="On sincerity.")
    misspelt = make_lecture(title="Sincerety in deeds")  # only trigrams meet
    assert _lectures(client, "sincerity") == [in_title.slug, in_description.slug, misspelt.slug]


# --- Highlighting --------------------------------------------------------------------------


def test_matched_words_are_marked(seeded: FlaskClient) -> None:
    html = _search(seeded, "night prayer")
    assert _title_of(html, "the-night-prayer") == "The <mark>Night</mark> <mark>Prayer</mark>"
    html = _search(seeded, "المقدمة")
    assert _title_of(html, "usul-1-muqaddimah") == "<mark>المُقَدِّمَة</mark>"
    html = _search(seeded, "ابراهيم")
    assert "مِلَّةُ <mark>إِبْرَاهِيم</mark>" in _title_of(html, "usul-4-al-hanifiyyah")
    html = _search(seeded, "Nasiri")
    assert "<mark>al-Nāṣirī</mark>" not in html  # words, not hyphenated runs
    assert "al-<mark>Nāṣirī</mark>" in _title_of(html, "abd-al-rahman-al-nasiri")


@pytest.mark.usefixtures("db_session")
def test_titles_are_escaped_before_marking(client: FlaskClient) -> None:
    lecture = make_lecture(title='<script>alert("x")</script> Patience & <b>Prayer</b>')
    html = _search(client, "patience script")
    assert "<script>alert" not in html
    assert "<b>Prayer" not in html
    assert _title_of(html, lecture.slug) == (
        "&lt;<mark>script</mark>&gt;alert(&#34;x&#34;)&lt;/<mark>script</mark>&gt; "
        "<mark>Patience</mark> &amp; &lt;b&gt;Prayer&lt;/b&gt;"
    )


def test_highlight_unit() -> None:
    assert highlight("Ibn Baaz", "ibn baz") == "<mark>Ibn</mark> <mark>Baaz</mark>"
    assert highlight("al-ʿUthaymīn", "uthaymeen") == "al-<mark>ʿUthaymīn</mark>"
    assert highlight("Prayers at night", "prayer") == "<mark>Prayers</mark> at night"
    assert highlight("<i>", "i") == "&lt;<mark>i</mark>&gt;"
    assert highlight("a < b", "zz") == "a &lt; b"


# --- Only what a listener may see --------------------------------------------------------

HIDDEN_LECTURES = {
    "usul-6-al-asl-al-thani": "الأصل الثاني معرفة دين الإسلام",  # draft
    "juz-amma-4-al-takwir": "تفسير سورة التكوير",  # archived
    "seerah-1-before-the-mission": "Arabia Before the Mission",  # in an archived series
    "adab-2-al-sabr": "الصبر على الطلب",  # in a draft series
    "fadl-al-ilm": "فضل العلم",  # by an inactive scholar
    "foundations-5-the-messengers": "Belief in the Messengers",  # draft
}


def test_hidden_lectures_never_appear(seeded: FlaskClient) -> None:
    for slug, title in HIDDEN_LECTURES.items():
        assert f"/lectures/{slug}" not in _search(seeded, title), slug


def test_hidden_series_and_scholars_never_appear(seeded: FlaskClient) -> None:
    assert "adab-talib-al-ilm" not in _search(seeded, "آداب طالب العلم")  # draft series
    assert "the-prophets-biography" not in _search(seeded, "Prophet's Biography")  # archived
    html = _search(seeded, "Salim al-Kindi")  # inactive scholar
    assert "salim-al-kindi" not in html
    assert "salim-al-kindi" not in _search(seeded, "سالم الكندي")


@pytest.mark.usefixtures("db_session")
def test_scheduled_and_unpublished_never_appear(client: FlaskClient) -> None:
    later = datetime.now(UTC) + timedelta(days=1)
    make_lecture(title="Zakat scheduled", published_at=later)
    make_lecture(title="Zakat draft", state=PublicationState.DRAFT, audio_asset_id=None)
    make_lecture(title="Zakat in a scheduled series", series=make_series(published_at=later))
    make_series(title="Zakat series scheduled", published_at=later)
    make_scholar(name="Zakat Inactive", is_active=False)
    visible = make_lecture(title="Zakat published")
    html = _search(client, "zakat")
    assert _group(html, "lectures") == [visible.slug]
    assert _group(html, "series") == []
    assert _group(html, "scholars") == []


# --- Awkward queries ------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", " ", "a", "ب", "!!!", "؟؟ ،،", "& | !", "'", "`ʿ", "-"])
def test_too_short_asks_for_two_letters(client: FlaskClient, query: str) -> None:
    html = _search(client, query)
    assert "Type at least two letters" in html
    assert "<html" in html


@pytest.mark.parametrize(
    "query",
    [
        "a & b",
        "prayer | night",
        "!prayer",
        "night:*",
        "'night' & 'prayer'",
        '"the night',
        "night\\ prayer\\",
        "\\\\'\"",
        "(night) <-> (prayer)",
        "night\x00prayer",
        "-night",
        "or",
        "%_ prayer",
        "pr:ayer :a",
    ],
)
@pytest.mark.usefixtures("db_session")
def test_operators_and_odd_characters_are_plain_text(client: FlaskClient, query: str) -> None:
    make_lecture(title="The Night Prayer", description="Prayer at night: qiyam al-layl.")
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "<html" in response.text


@pytest.mark.usefixtures("db_session")
def test_operators_are_read_as_words(client: FlaskClient) -> None:
    lecture = make_lecture(title="The Night Prayer")
    for query in ["night & prayer | !", "night:* prayer", '"night prayer"', "(night) prayer\\"]:
        assert _lectures(client, query) == [lecture.slug], query


def test_no_results_says_so_with_suggestions(seeded: FlaskClient) -> None:
    html = _search(seeded, "xyzzy plugh")
    assert 'No results for <q dir="auto">xyzzy plugh</q>' in html
    assert "Check the spelling" in html


def test_a_very_long_query_is_cut(seeded: FlaskClient) -> None:
    html = _search(seeded, "prayer " + "x" * 500)
    kept = "prayer " + "x" * 193  # 200 characters
    assert f'name="q" value="{kept}"' in html
    assert f'Search results for <q dir="auto">{kept}</q>' in html


def test_query_is_escaped_and_kept_in_the_search_box(seeded: FlaskClient) -> None:
    html = _search(seeded, '<b>"night"</b>')
    assert "<b>" not in html
    assert 'value="&lt;b&gt;&#34;night&#34;&lt;/b&gt;"' in html
    assert 'name="q" value="faith"' in _search(seeded, "faith")


def test_a_bad_cursor_is_a_bad_request(seeded: FlaskClient) -> None:
    for cursor in [
        "nonsense",
        "WyJhIl0",
        "WyJhIiwiYiIsImMiLCJkIl0",
        "WyJhIiwiYiIsImMiLCJkIiwiZSJd",
    ]:
        response = seeded.get("/search", query_string={"q": "prayer", "after": cursor})
        assert response.status_code == 400


# --- Pages, fragments, "more" --------------------------------------------------------------


def test_page_and_fragment(seeded: FlaskClient) -> None:
    page = seeded.get("/search?q=faith")
    fragment = seeded.get("/search?q=faith", headers={"HX-Request": "true"})
    boosted = seeded.get("/search?q=faith", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in page.text
    assert 'id="search-results"' in page.text
    assert "<html" not in fragment.text
    assert 'id="search-results"' not in fragment.text  # the block inside it
    assert "<h1" not in fragment.text
    assert _group(fragment.text, "lectures") == _group(page.text, "lectures")
    assert "<html" in boosted.text
    for response in (page, fragment, boosted):
        assert "HX-Request" in response.headers["Vary"]


def test_every_page_has_the_search_form(client: FlaskClient) -> None:
    html = client.get("/").text
    form = re.search(
        r'<form class="site-search" role="search" method="get" action="/search"[^>]*>', html
    )
    assert form, "no search form in the header"
    assert 'hx-trigger="submit, input changed delay:300ms, search"' in form[0]
    assert 'hx-target="#content" hx-select="#content" hx-push-url="true"' in form[0]
    assert "hx-get" not in form[0]  # boosted: htmx asks for the whole page (see base.html)
    assert re.search(r'<label [^>]*for="site-search-q"', html)
    assert re.search(r'<input id="site-search-q" type="search" name="q" value=""', html)


def test_short_query_fragment(client: FlaskClient) -> None:
    response = client.get("/search?q=a", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Type at least two letters" in response.text


def _make_matches(count: int) -> list[Any]:
    scholar = make_scholar()
    series = make_series(scholar_id=scholar.id)
    made = []
    for i in range(count):
        if i % 2:
            made.append(make_lecture(title=f"Tawhid lesson {i}", series=series))
        else:
            made.append(make_lecture(title=f"Lesson {i} on tawhid", scholar_id=scholar.id))
    return made


@pytest.mark.usefixtures("db_session")
def test_more_lectures_page_by_page(client: FlaskClient) -> None:
    made = {lecture.slug for lecture in _make_matches(45)}
    html = _search(client, "tawhid")
    first = _group(html, "lectures")
    assert len(first) == LECTURE_LIMIT
    assert 'Lectures <span class="count">45</span>' in html
    seen = list(first)
    while True:
        more = re.search(r'<a class="button more-link" href="([^"]+)"', html)
        if more is None:
            break
        href = more[1].replace("&amp;", "&")
        assert "q=tawhid" in href
        fragment = client.get(href, headers={"HX-Request": "true"})
        assert "<html" not in fragment.text
        assert "<section" not in fragment.text  # only the rows and the next button
        html = client.get(href).text  # the same page without JavaScript
        assert "<html" in html
        assert "Back to all results" in html
        rows = re.findall(ROW_LINK, html)
        assert rows == re.findall(ROW_LINK, fragment.text)
        assert "data-page-start" in html
        seen += rows
    assert len(seen) == len(set(seen)) == 45
    assert set(seen) == made


@pytest.mark.usefixtures("db_session")
@pytest.mark.parametrize("count", [10, 50])
def test_bounded_number_of_queries(
    client: FlaskClient, count_queries: Callable[[], Any], count: int
) -> None:
    _make_matches(count)
    make_scholar(name="Tawhid Scholar")
    make_series(title="Tawhid Series")
    with count_queries() as statements:
        html = _search(client, "tawhid")
    assert len(_group(html, "lectures")) == min(count, LECTURE_LIMIT)
    # the languages (once), scholars, series, lectures (with their rows)
    assert len(statements) == 4, statements


# --- The SQL and Python rules agree ---------------------------------------------------------

SAMPLES = [
    "المُقَدِّمَة",
    "الحَنِيفِيَّة مِلَّةُ إِبْرَاهِيم",
    "تفسير سورة النبأ، والنازعات؛ لماذا؟",
    "ٱلرَّحْمَٰن آمنوا أُولئك إِلى مستشفى",
    "المسـائل",
    "Shaykh ʿAbd al-Raḥmān al-Nāṣirī",
    "Yūsuf ibn Aḥmad al-Hāshimī",
    "Uthaymeen Uthaimin ʿUthaymīn",
    "Ibn Baaz / Ibn Baz",
    "Qur'ān Qur’an Qurʾan",
    "Nawawiyyah NAWAWIYA",
    "Ḍuḥā ẒUHR Ṭahārah ṢALĀH",
    "Shaykh Sālim al-Kindī (الشيخ سالم الكندي)",
    "Crème brûlée – Ærø Łódź Øre ß ı",
    "a\u0304 decomposed ḥ",
    "coffee, moon, you, book-keeping",
    "tabs\tand\nlines\u00a0and  spaces",
    '!"#$%&()*+,-./:;<=>?@[\\]^_{|}~«»…',
    "",
    "سورۃ الکہف کی تفسیر",
]


@pytest.mark.usefixtures("db_session")
@pytest.mark.parametrize("sample", SAMPLES)
def test_sql_and_python_fold_agree(sample: str) -> None:
    row = db.session.execute(
        text("SELECT durus_fold(:s), durus_words(:s), durus_trigrams(:s)"), {"s": sample}
    ).one()
    assert row[0] == fold(sample)
    assert row[1] == words(sample)
    assert set(row[2]) == trigrams(sample)


@pytest.mark.usefixtures("db_session")
def test_sql_and_python_agree_on_every_listed_character() -> None:
    chars = sorted(set(FOLD_FROM + SEPARATORS + "abcdefghijklmnopqrstuvwxyz0123456789"))
    rows = db.session.execute(
        text(
            "SELECT c, durus_fold('x' || c || 'q'), durus_words('x' || c || 'q')"
            " FROM unnest(CAST(:cs AS text[])) AS c"
        ),
        {"cs": chars},
    ).all()
    assert len(rows) == len(chars)
    for char, folded, split in rows:
        assert (folded, split) == (fold(f"x{char}q"), words(f"x{char}q")), repr(char)


def test_fold_examples() -> None:
    assert fold("Uthaymeen") == fold("Uthaimin") == "uthaimin"
    assert fold("Ibn Baaz") == fold("ibn baz") == "ibn baz"
    assert fold("ʿAbd al-Raḥmān") == "abd al-rahman"
    assert fold("المُقَدِّمَة") == "المقدمه"
    assert fold("إبراهيم أحمد آمنة ٱلله مستشفى") == "ابراهيم احمد امنه الله مستشفي"
    assert fold("Qur'ān") == fold("Quran") == "quran"
    assert words("al-Nāṣirī، الشيخ؟") == ["al", "nasiri", "الشيخ"]
    assert trigrams("Baz") == {"  b", " ba", "baz", "az "}


def test_the_trigram_probe_never_misses_a_similar_title() -> None:
    """Whatever the probe leaves out, a title with SIMILAR of the query's trigrams holds one
    of those it looks up (else the index would not find it)."""
    rng = random.Random(10)
    texts = [
        synthetic_text.description(rng, code, synthetic_text.arabic_with_diacritics(rng, code))
        for code in ("ar", "en", "ur", "fr") * 25
    ]
    vocabulary = sorted({w for t in texts for w in words(t)} | {"al", "ibn", "fi", "x"})
    checked = 0
    for _ in range(3000):
        query = " ".join(rng.sample(vocabulary, rng.choice([1, 1, 2, 3])))
        title = " ".join([*rng.sample(vocabulary, 4), _misspelt(rng, query)])
        if similarity(query, title) >= SIMILAR:
            checked += 1
            assert set(probe_trigrams(query)) & trigrams(title), (query, title)
    assert checked > 500
    assert " ال" not in probe_trigrams("الصلاة")  # the article's trigram is not looked up
    assert probe_trigrams("al") == sorted(trigrams("al") - {"  a"})  # too short to narrow


def _misspelt(rng: random.Random, query: str) -> str:
    letters = list(query)
    if letters and rng.random() < 0.7:
        letters[rng.randrange(len(letters))] = rng.choice("aeioubdt")
    return "".join(letters)


def _migration_0003() -> Any:
    path = Path(__file__).resolve().parents[2] / "migrations/versions/0003_search.py"
    spec = importlib.util.spec_from_file_location("durus_test_migration_0003", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.usefixtures("db_session")
def test_the_faster_folding_gives_what_the_first_one_gave() -> None:
    """0006 rewrote durus_fold and durus_words for speed; the stored search values and the
    users' trigram index rely on their results being the very ones of 0003."""
    rules = _migration_0003()
    old_fold = (
        "regexp_replace(replace(replace(replace("
        f"translate(s, {rules.FOLD_FROM}, {rules.FOLD_TO}), 'ee', 'i'), 'oo', 'u'), 'ou', 'u'),"
        " '([a-z])\\1+', '\\1', 'g')"
    )
    old_words = (
        f"array_remove(string_to_array(translate({old_fold}, {rules.SEPS}, {rules.SPACES}),"
        " ' '), '')"
    )
    special = "".join(rules.MAPPED) + rules.DROPPED + rules.SEPARATORS
    samples = [*SAMPLES, special, *(f"Ab{c}ba {c}x{c}{c}" for c in special)]
    rng = random.Random(6)
    for code in ("ar", "en", "ur", "id", "fr", "tr", "fa"):
        for _ in range(30):
            marked = synthetic_text.arabic_with_diacritics(rng, code)
            samples.append(synthetic_text.description(rng, code, marked))
    samples += ["".join(rng.choice(special + "abyزكَ  ") for _ in range(40)) for _ in range(300)]
    rows = db.session.execute(
        text(
            f"SELECT s, durus_fold(s) = {old_fold}, durus_words(s) = {old_words}"
            " FROM unnest(CAST(:samples AS text[])) AS s"
        ),
        {"samples": samples},
    ).all()
    assert len(rows) == len(samples) > 500
    assert [s for s, same_fold, same_words in rows if not (same_fold and same_words)] == []


@pytest.mark.usefixtures("db_session")
def test_search_functions_are_immutable_and_parallel_safe() -> None:
    rows = db.session.execute(
        text("SELECT proname, provolatile, proparallel FROM pg_proc WHERE proname LIKE 'durus\\_%'")
    ).all()
    names = {name for name, _v, _p in rows}
    assert {"durus_fold", "durus_words", "durus_trigrams", "durus_search_document"} <= names
    assert {(v, p) for _n, v, p in rows} == {("i", "s")}


# --- The indexes serve the queries ----------------------------------------------------------


def _plan(stmt: Select[Any]) -> str:
    compiled = stmt.compile(dialect=db.engine.dialect)
    connection = db.session.connection()
    rows = connection.exec_driver_sql(f"EXPLAIN {compiled.string}", compiled.params).all()
    return "\n".join(row[0] for row in rows)


# A catalogue of a few thousand scholars, series and lectures (one INSERT ... SELECT each), in
# which one row in a thousand is about tawhid.
TOPIC = (
    "CASE WHEN g % 1000 = 0 THEN 'tawhid'"
    " ELSE (ARRAY['prayer', 'fasting', 'charity', 'pilgrimage', 'patience'])[g % 5 + 1] END"
)
GENERATED = [
    f"""INSERT INTO scholars (slug, name, biography)
    SELECT 'generated-' || g, 'Scholar ' || g, 'Teaches ' || {TOPIC}
    FROM generate_series(1, 3000) AS g""",
    """INSERT INTO series (scholar_id, slug, title, language_code, state, published_at)
    SELECT id, slug, 'Series on ' || split_part(biography, ' ', 2), 'en', 'published', now()
    FROM scholars WHERE slug LIKE 'generated-%'""",
    """INSERT INTO lectures (scholar_id, slug, title, language_code, state, published_at,
                          audio_asset_id)
    SELECT id, slug, 'Lecture on ' || split_part(biography, ' ', 2), 'en', 'published', now(),
           :audio
    FROM scholars WHERE slug LIKE 'generated-%'""",
    # Statistics, as production has them (ANALYZE may run in a transaction, unlike VACUUM;
    # what it writes to pg_statistic rolls back with the test).
    "ANALYZE scholars",
    "ANALYZE series",
    "ANALYZE lectures",
    "SET LOCAL enable_seqscan = off",
]


@pytest.mark.usefixtures("db_session")
def test_the_gin_indexes_serve_the_search_queries() -> None:
    """The planner answers the search statements from the GIN indexes of the stored search
    columns."""
    audio = make_audio_asset().id
    for statement in GENERATED:
        db.session.execute(text(statement), {"audio": audio})
    plans = {
        "lectures": _plan(lecture_search("tawhid")),
        "series": _plan(series_search("tawhid")),
        "scholars": _plan(scholar_search("tawhid")),
    }
    for table, plan in plans.items():
        assert f"ix_{table}_search_document" in plan, plan
        assert f"ix_{table}_search_trigrams" in plan, plan
        assert "BitmapOr" in plan, plan
    rows = db.session.execute(lecture_search("tawhid")).all()
    assert sorted(row[0].slug for row in rows) == [
        "generated-1000",
        "generated-2000",
        "generated-3000",
    ]
