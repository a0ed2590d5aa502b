"""Article history in admin: no phantom changes, who made each change, and the first published date."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from education import services
from education.models import Article
from tests.education.factories import DraftArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _change_form_data(article: Article, **overrides: str) -> dict[str, object]:
    """What the browser posts back for an unchanged change form (textareas come back with CRLF)."""
    sources = list(article.sources.all())
    data: dict[str, object] = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body.replace("\n", "\r\n"),
        "topics": [t.pk for t in article.topics.all()],
        "required_before_treatment": "on" if article.required_before_treatment else "",
        "reviewed_by": article.reviewed_by_id or "",
        "last_reviewed_on": article.last_reviewed_on.isoformat() if article.last_reviewed_on else "",
        "sources-TOTAL_FORMS": str(len(sources)),
        "sources-INITIAL_FORMS": str(len(sources)),
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "1000",
    }
    for i, source in enumerate(sources):
        data |= {
            f"sources-{i}-id": source.pk,
            f"sources-{i}-article": article.pk,
            f"sources-{i}-title": source.title,
            f"sources-{i}-publisher": source.publisher,
            f"sources-{i}-url": source.url,
            f"sources-{i}-order": source.order,
        }
    return {k: v for k, v in (data | overrides).items() if v != ""}


def test_saving_an_unchanged_article_records_no_body_change(staff_client_for, clinic_admin) -> None:
    article = DraftArticleFactory(body="## Heading\n\nFirst paragraph.\n\n- one\n- two")
    SourceFactory(article=article)
    client = staff_client_for(clinic_admin)
    url = reverse("admin:education_article_change", args=[article.pk])

    response = client.post(url, _change_form_data(article))

    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert "\r" not in article.body
    latest, previous = article.history.all()[:2]
    assert "body" not in latest.diff_against(previous).changed_fields
    assert "Body" not in LogEntry.objects.get(object_id=str(article.pk)).get_change_message()
    history = client.get(reverse("admin:education_article_history", args=[article.pk])).content.decode()
    assert "<strong>Body:</strong>" not in history


def test_a_real_edit_still_records_the_body_change(staff_client_for, clinic_admin) -> None:
    article = DraftArticleFactory(body="Old text.")
    client = staff_client_for(clinic_admin)
    url = reverse("admin:education_article_change", args=[article.pk])

    client.post(url, _change_form_data(article, body="New text.\r\n\r\nSecond line."))

    article.refresh_from_db()
    assert article.body == "New text.\n\nSecond line."
    latest, previous = article.history.all()[:2]
    assert latest.diff_against(previous).changed_fields == ["body"]


def test_line_endings_are_normalised_on_every_save() -> None:
    article = DraftArticleFactory(body="One\r\ntwo\rthree")
    article.refresh_from_db()
    assert article.body == "One\ntwo\nthree"


def test_history_shows_who_made_each_change(staff_client_for, clinic_admin, clinician) -> None:
    article = DraftArticleFactory(body="Text.")
    admin_client = staff_client_for(clinic_admin)
    admin_client.post(
        reverse("admin:education_article_change", args=[article.pk]), _change_form_data(article, summary="Edited.")
    )
    admin_client.post(
        reverse("admin:education_article_changelist"), {"action": "publish", "_selected_action": [article.pk]}
    )
    clinician_client = staff_client_for(clinician)
    clinician_client.post(
        reverse("admin:education_article_change", args=[article.pk]), _change_form_data(article, body="Reviewed.")
    )

    edited, published, reviewed = article.history.order_by("history_date", "history_id")[1:]
    assert edited.history_user == clinic_admin
    assert (published.history_user, published.history_change_reason) == (clinic_admin, "Published")
    assert reviewed.history_user == clinician
    page = admin_client.get(reverse("admin:education_article_history", args=[article.pk])).content.decode()
    assert str(clinic_admin) in page
    assert str(clinician) in page


def test_republishing_keeps_the_first_published_date() -> None:
    article = DraftArticleFactory()
    first = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(first, tick=False):
        assert services.article_publish(article=article)
    with time_machine.travel(first + dt.timedelta(days=10), tick=False):
        assert services.article_unpublish(article=article)
    with time_machine.travel(first + dt.timedelta(days=20), tick=False):
        assert services.article_publish(article=article)
    article.refresh_from_db()
    assert article.is_published
    assert article.published_at == first
    assert article.updated_at == first + dt.timedelta(days=20)


def test_an_admin_save_of_a_demo_article_changes_nothing(staff_client_for, clinic_admin, clinician):
    from io import StringIO

    from education.demo import seed

    seed(stdout=StringIO())
    article = Article.objects.get(slug="why-we-screen-blood-pressure-and-substance-history")
    assert article.reviewed_by is None  # the demo invents no review

    staff_client_for(clinic_admin).post(
        reverse("admin:education_article_change", args=[article.pk]), _change_form_data(article)
    )

    latest, previous = article.history.all()[:2]
    assert latest.history_user == clinic_admin
    assert latest.diff_against(previous).changed_fields == []


def test_reverting_to_a_past_version_keeps_todays_status_and_review(staff_client_for, clinic_admin, clinician) -> None:
    """simple-history's revert loads a whole past version, read-only fields included: they stay as they are today."""
    article = DraftArticleFactory(body="Old draft text.")
    past = article.history.latest().history_id
    services.article_publish(article=article)
    services.article_mark_reviewed(article=article, reviewer=clinician)
    article.refresh_from_db()
    published_at, reviewed_on = article.published_at, article.last_reviewed_on
    client = staff_client_for(clinic_admin)
    url = reverse("admin:education_article_simple_history", args=[article.pk, past])

    response = client.post(url, _change_form_data(article, body="Old draft text."))

    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.body == "Old draft text."
    assert article.status == Article.Status.PUBLISHED
    assert (article.published_at, article.reviewed_by, article.last_reviewed_on) == (
        published_at,
        clinician,
        reviewed_on,
    )


def test_reverting_a_draft_keeps_it_unreviewed_and_unpublished(staff_client_for, clinic_admin, clinician) -> None:
    article = DraftArticleFactory(body="Text.")
    services.article_publish(article=article)
    services.article_mark_reviewed(article=article, reviewer=clinician)
    past = article.history.latest().history_id  # published and reviewed
    services.article_unpublish(article=article)
    Article.objects.filter(pk=article.pk).update(reviewed_by=None, last_reviewed_on=None, next_review_due=None)
    article.refresh_from_db()

    response = staff_client_for(clinic_admin).post(
        reverse("admin:education_article_simple_history", args=[article.pk, past]), _change_form_data(article)
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert (article.reviewed_by, article.last_reviewed_on) == (None, None)


def test_a_published_article_cannot_be_edited_to_carry_review_marks(staff_client_for, clinic_admin) -> None:
    article = DraftArticleFactory(body="Clean text.")
    services.article_publish(article=article)
    article.refresh_from_db()
    client = staff_client_for(clinic_admin)
    marked = "Clean text. [[check: dose?]]"

    response = client.post(
        reverse("admin:education_article_change", args=[article.pk]), _change_form_data(article, body=marked)
    )

    assert response.status_code == 200
    assert "[[check: ...]]" in response.content.decode()
    article.refresh_from_db()
    assert article.body == "Clean text."


def test_reverting_a_published_article_to_a_marked_version_is_refused(staff_client_for, clinic_admin) -> None:
    article = DraftArticleFactory(body="Imported. [[check: dose?]]")
    past = article.history.latest().history_id
    article.body = "Imported, checked."
    article.save()
    services.article_publish(article=article)
    article.refresh_from_db()

    response = staff_client_for(clinic_admin).post(
        reverse("admin:education_article_simple_history", args=[article.pk, past]),
        _change_form_data(article, body="Imported. [[check: dose?]]"),
    )

    assert response.status_code == 200
    article.refresh_from_db()
    assert article.body == "Imported, checked."
    assert article.is_published


def test_a_draft_can_still_be_saved_with_review_marks(staff_client_for, clinic_admin) -> None:
    article = DraftArticleFactory(body="Imported.")
    response = staff_client_for(clinic_admin).post(
        reverse("admin:education_article_change", args=[article.pk]),
        _change_form_data(article, body="Imported. [[check: dose?]]"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert "[[check: dose?]]" in article.body
