from __future__ import annotations

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
from tests.redis_faults import redis_at, refusing_server

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
    """Celery and the cache at a closed Redis port, as when Redis is down, with the production settings."""
    with refusing_server() as url, redis_at(url):
        yield


def test_broker_unreachable_change_commits_and_sweep_sends(on_commit, unreachable_broker) -> None:
    user = UserFactory()
    with on_commit(execute=True):
        notification = _enqueue(user)
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.PENDING
    assert mail.outbox == []

    assert tasks.send_due_notifications() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.SENT


def test_transient_failure_then_success() -> None:
    notification = _enqueue(UserFactory())
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionRefusedError):
        assert services.notification_send(notification_id=notification.pk).status == "retry"
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        assert tasks.send_due_notifications() == 1
    assert len(mail.outbox) == 1


def test_obsolete_notification_is_cancelled_not_sent() -> None:
    user = UserFactory(is_active=True)
    notification = services.notification_enqueue(kind="clinic/verify_email", idempotency_key="verify", recipient=user)
    assert services.notification_send(notification_id=notification.pk).status == "cancelled"
    assert mail.outbox == []


def test_a_claimed_notification_is_not_sent_by_a_second_worker() -> None:
    notification = _enqueue(UserFactory())
    now = timezone.now()
    # A worker claimed it and crashed: the lease (two minutes) keeps others off it, then the sweep sends it.
    Notification.objects.filter(pk=notification.pk).update(locked_until=now + timedelta(minutes=2))
    assert services.notification_send(notification_id=notification.pk).status == "skipped"
    assert tasks.send_due_notifications() == 0
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        assert tasks.send_due_notifications() == 0
    with time_machine.travel(now + timedelta(minutes=2, seconds=1), tick=False):
        assert tasks.send_due_notifications() == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == notification.message_id


def test_the_lease_is_about_two_minutes(settings) -> None:
    assert settings.NOTIFICATION_LEASE_SECONDS == 120
    notification = _enqueue(UserFactory())
    died = mock.patch("clinic.lib.smtp.deliver", side_effect=RuntimeError("worker died mid-send"))
    with died, pytest.raises(RuntimeError):
        services.notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.locked_until - timezone.now() <= timedelta(minutes=2)
    assert notification.locked_until - timezone.now() > timedelta(minutes=1, seconds=50)


def test_enqueue_stores_the_address_and_a_message_id_at_the_senders_domain(settings) -> None:
    settings.DEFAULT_FROM_EMAIL = "Riverside Clinic <no-reply@mail.riverside.example>"
    user = UserFactory()
    first, second = _enqueue(user, "a"), _enqueue(user, "b")
    assert first.to_email == user.email
    assert first.message_id.startswith("<") and first.message_id.endswith("@mail.riverside.example>")
    assert first.message_id != second.message_id


def test_beat_tasks_expire_after_one_period() -> None:
    from clinic.celery import beat_schedule

    schedule = celery_app.conf.beat_schedule
    assert schedule == beat_schedule(60)
    assert {entry["options"]["expires"] for entry in schedule.values()} == {60}


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
