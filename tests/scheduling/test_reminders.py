from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection

from clinic.models import Notification
from clinic.services import notification_send, notifications_send_due
from scheduling import services
from scheduling.models import Appointment, ReminderSettings
from tests.factories import PatientFactory
from tests.scheduling.conftest import RestoringTransactionTestCase
from tests.scheduling.factories import AppointmentTypeFactory, provider_with_hours

BOOKED_AT = dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)
START = dt.datetime(2026, 3, 9, 14, tzinfo=dt.UTC)  # Monday 10 am in New York
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def appointment(patient, provider, phone_type) -> Appointment:
    with time_machine.travel(BOOKED_AT, tick=False):
        booked = services.book_appointment(patient=patient, provider=provider, appointment_type=phone_type, start=START)
        notifications_send_due()  # the confirmation, out of the way
    return booked


def scan_at(moment: dt.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return services.reminders_enqueue_due()


def send_due_at(moment: dt.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return notifications_send_due()


def reminders() -> list[Notification]:
    return list(Notification.objects.filter(kind="scheduling/reminder").order_by("pk"))


def test_nothing_before_the_moment_then_the_24_hour_reminder_once(appointment) -> None:
    assert scan_at(START - 25 * HOUR) == 0
    assert scan_at(START - 24 * HOUR) == 1
    assert scan_at(START - 24 * HOUR + dt.timedelta(minutes=1)) == 0
    mail.outbox.clear()
    assert send_due_at(START - 23 * HOUR) == 1
    assert send_due_at(START - 23 * HOUR) == 0
    assert len(mail.outbox) == 1
    assert "Reminder" in mail.outbox[0].subject
    assert reminders()[0].idempotency_key == f"reminder:{appointment.pk}:1440m:{START.isoformat()}"


def test_the_two_hour_reminder_follows(appointment) -> None:
    scan_at(START - 24 * HOUR)
    assert scan_at(START - 2 * HOUR) == 1
    assert scan_at(START - HOUR) == 0
    assert [n.idempotency_key.split(":")[2] for n in reminders()] == ["1440m", "120m"]


def test_two_claims_of_one_reminder_send_one_email(appointment) -> None:
    scan_at(START - 24 * HOUR)
    scan_at(START - 24 * HOUR)  # a second worker's scan
    (reminder,) = reminders()
    mail.outbox.clear()
    with time_machine.travel(START - 23 * HOUR, tick=False):
        outcomes = [notification_send(notification_id=reminder.pk).status for _ in range(2)]
    assert outcomes == ["sent", "skipped"]
    assert len(mail.outbox) == 1


def test_late_booking_gets_only_the_nearest_due_reminder(patient, provider, phone_type) -> None:
    with time_machine.travel(START - 3 * HOUR, tick=False):
        appointment = services.book_appointment(
            patient=patient, provider=provider, appointment_type=phone_type, start=START
        )
    assert scan_at(START - 3 * HOUR + dt.timedelta(minutes=1)) == 0  # booked after the 24-hour moment
    assert scan_at(START - 2 * HOUR) == 1
    assert reminders()[0].idempotency_key.startswith(f"reminder:{appointment.pk}:120m:")


def test_a_scan_after_an_outage_sends_only_the_nearest(appointment) -> None:
    assert scan_at(START - HOUR) == 1  # the 24-hour moment passed while the scan was down
    assert [n.idempotency_key.split(":")[2] for n in reminders()] == ["120m"]


def test_none_after_cancel(appointment, front_desk) -> None:
    scan_at(START - 24 * HOUR)
    # Cancelled (by staff, after the patients' cutoff) before the reminder went out: it is withdrawn.
    with time_machine.travel(START - 24 * HOUR, tick=False):
        services.appointment_cancel(appointment=appointment, by=front_desk)
    assert {n.status for n in reminders()} == {Notification.Status.CANCELLED}
    assert scan_at(START - 2 * HOUR) == 0
    mail.outbox.clear()
    send_due_at(START - HOUR)
    assert not [m for m in mail.outbox if "Reminder" in m.subject]


def test_a_reminder_queued_before_a_racing_cancel_is_not_sent(appointment) -> None:
    scan_at(START - 24 * HOUR)
    # A cancel that bypassed the service (say, a raw update) still cannot produce a reminder.
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancelled_at=START - 30 * HOUR)
    mail.outbox.clear()
    send_due_at(START - 23 * HOUR)
    assert mail.outbox == []
    assert reminders()[0].status == Notification.Status.CANCELLED


def test_reschedule_gets_fresh_reminders(appointment, front_desk) -> None:
    scan_at(START - 24 * HOUR)
    send_due_at(START - 24 * HOUR)
    new_start = START + 24 * HOUR
    with time_machine.travel(START - 20 * HOUR, tick=False):
        services.appointment_reschedule(appointment=appointment, new_start=new_start, by=front_desk)
    assert scan_at(START - 2 * HOUR) == 0, "no reminder for the old time"
    assert scan_at(new_start - 24 * HOUR) == 1
    assert scan_at(new_start - 2 * HOUR) == 1
    keys = [n.idempotency_key for n in reminders()]
    assert keys[1:] == [
        f"reminder:{appointment.pk}:1440m:{new_start.isoformat()}",
        f"reminder:{appointment.pk}:120m:{new_start.isoformat()}",
    ]


def test_reschedule_withdraws_a_pending_reminder_for_the_old_time(appointment, front_desk) -> None:
    scan_at(START - 24 * HOUR)
    with time_machine.travel(START - 24 * HOUR, tick=False):
        services.appointment_reschedule(appointment=appointment, new_start=START + 48 * HOUR, by=front_desk)
    assert reminders()[0].status == Notification.Status.CANCELLED


def test_offsets_come_from_the_admin_settings(appointment) -> None:
    ReminderSettings.objects.update_or_create(pk=1, defaults={"first_reminder_hours": 48, "second_reminder_hours": 0})
    assert scan_at(START - 48 * HOUR) == 1
    assert scan_at(START - 2 * HOUR) == 0
    assert reminders()[0].idempotency_key.split(":")[2] == "2880m"


def test_the_scan_is_a_periodic_task(appointment) -> None:
    from clinic.celery import app
    from scheduling.tasks import enqueue_due_reminders

    tasks = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert tasks["scheduling.tasks.enqueue_due_reminders"] <= 60
    with time_machine.travel(START - 24 * HOUR, tick=False):
        assert enqueue_due_reminders.delay().get() == 1


@pytest.mark.postgres
class TwoWorkersTests(RestoringTransactionTestCase):
    """Two workers scan and send at the same moment: one email."""

    def test_two_workers_send_one_reminder(self) -> None:
        appointment_type = AppointmentTypeFactory()
        provider = provider_with_hours(appointment_type)
        with time_machine.travel(BOOKED_AT, tick=False):
            services.book_appointment(
                patient=PatientFactory(), provider=provider, appointment_type=appointment_type, start=START
            )
        mail.outbox = []
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                barrier.wait()
                services.reminders_enqueue_due()
                notifications_send_due()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        with time_machine.travel(START - 24 * HOUR, tick=False):
            threads = [threading.Thread(target=worker) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert errors == []
        assert Notification.objects.filter(kind="scheduling/reminder").count() == 1
        assert [m.subject for m in mail.outbox if "Reminder" in m.subject] != []
        assert len([m for m in mail.outbox if "Reminder" in m.subject]) == 1
