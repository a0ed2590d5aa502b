"""One rule for "may the patient still change this", and scheduling asking clinic instead of reading its tables."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse

from clinic import selectors as clinic_selectors
from clinic.models import Notification
from clinic.services import notification_enqueue, notifications_cancel
from scheduling import selectors, services
from scheduling.exceptions import AppointmentNotActive, ChangeCutoffPassed
from scheduling.models import Appointment
from tests.factories import UserFactory
from tests.scheduling import view_fixtures
from tests.scheduling.view_fixtures import WEDNESDAY_10AM

appointment = view_fixtures.appointment
frozen = view_fixtures.frozen


# --- One rule, one place, one message ----------------------------------------------------------------


def test_at_the_cutoff_the_page_and_the_service_agree(patient, appointment, frozen) -> None:
    frozen.move_to(appointment.change_deadline)  # exactly the moment: the page said no, the service said yes
    assert isinstance(selectors.patient_change_refusal(appointment), ChangeCutoffPassed)
    with pytest.raises(ChangeCutoffPassed):
        services.appointment_cancel(appointment=appointment, by=patient.user)
    with pytest.raises(ChangeCutoffPassed):
        services.appointment_cancel(appointment=appointment, by=None)  # the signed link
    frozen.move_to(appointment.change_deadline - dt.timedelta(seconds=1))
    assert selectors.patient_change_refusal(appointment) is None


def test_the_pages_say_what_the_service_says(patient_client, patient, appointment, frozen) -> None:
    frozen.move_to(WEDNESDAY_10AM - dt.timedelta(hours=2))
    patient_client.force_login(patient.user)
    response = patient_client.get(reverse("scheduling:appointment-cancel", args=[appointment.pk]))
    assert response.status_code == 400
    assert ChangeCutoffPassed.default_message in response.content.decode()


def test_a_cancelled_appointment_is_not_called_too_late(patient_client, patient, appointment) -> None:
    services.appointment_cancel(appointment=appointment, by=patient.user)
    response = patient_client.get(reverse("scheduling:appointment-reschedule", args=[appointment.pk]))
    assert response.status_code == 400
    assert AppointmentNotActive.default_message in response.content.decode()


def test_staff_are_not_bound_by_the_cutoff_but_by_the_status(front_desk, appointment, frozen) -> None:
    frozen.move_to(WEDNESDAY_10AM - dt.timedelta(hours=1))
    services.appointment_cancel(appointment=appointment, by=front_desk, reason="Called")
    with pytest.raises(AppointmentNotActive):
        services.appointment_cancel(appointment=appointment, by=front_desk, reason="Again")


# --- Clinic's selector and service instead of clinic's tables ---------------------------------------


@pytest.mark.django_db
def test_user_by_email_ignores_case_and_spaces() -> None:
    user = UserFactory(email="robin@example.com")
    assert clinic_selectors.user_by_email("  Robin@Example.COM ") == user
    assert clinic_selectors.user_by_email("nobody@example.com") is None


@pytest.mark.django_db
def test_cancel_by_key_prefix_withdraws_only_that_appointments_pending_reminders() -> None:
    user = UserFactory()

    def reminder(key: str) -> Notification:
        return notification_enqueue(
            kind="scheduling/reminder",
            idempotency_key=key,
            recipient=user,
            due_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
        )

    mine, neighbour = reminder("reminder:1:1440m:x"), reminder("reminder:12:1440m:x")
    sent = reminder("reminder:1:120m:x")
    Notification.objects.filter(pk=sent.pk).update(
        status=Notification.Status.SENT, sent_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    assert notifications_cancel(key_prefix="reminder:1:") == 1
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {
        mine.pk: Notification.Status.CANCELLED,
        neighbour.pk: Notification.Status.PENDING,
        sent.pk: Notification.Status.SENT,
    }


# --- The visitors' booked page ----------------------------------------------------------------------


def test_a_visitor_loads_only_what_their_session_booked(appointment, other_patient) -> None:
    assert selectors.appointment_for_visitor(pk=appointment.pk, booked_ids=[appointment.pk]) == appointment
    with pytest.raises(Http404):
        selectors.appointment_for_visitor(pk=appointment.pk, booked_ids=[appointment.pk + 1])
    assert Appointment.objects.count() == 1
