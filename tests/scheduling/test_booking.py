from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from clinic.models import Notification, User
from scheduling import services
from scheduling.exceptions import (
    AppointmentNotActive,
    BookingError,
    ChangeCutoffPassed,
    InvalidSlot,
    SlotUnavailable,
    TimeBlockConflict,
)
from scheduling.models import Appointment
from scheduling.selectors import available_slots
from tests.scheduling.factories import AppointmentTypeFactory

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
    with pytest.raises(SlotUnavailable) as excinfo:
        book(other_patient, provider, phone_type)
    assert not isinstance(excinfo.value, InvalidSlot), "taken, not invalid: the page offers the nearest times"
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
    with pytest.raises(InvalidSlot) as excinfo:
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


# --- Visitors ---------------------------------------------------------------------------------------

VISITOR = {
    "legal_first_name": "Jamie",
    "legal_last_name": "Lee",
    "phone": "+16175550111",
    "date_of_birth": dt.date(1990, 1, 2),
    "time_zone": "America/Los_Angeles",
}


def test_visitor_with_a_new_email_gets_an_account_and_a_set_password_link(
    provider, phone_type, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.book_for_visitor(
            email="jamie@example.com", provider=provider, appointment_type=phone_type, start=MONDAY_10AM_NY, **VISITOR
        )
    patient = appointment.patient
    assert patient.user.email == "jamie@example.com"
    assert not patient.user.has_usable_password()
    assert patient.time_zone == "America/Los_Angeles"
    kinds = set(Notification.objects.filter(recipient=patient.user).values_list("kind", flat=True))
    assert kinds == {"clinic/set_password", "scheduling/confirmation"}
    assert len(mail.outbox) == 2


def test_visitor_with_an_existing_email_books_into_that_account_and_its_owner_is_told(
    patient, provider, phone_type, django_capture_on_commit_callbacks
) -> None:
    owner_name = (patient.legal_first_name, patient.legal_last_name, str(patient.phone))
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.book_for_visitor(
            email=patient.user.email.upper(),
            provider=provider,
            appointment_type=phone_type,
            start=MONDAY_10AM_NY,
            **VISITOR,
        )
    assert isinstance(appointment, Appointment)
    assert appointment.patient == patient
    patient.refresh_from_db()
    assert (patient.legal_first_name, patient.legal_last_name, str(patient.phone)) == owner_name, "no changes"
    assert list(Notification.objects.values_list("kind", flat=True)) == ["scheduling/booking_added"]
    assert mail.outbox[0].to == [patient.user.email]


def test_visitor_booking_a_taken_slot_creates_no_account(patient, provider, phone_type) -> None:
    book(patient, provider, phone_type)
    with pytest.raises(SlotUnavailable):
        services.book_for_visitor(
            email="late@example.com", provider=provider, appointment_type=phone_type, start=MONDAY_10AM_NY, **VISITOR
        )
    assert not User.objects.filter(email="late@example.com").exists()


def test_visitor_with_a_staff_email_books_nothing_and_tells_the_staff_member(front_desk, provider, phone_type) -> None:
    from clinic.models import Notification, Patient

    for _ in range(2):  # the same form sent twice: one email
        booked = services.book_for_visitor(
            email=front_desk.email.upper(),
            provider=provider,
            appointment_type=phone_type,
            start=MONDAY_10AM_NY,
            idempotency_key="k1",
            **VISITOR,
        )
        assert booked is None
    assert not Appointment.objects.exists()
    assert not Patient.objects.filter(user=front_desk).exists()
    (notification,) = Notification.objects.all()
    assert (notification.kind, notification.recipient) == ("scheduling/staff_email_used", front_desk)


# --- Reschedule, cancel, mark, block -------------------------------------------------------------------


def test_patient_reschedules_within_the_cutoff(patient, provider, phone_type) -> None:
    appointment = book(patient, provider, phone_type)
    new_start = MONDAY_10AM_NY + dt.timedelta(hours=2)
    moved = services.appointment_reschedule(appointment=appointment, new_start=new_start, by=patient.user)
    assert (moved.start, moved.end) == (new_start, new_start + dt.timedelta(minutes=15))
    assert moved.blocked_start == new_start
    assert Notification.objects.filter(kind="scheduling/rescheduled").count() == 1
    assert moved.history.count() == 2


def test_reschedule_to_the_same_slot_next_to_itself(patient, provider, phone_type) -> None:
    appointment = book(patient, provider, phone_type)
    moved = services.appointment_reschedule(
        appointment=appointment, new_start=MONDAY_10AM_NY + dt.timedelta(minutes=15), by=patient.user
    )
    assert moved.start == MONDAY_10AM_NY + dt.timedelta(minutes=15)


def test_reschedule_into_a_taken_slot_is_refused(patient, other_patient, provider, phone_type) -> None:
    appointment = book(patient, provider, phone_type)
    book(other_patient, provider, phone_type, start=MONDAY_10AM_NY + dt.timedelta(hours=1))
    with pytest.raises(SlotUnavailable):
        services.appointment_reschedule(
            appointment=appointment, new_start=MONDAY_10AM_NY + dt.timedelta(hours=1), by=patient.user
        )
    appointment.refresh_from_db()
    assert appointment.start == MONDAY_10AM_NY


def test_patient_cannot_change_after_the_cutoff_but_staff_can(patient, front_desk, provider, phone_type) -> None:
    appointment = book(patient, provider, phone_type)
    with time_machine.travel(MONDAY_10AM_NY - dt.timedelta(hours=23), tick=False):
        with pytest.raises(ChangeCutoffPassed):
            services.appointment_reschedule(
                appointment=appointment, new_start=MONDAY_10AM_NY + dt.timedelta(hours=1), by=patient.user
            )
        with pytest.raises(ChangeCutoffPassed):
            services.appointment_cancel(appointment=appointment, by=None)
        cancelled = services.appointment_cancel(appointment=appointment, by=front_desk, reason="Called in sick")
    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.cancelled_by == front_desk
    assert cancelled.cancel_reason == "Called in sick"


def test_cancel_twice_is_refused_and_frees_the_slot(patient, other_patient, provider, phone_type) -> None:
    appointment = book(patient, provider, phone_type)
    services.appointment_cancel(appointment=appointment, by=patient.user)
    with pytest.raises(AppointmentNotActive):
        services.appointment_cancel(appointment=appointment, by=patient.user)
    assert book(other_patient, provider, phone_type).start == MONDAY_10AM_NY
    assert Notification.objects.filter(kind="scheduling/cancelled").count() == 1


def test_mark_arrived_completed_and_no_show(patient, nurse, provider, phone_type) -> None:
    appointment = book(patient, provider, phone_type)
    Appointment.objects.filter(pk=appointment.pk).update(
        appointment_type=AppointmentTypeFactory(location_kind="in_clinic")
    )
    with pytest.raises(BookingError):
        services.appointment_mark(appointment=appointment, action="completed", by=nurse)  # not started yet
    with time_machine.travel(MONDAY_10AM_NY - dt.timedelta(minutes=5), tick=False):
        arrived = services.appointment_mark(appointment=appointment, action="arrived", by=nurse)
        assert arrived.arrived_at is not None
        with pytest.raises(BookingError):
            services.appointment_mark(appointment=appointment, action="arrived", by=nurse)
    with time_machine.travel(MONDAY_10AM_NY + dt.timedelta(minutes=20), tick=False):
        with pytest.raises(BookingError):
            services.appointment_mark(appointment=appointment, action="no_show", by=nurse)  # they came
        done = services.appointment_mark(appointment=appointment, action="completed", by=nurse)
    assert done.status == Appointment.Status.COMPLETED
    with pytest.raises(BookingError):
        services.appointment_mark(appointment=appointment, action="bogus", by=nurse)


def test_marks_follow_the_one_rule(patient, nurse, provider, phone_type) -> None:
    appointment = book(patient, provider, phone_type)
    with time_machine.travel(MONDAY_10AM_NY - dt.timedelta(days=1), tick=False):
        assert appointment.allowed_marks(timezone.now()) == []  # not on the day
    with time_machine.travel(MONDAY_10AM_NY - dt.timedelta(minutes=5), tick=False):
        assert appointment.allowed_marks(timezone.now()) == []  # a phone call has no arrival, and has not started
        with pytest.raises(BookingError, match="in the clinic"):
            services.appointment_mark(appointment=appointment, action="arrived", by=nurse)
    with time_machine.travel(MONDAY_10AM_NY + dt.timedelta(minutes=5), tick=False):
        assert appointment.allowed_marks(timezone.now()) == ["completed", "no_show"]
    with time_machine.travel(MONDAY_10AM_NY + dt.timedelta(days=1), tick=False):
        assert appointment.allowed_marks(timezone.now()) == []  # the day has passed


def test_no_show(patient, nurse, provider, phone_type) -> None:
    appointment = book(patient, provider, phone_type)
    with time_machine.travel(MONDAY_10AM_NY + dt.timedelta(minutes=20), tick=False):
        marked = services.appointment_mark(appointment=appointment, action="no_show", by=nurse)
    assert marked.status == Appointment.Status.NO_SHOW


def test_time_block_refuses_to_cover_an_appointment(patient, front_desk, provider, phone_type) -> None:
    book(patient, provider, phone_type)
    with pytest.raises(TimeBlockConflict, match="1 booked appointment"):
        services.time_block_create(
            provider=provider,
            start=MONDAY_10AM_NY,
            end=MONDAY_10AM_NY + dt.timedelta(hours=1),
            reason="",
            by=front_desk,
        )
    with pytest.raises(BookingError):
        services.time_block_create(
            provider=provider, start=MONDAY_10AM_NY, end=MONDAY_10AM_NY, reason="", by=front_desk
        )
    block = services.time_block_create(
        provider=provider,
        start=MONDAY_10AM_NY + dt.timedelta(minutes=15),
        end=MONDAY_10AM_NY + dt.timedelta(hours=1),
        reason="Team meeting",
        by=front_desk,
    )
    assert block.created_by == front_desk
    with pytest.raises(SlotUnavailable):
        book(patient, provider, phone_type, start=MONDAY_10AM_NY + dt.timedelta(minutes=30))


def test_redis_down_booking_succeeds_and_the_sweep_sends_the_email(
    patient, provider, phone_type, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from clinic import tasks

    def broker_down(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("Redis is down")

    monkeypatch.setattr(tasks.send_notification, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, provider, phone_type)
    assert Appointment.objects.filter(pk=appointment.pk).exists()
    assert mail.outbox == []
    assert Notification.objects.get(kind="scheduling/confirmation").status == Notification.Status.PENDING

    assert tasks.send_due_notifications() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.get(kind="scheduling/confirmation").status == Notification.Status.SENT


def test_visitor_double_submit_makes_one_appointment(provider, phone_type) -> None:
    kwargs = {"provider": provider, "appointment_type": phone_type, "start": MONDAY_10AM_NY, **VISITOR}
    first = services.book_for_visitor(email="twice@example.com", idempotency_key="form-9", **kwargs)
    again = services.book_for_visitor(email="twice@example.com", idempotency_key="form-9", **kwargs)
    assert again.pk == first.pk
    assert Appointment.objects.count() == 1
    assert not Notification.objects.filter(kind="scheduling/booking_added").exists()


def test_staff_reschedules_to_another_provider(patient, front_desk, provider, phone_type) -> None:
    from tests.scheduling.factories import provider_with_hours

    appointment = book(patient, provider, phone_type)
    other = provider_with_hours(phone_type)
    moved = services.appointment_reschedule(
        appointment=appointment, new_start=MONDAY_10AM_NY, by=front_desk, provider=other
    )
    assert moved.provider == other
    assert moved.start == MONDAY_10AM_NY


# --- Selectors ------------------------------------------------------------------------------------


def test_patient_appointments_split_and_scope(patient, other_patient, provider, phone_type) -> None:
    from django.http import Http404

    from scheduling import selectors
    from tests.scheduling.factories import AppointmentFactory

    upcoming = book(patient, provider, phone_type)
    past = AppointmentFactory(
        patient=patient, provider=provider, appointment_type=phone_type, start=NOW - dt.timedelta(days=3)
    )
    cancelled = AppointmentFactory(
        patient=patient,
        provider=provider,
        appointment_type=phone_type,
        start=MONDAY_10AM_NY + dt.timedelta(hours=1),
        status=Appointment.Status.CANCELLED,
        cancelled_at=NOW,
    )
    theirs = book(other_patient, provider, phone_type, start=MONDAY_10AM_NY + dt.timedelta(hours=2))

    coming, gone = selectors.patient_appointments(patient=patient)
    assert list(coming) == [upcoming]
    assert list(gone) == [cancelled, past]
    assert selectors.appointment_for_patient(patient=patient, pk=upcoming.pk) == upcoming
    with pytest.raises(Http404):
        selectors.appointment_for_patient(patient=patient, pk=theirs.pk)


def test_calendar_selectors(patient, front_desk, provider, phone_type, django_assert_num_queries) -> None:
    from scheduling import selectors

    for hour in range(3):
        book(patient, provider, phone_type, start=MONDAY_10AM_NY + dt.timedelta(hours=hour))
    services.appointment_cancel(appointment=Appointment.objects.first(), by=front_desk)
    services.time_block_create(
        provider=provider,
        start=MONDAY_10AM_NY + dt.timedelta(hours=4),
        end=MONDAY_10AM_NY + dt.timedelta(hours=5),
        reason="Lunch",
        by=front_desk,
    )
    day_start, day_end = MONDAY_10AM_NY - dt.timedelta(hours=10), MONDAY_10AM_NY + dt.timedelta(hours=14)
    with django_assert_num_queries(1):
        shown = list(selectors.calendar_appointments(start=day_start, end=day_end, provider=provider))
        assert [a.patient.user.email for a in shown] == [patient.user.email] * 2
    assert len(selectors.calendar_appointments(start=day_start, end=day_end, include_cancelled=True)) == 3
    assert [b.reason for b in selectors.calendar_blocks(start=day_start, end=day_end)] == ["Lunch"]
    assert list(selectors.bookable_types()) == [phone_type]
    assert list(selectors.providers_for_type(appointment_type=phone_type)) == [provider]


def test_redis_really_unreachable_booking_still_succeeds(
    patient, provider, phone_type, django_capture_on_commit_callbacks
) -> None:
    from clinic import tasks
    from clinic.celery import app

    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "broker_transport_options")}
    saved_pools = (app._pool, app.amqp._producer_pool)
    app._pool = app.amqp._producer_pool = None  # so the dead broker gets pools of its own
    app.conf.update(
        task_always_eager=False,
        broker_url="redis://127.0.0.1:1/0",  # nothing listens there
        broker_transport_options={"socket_connect_timeout": 0.5, "max_retries": 0},
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            appointment = book(patient, provider, phone_type)
    finally:
        app.conf.update(saved)
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool, app.amqp._producer_pool = saved_pools
    assert appointment.pk
    assert mail.outbox == []
    assert Notification.objects.get(kind="scheduling/confirmation").status == Notification.Status.PENDING
    assert tasks.send_due_notifications() == 1  # the periodic sweep, once the broker is back
    assert len(mail.outbox) == 1


def test_time_block_delete_gives_the_time_back(patient, front_desk, provider, phone_type) -> None:
    block = services.time_block_create(
        provider=provider, start=MONDAY_10AM_NY, end=MONDAY_10AM_NY + dt.timedelta(hours=1), reason="", by=front_desk
    )
    with pytest.raises(SlotUnavailable):
        book(patient, provider, phone_type)
    services.time_block_delete(time_block=block, by=front_desk)
    assert book(patient, provider, phone_type).start == MONDAY_10AM_NY


def test_signed_link_reschedule_and_cancel_within_the_cutoff(patient, provider, phone_type) -> None:
    appointment = book(patient, provider, phone_type)
    moved = services.appointment_reschedule(
        appointment=appointment, new_start=MONDAY_10AM_NY + dt.timedelta(days=1), by=None
    )
    cancelled = services.appointment_cancel(appointment=moved, by=None, reason="")
    assert cancelled.status == Appointment.Status.CANCELLED
    assert cancelled.cancelled_by is None
