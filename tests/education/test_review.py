"""Clinical review of articles: who reviewed, when, and when the next review falls due."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.forms import modelform_factory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from education import selectors, services
from education.models import Article
from tests.education.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)
NOW = "2026-11-30 15:00Z"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 11, 30), 12, dt.date(2027, 11, 30)),
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert services.add_months(day, months) == expected


def test_review_interval_is_a_year() -> None:
    assert services.REVIEW_INTERVAL_MONTHS == 12


def test_mark_reviewed_records_who_and_when_and_the_next_date(clinician) -> None:
    article = ArticleFactory(next_review_due=TODAY)
    services.article_mark_reviewed(article=article, reviewer=clinician, today=TODAY)
    article.refresh_from_db()
    assert article.reviewed_by == clinician
    assert article.last_reviewed_on == TODAY
    assert article.next_review_due == dt.date(2027, 11, 30)
    assert article.history.first().history_change_reason == "Marked reviewed"


@pytest.mark.parametrize("role", ["clinic_admin", "nurse", "front_desk"])
def test_only_a_clinician_can_be_the_reviewer(request: pytest.FixtureRequest, role: str) -> None:
    article = ArticleFactory()
    with pytest.raises(services.ReviewerNotClinician):
        services.article_mark_reviewed(article=article, reviewer=request.getfixturevalue(role))
    article.refresh_from_db()
    assert article.reviewed_by is None


def test_review_due_rule() -> None:
    never = ArticleFactory(title="Never reviewed", next_review_due=None)
    due_today = ArticleFactory(title="Due today", next_review_due=TODAY)
    overdue = ArticleFactory(title="Overdue", next_review_due=TODAY - dt.timedelta(days=40))
    current = ArticleFactory(title="Current", next_review_due=TODAY + dt.timedelta(days=1))
    assert set(selectors.articles_review_due(TODAY)) == {never, due_today, overdue}
    states = {a.title: a.review_due for a in selectors.articles_with_review_state(Article.objects.all(), TODAY)}
    assert states == {"Never reviewed": True, "Due today": True, "Overdue": True, "Current": False}
    assert current not in selectors.articles_review_due(TODAY)


def test_reviewed_by_offers_clinicians_only(clinician, clinic_admin, nurse, front_desk) -> None:
    form = modelform_factory(Article, fields=["reviewed_by"])()
    assert list(form.fields["reviewed_by"].queryset) == [clinician]


# Admin ---------------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_changelist_shows_due_column_and_filters_overdue(staff_client_for, clinician) -> None:
    ArticleFactory(title="Overdue article", next_review_due=TODAY - dt.timedelta(days=3))
    ArticleFactory(title="Current article", next_review_due=TODAY + dt.timedelta(days=90))
    client = staff_client_for(clinician)
    url = reverse("admin:education_article_changelist")
    page = client.get(url).content.decode()
    assert "Next review" in page
    assert "<strong>Due</strong> (27 Nov 2026)" in page
    assert "28 Feb 2027" in page
    due = client.get(url, {"review": "due"}).content.decode()
    assert "Overdue article" in due
    assert "Current article" not in due
    current = client.get(url, {"review": "current"}).content.decode()
    assert "Current article" in current
    assert "Overdue article" not in current


def test_reviewed_by_filter_offers_clinicians_only(staff_client_for, clinician, clinic_admin) -> None:
    clinician.first_name, clinician.last_name = "Maya", "Chen"
    clinician.save()
    clinic_admin.first_name, clinic_admin.last_name = "Alex", "Admin"
    clinic_admin.save()
    ArticleFactory()
    page = staff_client_for(clinic_admin).get(reverse("admin:education_article_changelist")).content.decode()
    filters = page.split('id="changelist-filter"')[1]
    assert clinician.email in filters or "Maya" in filters
    assert clinic_admin.email not in filters and "Alex Admin" not in filters


@time_machine.travel(NOW, tick=False)
def test_clinician_marks_selected_articles_reviewed(staff_client_for, clinician) -> None:
    articles = [ArticleFactory(next_review_due=TODAY), ArticleFactory(next_review_due=None)]
    response = staff_client_for(clinician).post(
        reverse("admin:education_article_changelist"),
        {"action": "mark_reviewed", "_selected_action": [a.pk for a in articles]},
        follow=True,
    )
    assert "Marked 2 article(s) reviewed by you; next review 30 Nov 2027." in response.content.decode()
    for article in articles:
        article.refresh_from_db()
        assert (article.reviewed_by, article.last_reviewed_on) == (clinician, TODAY)
        assert article.next_review_due == dt.date(2027, 11, 30)


def test_clinic_admin_is_told_only_clinicians_review(staff_client_for, clinic_admin) -> None:
    article = ArticleFactory()
    response = staff_client_for(clinic_admin).post(
        reverse("admin:education_article_changelist"),
        {"action": "mark_reviewed", "_selected_action": [article.pk]},
        follow=True,
    )
    assert "Only a clinician can mark an article reviewed" in response.content.decode()
    article.refresh_from_db()
    assert article.reviewed_by is None


@time_machine.travel(NOW, tick=False)
def test_mark_reviewed_button_on_the_change_page(staff_client_for, clinician) -> None:
    article = ArticleFactory(next_review_due=None)
    client = staff_client_for(clinician)
    change = client.get(reverse("admin:education_article_change", args=[article.pk])).content.decode()
    url = reverse("admin:education_article_mark_reviewed", args=[article.pk])
    assert url in change
    assert "Mark reviewed by me" in change
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("admin:education_article_change", args=[article.pk])
    article.refresh_from_db()
    assert (article.reviewed_by, article.last_reviewed_on) == (clinician, TODAY)


@pytest.mark.parametrize("role", ["front_desk", "nurse"])
def test_staff_without_change_permission_cannot_mark_reviewed(
    request: pytest.FixtureRequest, staff_client_for, role: str
) -> None:
    article = ArticleFactory()
    client = staff_client_for(request.getfixturevalue(role))
    assert client.post(reverse("admin:education_article_mark_reviewed", args=[article.pk])).status_code == 403
    article.refresh_from_db()
    assert article.reviewed_by is None


def test_anonymous_and_patient_are_sent_to_admin_login(anon_client, patient_client) -> None:
    article = ArticleFactory()
    url = reverse("admin:education_article_mark_reviewed", args=[article.pk])
    for client in (anon_client, patient_client):
        response = client.post(url)
        assert response.status_code == 302
        assert "login" in response.url
    article.refresh_from_db()
    assert article.reviewed_by is None


def test_mark_reviewed_on_a_missing_article_is_404(staff_client_for, clinician) -> None:
    url = reverse("admin:education_article_mark_reviewed", args=[999999])
    assert staff_client_for(clinician).post(url).status_code == 404


def test_changelist_query_count_does_not_grow(staff_client_for, clinician) -> None:
    client = staff_client_for(clinician)
    url = reverse("admin:education_article_changelist")

    def queries_with(total: int) -> int:
        while Article.objects.count() < total:
            article = ArticleFactory()
            SourceFactory(article=article)
            services.article_mark_reviewed(article=article, reviewer=clinician)
        client.get(url)  # warm the session and content-type caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(12)


# Patient page ----------------------------------------------------------------------------------------


def test_article_page_shows_full_citations(client) -> None:
    article = ArticleFactory()
    SourceFactory(
        article=article,
        authors="Anand A, Mathew SJ, Sanacora G, et al.",
        title="Ketamine versus ECT for nonpsychotic treatment-resistant major depression",
        publisher="N Engl J Med",
        year=2023,
        doi="10.1056/NEJMoa2302399",
        pmid="37224232",
    )
    SourceFactory(
        article=article, authors="Janssen Pharmaceuticals", title="SPRAVATO label", year=2025, url="https://x.test/"
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Anand A, Mathew SJ, Sanacora G, et al. <cite>" in html
    assert 'Janssen Pharmaceuticals. <a href="https://x.test/"' in html
    assert "<i>N Engl J Med</i>, 2023." in html
    assert 'href="https://doi.org/10.1056/NEJMoa2302399"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/37224232/"' in html


def test_unreviewed_article_page_claims_no_review(client, clinician) -> None:
    article = ArticleFactory(next_review_due=None)
    assert "Last reviewed" not in client.get(article.get_absolute_url()).content.decode()
    services.article_mark_reviewed(article=article, reviewer=clinician, today=TODAY)
    assert "Last reviewed 30 November 2026 by" in client.get(article.get_absolute_url()).content.decode()
