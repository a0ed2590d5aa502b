from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from education import selectors, services
from education.models import ArticleAcknowledgement
from tests.education.factories import AcknowledgementFactory, ArticleFactory, DraftArticleFactory

pytestmark = pytest.mark.django_db


def test_states_pending_acknowledged_outdated(patient, other_patient) -> None:
    pending = ArticleFactory(title="B pending", required_before_treatment=True)
    done = ArticleFactory(title="A done", required_before_treatment=True)
    outdated = ArticleFactory(title="C outdated", required_before_treatment=True)
    ArticleFactory(title="Not required")
    DraftArticleFactory(title="Draft", required_before_treatment=True)
    AcknowledgementFactory(patient=patient, article=done)
    AcknowledgementFactory(patient=patient, article=outdated)
    AcknowledgementFactory(patient=other_patient, article=pending)
    outdated.body += "\n\nA new safety paragraph."
    outdated.save()

    items = selectors.required_reading_status(patient)

    assert [(i.article.title, i.state) for i in items] == [
        ("A done", "acknowledged"),
        ("B pending", "pending"),
        ("C outdated", "outdated"),
    ]
    assert items[0].acknowledged_at is not None
    assert items[1].acknowledged_at is None
    assert not selectors.required_reading_complete(patient)


def test_selector_query_count_is_constant(patient, django_assert_num_queries) -> None:
    for _ in range(5):
        AcknowledgementFactory(patient=patient)
    with django_assert_num_queries(2):
        selectors.required_reading_status(patient)


def test_acknowledge_records_version_and_reacknowledge_updates(patient) -> None:
    article = ArticleFactory(required_before_treatment=True)
    with time_machine.travel("2026-01-05 10:00Z", tick=False):
        services.article_acknowledge(patient=patient, article=article)
    article.body = "Completely rewritten."
    article.save()
    assert selectors.required_reading_status(patient)[0].state == "outdated"
    with time_machine.travel("2026-02-01 10:00Z", tick=False):
        services.article_acknowledge(patient=patient, article=article)
    ack = ArticleAcknowledgement.objects.get()
    assert ack.version == article.version
    assert ack.acknowledged_at == dt.datetime(2026, 2, 1, 10, tzinfo=dt.UTC)
    assert selectors.required_reading_complete(patient)


def test_only_whitespace_changes_do_not_invalidate(patient) -> None:
    article = ArticleFactory(required_before_treatment=True, body="Line one.\nLine two.")
    services.article_acknowledge(patient=patient, article=article)
    article.body = "Line one.   \r\nLine two.\n"
    article.save()
    assert selectors.required_reading_status(patient)[0].state == "acknowledged"


@pytest.mark.parametrize("factory_kwargs", [{"required_before_treatment": False}, {"status": "draft"}])
def test_cannot_acknowledge_what_is_not_required(patient, factory_kwargs) -> None:
    article = DraftArticleFactory(required_before_treatment=True) if "status" in factory_kwargs else ArticleFactory()
    with pytest.raises(services.ArticleNotRequired):
        services.article_acknowledge(patient=patient, article=article)
    assert not ArticleAcknowledgement.objects.exists()
