"""Every registered email renders, and none breaks the content rule."""

from __future__ import annotations

import pytest
from django.core import mail

from clinic import services
from clinic.notifications import forbidden_words_in
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["clinic/password_reset", "clinic/set_password", "clinic/account_exists"])
def test_core_emails_render_without_clinical_words(kind: str) -> None:
    patient = PatientFactory(preferred_name="Robin")
    notification = services.notification_enqueue(kind=kind, idempotency_key=kind, recipient=patient.user)
    assert services.notification_send(notification_id=notification.pk).status == "sent"
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "Hello Robin" in message.body
    assert forbidden_words_in(message.subject + message.body + html) == []
    assert "http://testserver/" in message.body


def test_verification_email_renders() -> None:
    user = UserFactory(is_active=False)
    notification = services.notification_enqueue(kind="clinic/verify_email", idempotency_key="v", recipient=user)
    services.notification_send(notification_id=notification.pk)
    assert "/account/verify/" in mail.outbox[0].body
    assert forbidden_words_in(mail.outbox[0].body) == []
