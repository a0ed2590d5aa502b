from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from education import selectors, shipped_articles
from tests.education.factories import ArticleFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_full_text_search_ranks_and_highlights(anon_client: Client) -> None:
    ArticleFactory(title="Driving after treatment", body="Do not drive. Your blood pressure is checked too.")
    ArticleFactory(title="Blood pressure checks", body="We measure blood pressure before every session.")
    ArticleFactory(title="Unrelated", body="Bring a list of your medicines.")
    html = anon_client.get(reverse("education:search"), {"q": "blood pressure"}).content.decode()
    assert "2 articles found" in html
    assert html.index("Blood pressure checks") < html.index("Driving after treatment")  # title match ranks first
    assert "<mark>blood</mark>" in html.lower()
    assert "Unrelated" not in html


def test_stemming_and_websearch_syntax(anon_client: Client) -> None:
    ArticleFactory(title="Screening", body="We screen everyone before infusions.")
    html = anon_client.get(reverse("education:search"), {"q": 'screening "infusion" -nothing'}).content.decode()
    assert "1 article found" in html


@pytest.mark.parametrize("query", ["'; DROP TABLE x; --", "a & | ! :*", "<b>x</b>", "x" * 5000])
def test_odd_queries_are_safe(anon_client: Client, query: str) -> None:
    ArticleFactory(title="<b>bold</b> title", body="Some <b>text</b>.")
    response = anon_client.get(reverse("education:search"), {"q": query})
    assert response.status_code == 200
    assert "<b>x</b>" not in response.content.decode()


@pytest.mark.parametrize("size", [1, 25])
def test_search_query_count(
    anon_client: Client,
    django_assert_num_queries,
    size: int,
) -> None:
    for _ in range(size):
        ArticleFactory(body="Blood pressure rises.")
    with django_assert_num_queries(2):
        anon_client.get(reverse("education:search"), {"q": "blood"})


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("blood pressure", "Why we screen blood pressure"),
        ("BP", "Why we screen blood pressure"),
        ("high blood pressure", "Why we screen blood pressure"),
        ("side effect", "Side effects and risks"),
        ("Spravato", "Esketamine, cost and insurance"),
    ],
)
def test_full_text_ranks_the_shipped_articles(query: str, first: str) -> None:
    shipped_articles.load_all()
    results = list(selectors.article_search(query=query))
    assert results[0].title.startswith(first), [a.title for a in results]
    assert [a.rank for a in results] == sorted((a.rank for a in results), reverse=True)  # ts_rank, best first


def test_synonyms_keep_stemming_and_websearch_syntax() -> None:
    ArticleFactory(title="Esketamine cost", body="What it costs.")
    ArticleFactory(title="Esketamine dosing", body="How much. Driving after it.")
    ArticleFactory(title="Driving", body="Blood pressure and driving.")
    ArticleFactory(title="Checks", body="We measure blood pressure.")
    assert [a.title for a in selectors.article_search(query="spravato costing")] == ["Esketamine cost"]
    assert [a.title for a in selectors.article_search(query="BP -driving")] == ["Checks"]


@pytest.mark.parametrize("size", [1, 25])
def test_search_with_synonyms_query_count(anon_client: Client, django_assert_num_queries, size: int) -> None:
    for _ in range(size):
        ArticleFactory(summary="Blood pressure and side effects.", body="Esketamine. Blood pressure rises.")
    with django_assert_num_queries(2):
        response = anon_client.get(reverse("education:search"), {"q": "BP side effects spravato"})
    assert f"{size} article" in response.content.decode()
