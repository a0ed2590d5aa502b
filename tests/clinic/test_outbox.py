from __future__ import annotations

import smtplib
import threading
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from clinic import services, tasks
from clinic.celery import app as celery_app
from clinic.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _enqueue(user, key: str = "k1") -> Notification:
    return services.notification_enqueue(kind="clinic/set_password", idempotency_key=key, recipient=user)


def test_running_the_send_task_twice_sends_one_email() -> None:
    notification = _enqueue(UserFactory())
    tasks.send_notification(notification.pk)
    tasks.send_notification(notification.pk)
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.sent_at is not None
    assert notification.attempts == 1


def test_same_idempotency_key_gives_one_notification() -> None:
    user = UserFactory()
    assert _enqueue(user, "same").pk == _enqueue(user, "same").pk
    assert Notification.objects.count() == 1


def test_rolled_back_transaction_leaves_no_notification(on_commit) -> None:
    user = UserFactory()
    with on_commit(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _enqueue(user)
        raise RuntimeError("the change failed")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_email_goes_out_once_the_transaction_commits(on_commit) -> None:
    with on_commit(execute=True):
        _enqueue(UserFactory())
        assert mail.outbox == []
    assert len(mail.outbox) == 1


@pytest.fixture
def unreachable_broker():
    """Point Celery at a closed Redis port, as when Redis is down, and dispatch for real."""
    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False, broker_transport_options={})
    _reset_broker_pools()
    yield
    celery_app.conf.update(saved)
    _reset_broker_pools()


def _reset_broker_pools() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.__dict__.pop("amqp", None)


def test_broker_unreachable_change_commits_and_sweep_sends(on_commit, unreachable_broker) -> None:
    user = UserFactory()
    with on_commit(execute=True):
        notification = _enqueue(user)
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.PENDING
    assert mail.outbox == []

    assert tasks.send_due_notifications() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.SENT


def test_smtp_failure_is_retried_then_fails(settings) -> None:
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    notification = _enqueue(UserFactory())
    broken = mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=smtplib.SMTPServerDisconnected("down")
    )
    now = timezone.now()
    with broken:
        first = services.notification_send(notification_id=notification.pk)
        assert first.status == "retry"
        assert first.retry_at > now
        notification.refresh_from_db()
        assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
        assert notification.last_error == "SMTPServerDisconnected"
        # Not due yet: the sweep leaves it alone.
        assert services.notification_send(notification_id=notification.pk).status == "skipped"
        for attempt in (2, 3):
            with time_machine.travel(now + timedelta(hours=attempt), tick=False):
                outcome = services.notification_send(notification_id=notification.pk)
    assert outcome.status == "failed"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.FAILED, 3)
    assert mail.outbox == []


def test_transient_failure_then_success() -> None:
    notification = _enqueue(UserFactory())
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError):
        assert services.notification_send(notification_id=notification.pk).status == "retry"
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        assert tasks.send_due_notifications() == 1
    assert len(mail.outbox) == 1


def test_refused_recipient_fails_without_retry() -> None:
    notification = _enqueue(UserFactory())
    refused = smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"no such user")})
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=refused):
        assert services.notification_send(notification_id=notification.pk).status == "failed"


def test_obsolete_notification_is_cancelled_not_sent() -> None:
    user = UserFactory(is_active=True)
    notification = services.notification_enqueue(kind="clinic/verify_email", idempotency_key="verify", recipient=user)
    assert services.notification_send(notification_id=notification.pk).status == "cancelled"
    assert mail.outbox == []


def test_a_claimed_notification_is_not_sent_by_a_second_worker() -> None:
    notification = _enqueue(UserFactory())
    Notification.objects.filter(pk=notification.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    assert services.notification_send(notification_id=notification.pk).status == "skipped"
    assert tasks.send_due_notifications() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        # The lease expires, so a crashed worker's email still goes out.
        assert tasks.send_due_notifications() == 1


def test_cancel_withdraws_pending_only() -> None:
    user = UserFactory()
    pending, sent = _enqueue(user, "a"), _enqueue(user, "b")
    services.notification_send(notification_id=sent.pk)
    assert services.notifications_cancel(idempotency_keys=["a", "b"]) == 1
    pending.refresh_from_db()
    assert pending.status == Notification.Status.CANCELLED


def test_unknown_kind_is_refused_at_enqueue_time() -> None:
    with pytest.raises(LookupError):
        services.notification_enqueue(kind="nope/unknown", idempotency_key="x", recipient=UserFactory())


def test_email_has_text_and_html_and_the_clinic_footer() -> None:
    notification = _enqueue(UserFactory())
    services.notification_send(notification_id=notification.pk)
    message = mail.outbox[0]
    assert "Set your password" in message.subject
    assert message.alternatives[0][1] == "text/html"
    assert "988" in message.body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_sends_deliver_once() -> None:
    # Created directly: enqueueing in autocommit mode would send it at once.
    notification = Notification.objects.create(
        kind="clinic/set_password", idempotency_key="race", recipient=UserFactory()
    )
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def worker() -> None:
        from django.db import connection

        barrier.wait()
        try:
            outcomes.append(services.notification_send(notification_id=notification.pk).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("sent") == 1
    assert len(mail.outbox) == 1


def test_an_email_that_names_the_treatment_is_never_sent(settings) -> None:
    settings.CLINIC_EMAIL_NAME = "Ketamine Care"
    notification = _enqueue(UserFactory())
    assert services.notification_send(notification_id=notification.pk).status == "failed"
    notification.refresh_from_db()
    assert notification.last_error == "content_rule"
    assert mail.outbox == []


def test_system_check_refuses_a_treatment_word_in_the_email_name(settings) -> None:
    from clinic.checks import check_email_name

    settings.CLINIC_EMAIL_NAME = "Riverside Infusion Center"
    assert [e.id for e in check_email_name()] == ["clinic.E001"]
    settings.CLINIC_EMAIL_NAME = "Riverside Wellness"
    assert check_email_name() == []
