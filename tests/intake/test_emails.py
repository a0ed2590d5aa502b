"""Screening emails carry a link and nothing clinical."""

from __future__ import annotations

import pytest
from django.core import mail

from clinic.notifications import forbidden_words_in
from clinic.services import notification_enqueue, notification_send
from intake import selectors, services
from tests.intake.answers import CSSRS_HIGH, clean_posts, save_step, submitted

pytestmark = pytest.mark.django_db

CLINICAL = ("PHQ", "C-SSRS", "suicid", "risk", "score", "flag", "cssrs", "approved", "declined", "blood pressure")


def _text(message: mail.EmailMessage) -> str:
    return message.subject + message.body + message.alternatives[0][0]


def test_news_email_has_a_link_and_nothing_clinical(patient, clinician, on_commit):
    screening = submitted(patient)
    with on_commit(execute=True):
        services.screening_decide(screening=screening, kind="declined", note="Uncontrolled hypertension", by=clinician)
    [message] = mail.outbox
    text = _text(message)
    assert forbidden_words_in(text) == []
    assert "http://testserver/portal/screening/" in message.body
    assert not any(word.lower() in text.lower() for word in CLINICAL)
    assert "hypertension" not in text.lower()


def test_alert_email_names_no_patient(patient, clinician, on_commit):
    services.screening_start(patient=patient)
    draft = selectors.draft_for_patient(patient=patient)
    save_step(draft, patient, "mood", clean_posts()["mood"] | {"phq9_9": "3"})
    with on_commit(execute=True):
        save_step(draft, patient, "safety", CSSRS_HIGH)
    [message] = mail.outbox
    text = _text(message)
    assert forbidden_words_in(text) == []
    assert (
        patient.legal_first_name not in text and patient.legal_last_name not in text and patient.user.email not in text
    )
    assert "/staff/screening-alerts/" in message.body
    assert not any(word.lower() in text.lower() for word in ("suicid", "C-SSRS", "risk"))


def test_news_for_someone_else_is_never_sent(patient, other_patient):
    screening = submitted(patient)
    notification = notification_enqueue(
        kind="intake/news", idempotency_key="x", recipient=other_patient.user, context={"screening_id": screening.pk}
    )
    assert notification_send(notification_id=notification.pk).status == "cancelled"
