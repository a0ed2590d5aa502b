"""The outbox against a real SMTP server in the test process (tools/faultsmtp.py): each fault at each step ends in
the right status, retries keep the Message-ID, a set-up fault raises one alert, and retries stop by age."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from clinic import services
from clinic.models import MailServerAlert, Notification
from tests.factories import UserFactory
from tools.faultsmtp import FaultSMTP

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_server(settings):
    server = FaultSMTP().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 2
    yield server
    server.stop()


def _enqueue(key: str = "k1") -> Notification:
    return services.notification_enqueue(kind="clinic/set_password", idempotency_key=key, recipient=UserFactory())


def _send(notification: Notification) -> str:
    return services.notification_send(notification_id=notification.pk).status


def _later(minutes: float):
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def test_a_delivered_email_carries_the_message_id_stored_when_it_was_queued(smtp_server) -> None:
    notification = _enqueue()
    assert notification.message_id.endswith("@clinic.example>")
    assert _send(notification) == "sent"
    (received,) = smtp_server.messages()
    assert received.message_id == notification.message_id
    assert received.to == notification.to_email
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 1)


def test_the_sink_reads_a_long_non_ascii_subject_as_mail_apps_show_it(smtp_server) -> None:
    """Django folds such a subject onto its own line; ``make faulttest`` counts confirmations by the subject's start,
    so a leading space once made every confirmation look lost."""
    from django.core.mail import EmailMessage

    subject = "Your appointment is booked: Tuesday, December 1, 2026 at 7:00 AM (Eastern Time – New York)"
    EmailMessage(subject, "body", "clinic@example.org", ["patient@example.org"]).send()
    (received,) = smtp_server.messages()
    assert received.subject == subject


REPLIES = {421: "421 4.3.2 Service not available", 451: "451 4.7.1 Try again later", 550: "550 5.7.1 Refused"}
SETUP_STEPS = ("greeting", "ehlo", "auth", "mail")


def _expected(step: str, code: int) -> tuple[str, bool]:
    """(outcome, raises the set-up alert): only a 5xx at RCPT TO or DATA fails the email; a set-up fault alerts."""
    permanent = step in ("rcpt", "data") and code >= 500
    return ("failed" if permanent else "retry"), step in SETUP_STEPS


# 421, 451 and 550 at each step, and the other replies servers commonly give there.
CASES = [
    (step, REPLIES[code], *_expected(step, code)) for step in (*SETUP_STEPS, "rcpt", "data") for code in (421, 451, 550)
] + [
    ("greeting", "554 5.3.2 No service here", "retry", True),
    ("auth", "535 5.7.8 Credentials invalid", "retry", True),
    ("auth", "454 4.7.0 Temporary authentication failure", "retry", True),
    ("data", "554 5.6.0 Message refused", "failed", False),
]


CLIENT_STEP = {"greeting": "connect", "ehlo": "helo"}  # the sender's names for the server's steps


@pytest.mark.parametrize(("step", "reply", "outcome", "alert"), CASES, ids=[f"{c[0]}-{c[1][:3]}" for c in CASES])
def test_each_reply_at_each_step(smtp_server, settings, step, reply, outcome, alert) -> None:
    if step == "auth":
        settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "clinic", "secret"
    smtp_server.fail_at(step, reply)
    notification = _enqueue()
    assert _send(notification) == outcome
    notification.refresh_from_db()
    assert notification.last_error == f"{CLIENT_STEP.get(step, step)} {reply[:3]}"
    assert MailServerAlert.objects.filter(cleared_at__isnull=True).exists() is alert
    assert smtp_server.messages() == []
    if outcome == "failed":
        assert notification.status == Notification.Status.FAILED and notification.failed_at is not None
        return
    # A temporary fault is retried, and the retry carries the same Message-ID.
    assert notification.status == Notification.Status.PENDING
    smtp_server.heal()
    with _later(2):
        assert _send(notification) == "sent"
    (received,) = smtp_server.messages()
    assert received.message_id == notification.message_id
    assert not MailServerAlert.objects.filter(cleared_at__isnull=True).exists(), "a delivery clears the alert"


def test_refused_connections_are_retried_with_one_alert_for_all_emails(smtp_server, caplog) -> None:
    smtp_server.refuse()
    first, second = _enqueue("a"), _enqueue("b")
    assert _send(first) == _send(second) == "retry"
    assert Notification.objects.get(pk=first.pk).last_error == "connect ConnectionRefusedError"
    alert = MailServerAlert.objects.get()
    assert (alert.step, alert.code, alert.failures, alert.cleared_at) == ("connect", None, 2, None)
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "alert" in errors[0].getMessage()
    assert first.to_email not in caplog.text and second.to_email not in caplog.text

    smtp_server.accept()
    with _later(2):
        assert services.notifications_send_due() == 2
    assert MailServerAlert.objects.get().cleared_at is not None
    assert len(smtp_server.messages()) == 2


def test_a_dropped_line_after_250_to_data_still_counts_as_sent(smtp_server) -> None:
    smtp_server.drop_after_accept = True  # no 221 to QUIT: the row was marked sent before QUIT
    notification = _enqueue()
    assert _send(notification) == "sent"
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.SENT
    assert len(smtp_server.messages()) == 1


def test_a_line_dropped_before_the_250_is_retried_and_the_copy_shares_the_message_id(smtp_server) -> None:
    smtp_server.drop_before_reply = True  # the server has the message, the sender never hears so
    notification = _enqueue()
    assert _send(notification) == "retry"
    smtp_server.heal()
    with _later(2):
        assert _send(notification) == "sent"
    first, second = smtp_server.messages()
    assert first.message_id == second.message_id == notification.message_id


def test_retries_follow_the_backoff_until_the_email_is_too_old(smtp_server, settings) -> None:
    settings.NOTIFICATION_RETRY_HOURS = 24
    smtp_server.fail_at("rcpt", "451 4.7.1 Try again later")
    start = timezone.now()
    waits = []
    now = start
    with time_machine.travel(start, tick=False) as clock:
        notification = _enqueue()
        while (outcome := services.notification_send(notification_id=notification.pk)).status == "retry":
            waits.append(round((outcome.retry_at - now).total_seconds()))
            now = outcome.retry_at
            clock.move_to(now)
    assert outcome.status == "failed"
    assert waits[:7] == [60, 120, 240, 480, 960, 1920, 3600]  # doubling from a minute, capped at an hour
    assert set(waits[7:-1]) == {3600}
    assert now == start + timedelta(hours=24), "the last try is at the end of the window"
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == len(waits) + 1 > 5  # no fixed cap of five attempts


def test_a_failure_for_good_is_logged_at_error_with_its_id_only(smtp_server, caplog) -> None:
    smtp_server.fail_at("rcpt", "550 5.1.1 No such user")
    notification = _enqueue()
    assert _send(notification) == "failed"
    (error,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert str(notification.pk) in error.getMessage()
    assert notification.to_email not in caplog.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_send_each_email_once(smtp_server) -> None:
    from django.db import connection

    user = UserFactory()
    # Created directly: enqueueing in autocommit mode would hand them to a worker at once.
    for n in range(20):
        Notification.objects.create(
            kind="clinic/set_password", idempotency_key=f"sweep-{n}", recipient=user, to_email=user.email
        )
    barrier = threading.Barrier(2)
    sent: list[int] = []

    def sweep() -> None:
        barrier.wait()
        try:
            sent.append(services.notifications_send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent) == 20
    ids = [m.notification_id for m in smtp_server.messages()]
    assert len(ids) == len(set(ids)) == 20
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 20
