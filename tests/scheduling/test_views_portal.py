from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling.models import Appointment
from tests.scheduling import view_fixtures
from tests.scheduling.factories import AppointmentFactory
from tests.scheduling.view_fixtures import (
    NOW,
    THURSDAY_11AM,
    WEDNESDAY_10AM,
    make_appointments,
    slot_param,
    slot_urls,
)

appointment = view_fixtures.appointment
frozen = view_fixtures.frozen

pytestmark = pytest.mark.usefixtures("frozen")

APPOINTMENT_URLS = [
    "scheduling:appointment-detail",
    "scheduling:appointment-cancel",
    "scheduling:appointment-reschedule",
    "scheduling:appointment-reschedule-confirm",
]


def url(name: str, appointment: Appointment) -> str:
    return reverse(name, args=[appointment.pk])


# --- Access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["scheduling:portal-home", "scheduling:my-appointments"])
def test_portal_pages_need_login(anon_client, name) -> None:
    response = anon_client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("clinic:login"))


@pytest.mark.parametrize("name", APPOINTMENT_URLS)
def test_anonymous_is_sent_to_login(anon_client, appointment, name) -> None:
    response = anon_client.get(url(name, appointment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("clinic:login"))


@pytest.mark.parametrize(
    ("name", "method"),
    [(name, "get") for name in APPOINTMENT_URLS]
    + [("scheduling:appointment-cancel", "post"), ("scheduling:appointment-reschedule-confirm", "post")],
)
def test_another_patient_gets_404(client, other_patient, appointment, name, method) -> None:
    client.force_login(other_patient.user)
    response = getattr(client, method)(url(name, appointment), {"start": slot_param(THURSDAY_11AM)})
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED
    assert appointment.start == WEDNESDAY_10AM


@pytest.mark.parametrize("name", [*APPOINTMENT_URLS, "scheduling:portal-home", "scheduling:my-appointments"])
def test_staff_without_patient_profile_gets_403(client, front_desk, appointment, name) -> None:
    client.force_login(front_desk)
    target = reverse(name) if "appointment-" not in name else url(name, appointment)
    assert client.get(target).status_code == 403


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("scheduling:appointment-detail", "post"),
        ("scheduling:appointment-reschedule", "post"),
        ("scheduling:appointment-cancel", "put"),
        ("scheduling:appointment-reschedule-confirm", "delete"),
    ],
)
def test_wrong_method_is_405(patient_client, appointment, name, method) -> None:
    assert getattr(patient_client, method)(url(name, appointment)).status_code == 405


def test_login_and_email_verification_land_on_the_new_portal(patient_client, client, front_desk) -> None:
    response = patient_client.get(reverse("clinic:after-login"))
    assert response["Location"] == reverse("scheduling:portal-home")
    client.force_login(front_desk)
    assert client.get(reverse("clinic:after-login"))["Location"] == reverse("scheduling:staff-home")


# --- Portal home and list ---------------------------------------------------------------------------


def test_portal_home_shows_upcoming_appointments(patient_client, patient, appointment) -> None:
    response = patient_client.get(reverse("scheduling:portal-home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert f"Hello, {patient.first_name}" in content
    assert url("scheduling:appointment-detail", appointment) in content
    assert "Wednesday, March 4 at 10:00 AM" in content


def test_list_splits_upcoming_and_past(patient_client, patient, appointment, provider, phone_type) -> None:
    past = AppointmentFactory(
        patient=patient, provider=provider, appointment_type=phone_type, start=NOW - dt.timedelta(days=3)
    )
    response = patient_client.get(reverse("scheduling:my-appointments"))
    content = response.content.decode()
    upcoming_part, past_part = content.split('id="past-title"')
    assert url("scheduling:appointment-detail", appointment) in upcoming_part
    assert url("scheduling:appointment-detail", past) in past_part


@pytest.mark.parametrize("name", ["scheduling:my-appointments", "scheduling:portal-home"])
def test_list_query_count_does_not_grow(
    patient_client, patient, provider, phone_type, django_assert_num_queries, name
) -> None:
    make_appointments(2, provider=provider, appointment_type=phone_type, patient=patient)
    AppointmentFactory(
        patient=patient, provider=provider, appointment_type=phone_type, start=NOW - dt.timedelta(days=5)
    )
    patient_client.get(reverse(name))  # warm the session
    with CaptureQueriesContext(connection) as small:
        patient_client.get(reverse(name))
    later = dt.datetime(2026, 3, 4, 14, tzinfo=dt.UTC)
    make_appointments(16, provider=provider, appointment_type=phone_type, patient=patient, start=later)
    earlier = NOW - dt.timedelta(days=4)
    make_appointments(
        25, provider=provider, appointment_type=phone_type, patient=patient, start=earlier, status="completed"
    )
    with django_assert_num_queries(len(small.captured_queries)):
        response = patient_client.get(reverse(name))
    assert response.status_code == 200


# --- Cancel -----------------------------------------------------------------------------------------


def test_cancel_asks_for_confirmation_first(patient_client, appointment) -> None:
    response = patient_client.get(url("scheduling:appointment-cancel", appointment))
    assert response.status_code == 200
    assert b"Cancel this appointment?" in response.content
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED


def test_owner_cancels(patient_client, patient, appointment) -> None:
    response = patient_client.post(url("scheduling:appointment-cancel", appointment), {"reason": "Feeling better"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancelled_by == patient.user


def test_cancel_after_the_cutoff_is_refused(patient_client, patient, appointment, frozen) -> None:
    frozen.move_to(WEDNESDAY_10AM - dt.timedelta(hours=2))
    patient_client.force_login(patient.user)  # a fresh session: the old one timed out while we travelled
    response = patient_client.post(url("scheduling:appointment-cancel", appointment))
    assert response.status_code == 400
    assert b"too late" in response.content
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED


def test_detail_hides_changes_after_the_cutoff(patient_client, patient, appointment, frozen) -> None:
    assert (
        url("scheduling:appointment-cancel", appointment).encode()
        in patient_client.get(url("scheduling:appointment-detail", appointment)).content
    )
    frozen.move_to(WEDNESDAY_10AM - dt.timedelta(hours=2))
    patient_client.force_login(patient.user)
    response = patient_client.get(url("scheduling:appointment-detail", appointment))
    assert url("scheduling:appointment-cancel", appointment).encode() not in response.content
    assert b"too late" in response.content


# --- Reschedule -------------------------------------------------------------------------------------


def test_reschedule_picker_shows_the_providers_times(patient_client, appointment) -> None:
    target = url("scheduling:appointment-reschedule", appointment)
    response = patient_client.get(f"{target}?month=2026-03&date=2026-03-05")
    assert response.status_code == 200
    assert any(f"reschedule/confirm/?start={slot_param(THURSDAY_11AM)}" in slot for slot in slot_urls(response))


def test_owner_reschedules(patient_client, appointment) -> None:
    target = url("scheduling:appointment-reschedule-confirm", appointment)
    confirm = patient_client.get(f"{target}?start={slot_param(THURSDAY_11AM)}")
    assert confirm.status_code == 200
    assert b"Move your appointment?" in confirm.content
    response = patient_client.post(target, {"start": slot_param(THURSDAY_11AM)})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == THURSDAY_11AM


def test_reschedule_to_a_taken_time_offers_alternatives(patient_client, appointment, provider, phone_type) -> None:
    AppointmentFactory(provider=provider, appointment_type=phone_type, start=THURSDAY_11AM)
    target = url("scheduling:appointment-reschedule-confirm", appointment)
    response = patient_client.post(target, {"start": slot_param(THURSDAY_11AM)})
    assert response.status_code == 409
    assert slot_param(THURSDAY_11AM + dt.timedelta(minutes=15)) in unquote(response.content.decode())
    appointment.refresh_from_db()
    assert appointment.start == WEDNESDAY_10AM


@pytest.mark.parametrize("start", ["nonsense", "2026-03-01T15:00Z"])
def test_reschedule_to_a_bad_or_past_time_is_400(patient_client, appointment, start) -> None:
    target = url("scheduling:appointment-reschedule-confirm", appointment)
    assert patient_client.post(target, {"start": start}).status_code == 400


def test_reschedule_after_the_cutoff_is_refused(patient_client, patient, appointment, frozen) -> None:
    frozen.move_to(WEDNESDAY_10AM - dt.timedelta(hours=23))
    patient_client.force_login(patient.user)
    target = url("scheduling:appointment-reschedule-confirm", appointment)
    response = patient_client.post(target, {"start": slot_param(THURSDAY_11AM)})
    assert response.status_code == 400
    assert b"too late" in response.content
    appointment.refresh_from_db()
    assert appointment.start == WEDNESDAY_10AM
