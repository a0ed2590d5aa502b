from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from education.models import ArticleAcknowledgement
from tests.education.factories import (
    AcknowledgementFactory,
    ArticleFactory,
    DraftArticleFactory,
    SourceFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("education:article-list")
SEARCH = reverse("education:search")
REQUIRED = reverse("education:required-reading")


def _make(topics: int, per_topic: int) -> list:
    made = []
    for _ in range(topics):
        topic = TopicFactory()
        for _ in range(per_topic):
            article = ArticleFactory(topics=[topic], body="Blood pressure goes up for a while.")
            SourceFactory(article=article)
            made.append(article)
    return made


# Index, topics, article ---------------------------------------------------------------------------


def test_index_groups_published_articles_by_topic(anon_client: Client) -> None:
    topic = TopicFactory(name="Safety and risks")
    ArticleFactory(title="Side effects", topics=[topic])
    DraftArticleFactory(title="Secret draft", topics=[topic])
    TopicFactory(name="Empty topic")
    response = anon_client.get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Safety and risks" in html
    assert "Side effects" in html
    assert "Secret draft" not in html
    assert "Empty topic" not in html
    assert '<link rel="canonical" href="http://testserver/learn/">' in html
    assert "<title>Learn about ketamine treatment" in html


def test_index_paginates_topics(anon_client: Client) -> None:
    _make(topics=8, per_topic=1)
    page2 = anon_client.get(LIST, {"page": 2})
    assert "Page 2 of 2" in page2.content.decode()
    assert anon_client.get(LIST, {"page": "999"}).status_code == 200
    assert anon_client.get(LIST, {"page": "abc"}).status_code == 200


@pytest.mark.parametrize(("topics", "per_topic"), [(1, 1), (9, 6)])
def test_index_query_count_is_constant(anon_client: Client, django_assert_num_queries, topics, per_topic) -> None:
    _make(topics, per_topic)
    with django_assert_num_queries(3):  # count, topics with counts, preview articles
        assert anon_client.get(LIST).status_code == 200


@pytest.mark.parametrize("size", [1, 30])
def test_topic_page_query_count_is_constant(anon_client: Client, django_assert_num_queries, size: int) -> None:
    topic = TopicFactory()
    for _ in range(size):
        ArticleFactory(topics=[topic])
    with django_assert_num_queries(3):  # topic, count, page of articles
        response = anon_client.get(topic.get_absolute_url())
    assert response.status_code == 200


def test_topic_page_lists_only_published(anon_client: Client) -> None:
    topic = TopicFactory(description="All about safety.")
    ArticleFactory(title="Visible", topics=[topic])
    DraftArticleFactory(title="Hidden", topics=[topic])
    html = anon_client.get(topic.get_absolute_url()).content.decode()
    assert "Visible" in html
    assert "Hidden" not in html
    assert '<meta name="description" content="All about safety.">' in html


def test_article_page_shows_body_sources_review_related_and_cta(anon_client: Client, clinician) -> None:
    topic = TopicFactory()
    article = ArticleFactory(
        title="After your infusion",
        summary="Rest and do not drive.",
        body="## Rest\n\nPlan a quiet day.",
        topics=[topic],
        reviewed_by=clinician,
        last_reviewed_on="2026-10-01",
    )
    SourceFactory(article=article, title="Seed title", publisher="Seed publisher", url="https://example.org/a")
    ArticleFactory(title="Related one", topics=[topic])
    ArticleFactory(title="Unrelated")
    html = anon_client.get(article.get_absolute_url()).content.decode()
    assert "<h2>Rest</h2>" in html
    assert "Seed title" in html
    assert "Seed publisher" in html
    assert "Last reviewed 1 October 2026 by" in html
    assert clinician.get_full_name() in html
    assert "Related one" in html
    assert "Unrelated" not in html
    assert 'href="/book/">Book a consultation</a>' in html
    assert '<meta name="description" content="Rest and do not drive.">' in html
    assert "<title>After your infusion ·" in html


def test_article_and_topic_text_is_set_at_a_readable_measure(anon_client: Client) -> None:
    # site.css's .prose limits a line to about 70 characters.
    topic = TopicFactory(description="A longer introduction to the topic, written as a sentence or two.")
    article = ArticleFactory(topics=[topic], summary="A summary.", body="A paragraph.")
    html = anon_client.get(article.get_absolute_url()).content.decode()
    assert '<div class="article-body prose"><p>A paragraph.</p>' in html
    assert '<p class="lead prose">A summary.</p>' in html
    topic_html = anon_client.get(topic.get_absolute_url()).content.decode()
    assert f'<p class="lead prose">{topic.description}</p>' in topic_html


def test_article_page_query_count(anon_client: Client, django_assert_num_queries) -> None:
    topic = TopicFactory()
    article = ArticleFactory(topics=[topic])
    for _ in range(5):
        SourceFactory(article=article)
        ArticleFactory(topics=[topic])
    with django_assert_num_queries(4):  # article, sources, topics, related
        anon_client.get(article.get_absolute_url())


def test_article_xss_is_cleaned_on_the_page(anon_client: Client) -> None:
    article = ArticleFactory(
        body='Hi <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror="alert(3)">'
    )
    html = anon_client.get(article.get_absolute_url()).content.decode()
    assert "alert(" not in html.split('class="article-body')[1].split("</div>")[0]


@pytest.mark.parametrize("path", ["/learn/no-such-article/", "/learn/topics/no-such-topic/"])
def test_unknown_slugs_give_404(anon_client: Client, path: str) -> None:
    assert anon_client.get(path).status_code == 404


def test_draft_article_gives_404(anon_client: Client) -> None:
    assert anon_client.get(DraftArticleFactory().get_absolute_url()).status_code == 404


@pytest.mark.parametrize("url", [LIST, SEARCH, "/learn/topics/x/", "/learn/x/"])
def test_public_pages_reject_post(anon_client: Client, url: str) -> None:
    assert anon_client.post(url).status_code == 405


# Search --------------------------------------------------------------------------------------------


def test_search_finds_and_highlights(anon_client: Client) -> None:
    ArticleFactory(title="Why we check blood pressure", summary="Ketamine raises blood pressure for a while.")
    ArticleFactory(title="Driving", summary="Do not drive.", body="Rest at home.")
    DraftArticleFactory(title="Draft about blood pressure")
    html = anon_client.get(SEARCH, {"q": "blood pressure"}).content.decode()
    assert "1 article found" in html
    assert "Why we check blood pressure" in html
    assert "<mark>blood</mark>" in html
    assert "Driving" not in html
    assert "Draft about" not in html


@pytest.mark.parametrize(
    "query",
    ["", "   ", "x" * 5000, "'; DROP TABLE education_article; --", "<script>alert(1)</script>", "%_\\", "a & b | !c"],
)
def test_search_handles_odd_queries_safely(anon_client: Client, query: str) -> None:
    ArticleFactory(title="Blood pressure")
    response = anon_client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert anon_client.get(LIST).status_code == 200  # the table is still there


def test_search_snippet_escapes_article_text(anon_client: Client) -> None:
    ArticleFactory(title="Odd", summary="<b>pressure</b> & more")
    html = anon_client.get(SEARCH, {"q": "pressure"}).content.decode()
    snippet = html.split('search-snippet">')[1].split("</p>")[0]
    assert "<mark>pressure</mark>" in snippet
    assert "<b>" not in snippet


def test_search_htmx_returns_the_partial(anon_client: Client) -> None:
    ArticleFactory(title="Blood pressure")
    response = anon_client.get(SEARCH, {"q": "blood"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"Blood pressure" in response.content


@pytest.mark.parametrize("size", [1, 25])
def test_search_query_count_is_constant(anon_client: Client, django_assert_num_queries, size: int) -> None:
    for _ in range(size):
        ArticleFactory(body="Blood pressure rises.")
    with django_assert_num_queries(2):  # count, page
        anon_client.get(SEARCH, {"q": "blood"})


# Required reading ----------------------------------------------------------------------------------


def test_required_reading_checklist_for_owner(patient_client: Client, patient, other_patient) -> None:
    done = ArticleFactory(title="Side effects and risks", required_before_treatment=True)
    ArticleFactory(title="After your infusion", required_before_treatment=True)
    AcknowledgementFactory(patient=patient, article=done)
    AcknowledgementFactory(
        patient=other_patient, article=ArticleFactory(title="Other", required_before_treatment=False)
    )
    html = patient_client.get(REQUIRED).content.decode()
    assert "Side effects and risks" in html
    assert "Read " in html
    assert "Not read yet" in html
    assert "Other" not in html


@pytest.mark.parametrize("size", [1, 12])
def test_required_reading_query_count_is_constant(
    patient_client: Client,
    patient,
    django_assert_num_queries,
    size: int,
) -> None:
    for _ in range(size):
        AcknowledgementFactory(patient=patient)
    with django_assert_num_queries(9):  # auth, session, patient lookups, acknowledgements, articles
        assert patient_client.get(REQUIRED).status_code == 200


def test_required_reading_anonymous_goes_to_login(anon_client: Client) -> None:
    response = anon_client.get(REQUIRED)
    assert response.status_code == 302
    assert response.url.startswith(reverse("clinic:login"))


def test_required_reading_staff_without_patient_profile_is_forbidden(staff_client_for, nurse) -> None:
    assert staff_client_for(nurse).get(REQUIRED).status_code == 403


def test_required_reading_rejects_post(patient_client: Client) -> None:
    assert patient_client.post(REQUIRED).status_code == 405


def test_patient_acknowledges(patient_client: Client, patient) -> None:
    article = ArticleFactory(required_before_treatment=True)
    response = patient_client.post(reverse("education:acknowledge", args=[article.slug]))
    assert response.status_code == 302
    assert response.url == REQUIRED
    assert ArticleAcknowledgement.objects.get().patient == patient


def test_acknowledge_only_for_self_and_required(patient_client: Client, other_patient) -> None:
    not_required = ArticleFactory()
    draft = DraftArticleFactory(required_before_treatment=True)
    for article in (not_required, draft):
        assert patient_client.post(reverse("education:acknowledge", args=[article.slug])).status_code == 404
    assert patient_client.post(reverse("education:acknowledge", args=["missing"])).status_code == 404
    assert not ArticleAcknowledgement.objects.exists()


def test_acknowledge_needs_login_and_post(anon_client: Client, patient_client: Client) -> None:
    article = ArticleFactory(required_before_treatment=True)
    url = reverse("education:acknowledge", args=[article.slug])
    assert anon_client.post(url).status_code == 302
    assert patient_client.get(url).status_code == 405
    assert not ArticleAcknowledgement.objects.exists()


def test_portal_panel_partial_renders(patient) -> None:
    from django.template.loader import render_to_string

    from education.selectors import required_reading_status

    ArticleFactory(title="After your infusion", required_before_treatment=True)
    html = render_to_string(
        "education/partials/required_reading_panel.html", {"required_reading": required_reading_status(patient)}
    )
    assert "After your infusion" in html
    assert "Not read yet" in html
    assert REQUIRED in html
