"""Search as patients type it: ranking (title, then summary, then body) and the synonym table.

These run on whichever database the suite uses; tests/education/test_search_postgres.py adds the full-text
specifics.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from education import selectors, shipped_articles
from education.search import MAX_CONCEPTS, SYNONYMS, Concept, light_stem, parse_query
from tests.education.factories import ArticleFactory

SEARCH = reverse("education:search")
WHY_WE_SCREEN = "Why we screen blood pressure"


def _titles(query: str) -> list[str]:
    return [article.title for article in selectors.article_search(query=query)]


@pytest.mark.django_db
def test_title_ranks_above_summary_above_body() -> None:
    # Alphabetical order is the reverse of the expected one, so a title sort cannot pass by accident.
    ArticleFactory(title="A body match", summary="Nothing here.", body="Your pressure is checked.")
    ArticleFactory(title="B summary match", summary="About pressure.", body="Nothing here.")
    ArticleFactory(title="C pressure in the title", summary="Nothing here.", body="Nothing here.")
    ArticleFactory(title="D unrelated", summary="Nothing here.", body="Nothing here.")
    assert _titles("pressure") == ["C pressure in the title", "B summary match", "A body match"]


def test_one_title_match_outweighs_every_lower_match() -> None:
    weights = dict(selectors._FIELD_WEIGHTS)
    assert MAX_CONCEPTS * weights["summary"] < weights["title"]
    assert MAX_CONCEPTS * weights["body"] < weights["summary"]


@pytest.mark.django_db
def test_more_words_in_the_title_rank_higher() -> None:
    ArticleFactory(title="A blood tests", summary="Blood pressure too.", body="Text.")
    ArticleFactory(title="B blood pressure", summary="Text.", body="Text.")
    assert _titles("blood pressure") == ["B blood pressure", "A blood tests"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("blood pressure", WHY_WE_SCREEN),
        ("BP", WHY_WE_SCREEN),
        ("high blood pressure", WHY_WE_SCREEN),
        ("side effect", "Side effects and risks"),
        ("side effects", "Side effects and risks"),
        ("Spravato", "Esketamine, cost and insurance"),
    ],
)
def test_shipped_articles_rank_as_a_patient_expects(query: str, first: str) -> None:
    shipped_articles.load_all()
    titles = _titles(query)
    assert titles, f"nothing found for {query!r}"
    assert titles[0].startswith(first), titles


@pytest.mark.django_db
def test_search_page_puts_why_we_screen_first(anon_client: Client) -> None:
    shipped_articles.load_all()
    html = anon_client.get(SEARCH, {"q": "blood pressure"}).content.decode()
    results = html.split("articles found")[1]
    first = results.split("<h3")[1]
    assert WHY_WE_SCREEN in first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("BP", "Your blood pressure is checked.", "blood pressure"),
        ("high blood pressure", "Hypertension needs care.", "Hypertension"),
        ("side effect", "Adverse effects are rare.", "Adverse effect"),
        ("side-effects", "Most side effects pass.", "side effects"),
        ("Spravato", "Esketamine is a nasal spray.", "Esketamine"),
    ],
)
def test_synonyms_find_the_articles_wording(anon_client: Client, query: str, text: str, marked: str) -> None:
    ArticleFactory(title="Match", summary=text, body="Body.")
    ArticleFactory(title="Other", summary="Nothing relevant.", body="Body.")
    html = anon_client.get(SEARCH, {"q": query}).content.decode()
    assert "1 article found" in html
    # The plain backend marks the phrase, PostgreSQL each word of it.
    assert f"<mark>{marked}</mark>" in html.replace("</mark> <mark>", " ") or f"<mark>{marked.split()[0]}" in html


@pytest.mark.django_db
def test_other_forms_of_a_word_are_found(anon_client: Client) -> None:
    # The search page suggests "driving"; the articles say "drive".
    ArticleFactory(title="After a session", summary="Rest.", body="Do not drive until the next day.")
    ArticleFactory(title="Other", summary="Nothing relevant.", body="Body.")
    html = anon_client.get(SEARCH, {"q": "driving"}).content.decode()
    assert "1 article found" in html
    assert "<mark>drive</mark>" in html


@pytest.mark.django_db
def test_synonyms_combine_with_other_words() -> None:
    ArticleFactory(title="Esketamine cost", summary="What it costs.", body="Body.")
    ArticleFactory(title="Esketamine dosing", summary="How much.", body="Body.")
    assert _titles("spravato cost") == ["Esketamine cost"]


@pytest.mark.django_db
def test_quoted_phrases_and_exclusions() -> None:
    ArticleFactory(title="Driving", body="Your blood pressure and driving.")
    ArticleFactory(title="Pressure", body="Your blood pressure is measured.")
    ArticleFactory(title="Blood tests", body="Blood tests, and pressure on the arm.")
    assert _titles('"blood pressure" -driving') == ["Pressure"]


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1, 25])
def test_search_with_synonyms_query_count(anon_client: Client, django_assert_num_queries, size: int) -> None:
    for _ in range(size):
        ArticleFactory(summary="Blood pressure and side effects.", body="Esketamine. Blood pressure rises.")
    with django_assert_num_queries(2):  # count, page
        response = anon_client.get(SEARCH, {"q": "BP side effects spravato"})
    assert f"{size} article" in response.content.decode()


# The query's parts (pure) ------------------------------------------------------------------------


def test_parse_recognises_synonyms_in_any_case_and_with_hyphens() -> None:
    parsed = parse_query("Side-Effects of SPRAVATO")
    assert parsed.synonyms == (
        Concept(("side effects", *SYNONYMS["side effects"])),
        Concept(("spravato", "esketamine")),
    )
    assert parsed.remainder == "of"
    assert parsed.rest == ()  # "of" narrows nothing


def test_parse_prefers_the_longest_phrase() -> None:
    parsed = parse_query("high blood pressure")
    assert parsed.synonyms == (Concept(("high blood pressure", "blood pressure", "hypertension")),)
    assert parsed.rest == ()


def test_parse_leaves_exclusions_words_and_phrases_alone() -> None:
    parsed = parse_query('-bp "side effects" bpm')
    assert parsed.synonyms == ()
    assert parsed.rest == (
        Concept(("bp",), exclude=True),
        Concept(("side effects",)),
        Concept(("bpm",)),
    )
    assert parsed.remainder == '-bp "side effects" bpm'


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("driving", "driv"),
        ("screening", "screen"),
        ("costs", "cost"),
        ("therapies", "therap"),
        ("treated", "treat"),
        ("bring", "bring"),
        ("used", "used"),
        ("loss", "loss"),
        ("analysis", "analysis"),
        ("bp", "bp"),
    ],
)
def test_light_stem(word: str, stem: str) -> None:
    assert light_stem(word) == stem


def test_highlights_are_longest_first_and_skip_exclusions() -> None:
    assert parse_query("bp -driving").highlights == ["blood pressure", "bp"]
