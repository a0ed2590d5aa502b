from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from clinic.models import Notification
from scheduling import services
from scheduling.exceptions import BookingError, InvalidSlot, SlotUnavailable
from scheduling.models import Appointment
from scheduling.selectors import available_slots

NOW = dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)  # Thursday
MONDAY_10AM_NY = dt.datetime(2026, 3, 9, 14, tzinfo=dt.UTC)  # EDT (UTC-4) after 8 March


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def book(patient, provider, appointment_type, start=MONDAY_10AM_NY, **kwargs):
    return services.book_appointment(
        patient=patient, provider=provider, appointment_type=appointment_type, start=start, **kwargs
    )


def test_books_an_open_slot_and_queues_the_confirmation(
    patient, provider, phone_type, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, provider, phone_type)

    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.end == MONDAY_10AM_NY + dt.timedelta(minutes=15)
    assert Notification.objects.filter(kind="scheduling/confirmation", recipient=patient.user).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][0].endswith(".ics")


def test_second_booking_of_the_same_slot_is_refused(patient, other_patient, provider, phone_type) -> None:
    book(patient, provider, phone_type)
    with pytest.raises(SlotUnavailable):
        book(other_patient, provider, phone_type)
    assert Appointment.objects.count() == 1


def test_same_idempotency_key_returns_the_first_appointment(
    patient, provider, phone_type, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = book(patient, provider, phone_type, idempotency_key="form-123")
        again = book(patient, provider, phone_type, idempotency_key="form-123")
    assert again.pk == first.pk
    assert Appointment.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "start",
    [
        NOW - dt.timedelta(hours=1),  # past
        MONDAY_10AM_NY + dt.timedelta(minutes=7),  # off the grid
        dt.datetime(2026, 3, 9, 23, tzinfo=dt.UTC),  # 7 pm, after hours
        dt.datetime(2026, 3, 8, 14, tzinfo=dt.UTC),  # Sunday
    ],
)
def test_a_start_that_was_never_open_is_refused(patient, provider, phone_type, start) -> None:
    with pytest.raises(SlotUnavailable) as excinfo:
        book(patient, provider, phone_type, start=start)
    assert isinstance(excinfo.value, BookingError)
    assert excinfo.value.message
    assert not Appointment.objects.exists()


def test_naive_start_is_invalid(patient, provider, phone_type) -> None:
    with pytest.raises(InvalidSlot):
        book(patient, provider, phone_type, start=dt.datetime(2026, 3, 9, 14))


def test_booked_slot_disappears_from_available_slots(patient, provider, phone_type) -> None:
    day = dt.date(2026, 3, 9)
    before = available_slots(appointment_type=phone_type, start_date=day, end_date=day)
    book(patient, provider, phone_type)
    after = available_slots(appointment_type=phone_type, start_date=day, end_date=day)
    assert MONDAY_10AM_NY in [s.start for s in before]
    assert MONDAY_10AM_NY not in [s.start for s in after]
    assert len(after) == len(before) - 1
