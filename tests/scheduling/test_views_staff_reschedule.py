"""The front desk moves an appointment to another open time; the patient is emailed the new time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from clinic.models import AccessLog, Notification
from scheduling.models import Appointment
from tests.scheduling import view_fixtures
from tests.scheduling.factories import AppointmentFactory, provider_with_hours
from tests.scheduling.view_fixtures import THURSDAY_11AM, WEDNESDAY_10AM, slot_param, slot_urls

appointment = view_fixtures.appointment
frozen = view_fixtures.frozen

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def desk(front_desk, staff_client_for):
    return staff_client_for(front_desk)


def pick_url(appointment: Appointment) -> str:
    return reverse("scheduling:staff-appointment-reschedule", args=[appointment.pk])


def confirm_url(appointment: Appointment) -> str:
    return reverse("scheduling:staff-appointment-reschedule-confirm", args=[appointment.pk])


def move(client, appointment: Appointment, provider, start: dt.datetime, *, on_commit=None):
    data = {"provider": provider.pk, "start": slot_param(start)}
    if on_commit is None:
        return client.post(confirm_url(appointment), data)
    with on_commit(execute=True):
        return client.post(confirm_url(appointment), data)


def test_front_desk_moves_an_appointment_and_the_patient_is_emailed(
    desk, front_desk, appointment, provider, on_commit
) -> None:
    detail = desk.get(reverse("scheduling:staff-appointment-detail", args=[appointment.pk])).content.decode()
    assert pick_url(appointment) in detail

    pick = desk.get(pick_url(appointment) + "?month=2026-03&date=2026-03-05")
    assert pick.status_code == 200
    offered = f"{confirm_url(appointment)}?provider={provider.pk}&start={slot_param(THURSDAY_11AM)}"
    assert offered in slot_urls(pick)

    confirm = desk.get(f"{confirm_url(appointment)}?provider={provider.pk}&start={slot_param(THURSDAY_11AM)}")
    assert confirm.status_code == 200
    assert b"Thursday, March 5, 2026 at 11:00 AM" in confirm.content
    assert b"Wednesday, March 4 at 10:00 AM" in confirm.content  # the time it moves from

    response = move(desk, appointment, provider, THURSDAY_11AM, on_commit=on_commit)
    assert response["Location"] == reverse("scheduling:staff-appointment-detail", args=[appointment.pk])
    appointment.refresh_from_db()
    assert (appointment.start, appointment.end) == (THURSDAY_11AM, THURSDAY_11AM + dt.timedelta(minutes=15))
    assert appointment.history.first().history_user == front_desk

    (email,) = mail.outbox
    assert email.to == [appointment.patient.user.email]
    assert email.subject == (
        "Your appointment has moved to Thursday, March 5, 2026 at 11:00 AM (Eastern Time – New York)"
    )
    assert "It was Wednesday, March 4, 2026 at 10:00 AM (Eastern Time – New York)." in email.body
    event = Calendar.from_ical(email.attachments[0][1]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == THURSDAY_11AM
    assert Notification.objects.get(kind="scheduling/rescheduled").status == Notification.Status.SENT


def test_front_desk_moves_it_to_another_provider(desk, appointment, phone_type) -> None:
    other = provider_with_hours(phone_type)
    assert move(desk, appointment, other, WEDNESDAY_10AM).status_code == 302
    appointment.refresh_from_db()
    assert (appointment.provider, appointment.start) == (other, WEDNESDAY_10AM)


def test_staff_may_move_it_after_the_patients_cutoff(desk, front_desk, appointment, provider, frozen) -> None:
    frozen.move_to(WEDNESDAY_10AM - dt.timedelta(hours=3))  # the patient could no longer change it online
    from tests.factories import verify_second_factor

    desk.force_login(front_desk)
    verify_second_factor(desk, front_desk)
    assert move(desk, appointment, provider, THURSDAY_11AM).status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == THURSDAY_11AM


def test_a_taken_time_offers_the_nearest_open_ones(desk, appointment, provider, phone_type) -> None:
    AppointmentFactory(provider=provider, appointment_type=phone_type, start=THURSDAY_11AM)
    for response in (
        desk.get(f"{confirm_url(appointment)}?provider={provider.pk}&start={slot_param(THURSDAY_11AM)}"),
        move(desk, appointment, provider, THURSDAY_11AM),
    ):
        assert response.status_code == 409
        assert confirm_url(appointment).encode() in response.content  # the nearest times move this appointment
    appointment.refresh_from_db()
    assert appointment.start == WEDNESDAY_10AM


@pytest.mark.parametrize(
    "query",
    ["", "?provider=999999&start=2026-03-05T16:00Z", "?provider={provider}&start=yesterday", "?provider={provider}"],
)
def test_a_tampered_slot_is_a_clear_400(desk, appointment, provider, query) -> None:
    response = desk.get(confirm_url(appointment) + query.format(provider=provider.pk))
    assert response.status_code == 400
    assert b"Please choose a time again" in response.content


def test_a_cancelled_appointment_cannot_be_moved(desk, appointment, provider) -> None:
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancelled_at=WEDNESDAY_10AM)
    for response in (desk.get(pick_url(appointment)), move(desk, appointment, provider, THURSDAY_11AM)):
        assert response.status_code == 400
        assert b"already been cancelled" in response.content
    assert not Notification.objects.filter(kind="scheduling/rescheduled").exists()


def test_the_pages_log_the_patient_access(desk, front_desk, appointment, provider) -> None:
    desk.get(pick_url(appointment))
    desk.get(f"{confirm_url(appointment)}?provider={provider.pk}&start={slot_param(THURSDAY_11AM)}")
    assert AccessLog.objects.filter(user=front_desk, patient=appointment.patient).count() == 2


def test_anonymous_goes_to_login_and_patients_get_403(anon_client, patient_client, appointment) -> None:
    for url in (pick_url(appointment), confirm_url(appointment)):
        assert anon_client.get(url)["Location"].startswith(reverse("clinic:login"))
        assert patient_client.get(url).status_code == 403


def test_nurse_cannot_move_an_appointment(nurse, staff_client_for, appointment, provider) -> None:
    client = staff_client_for(nurse)
    assert client.get(pick_url(appointment)).status_code == 403
    assert move(client, appointment, provider, THURSDAY_11AM).status_code == 403
    appointment.refresh_from_db()
    assert appointment.start == WEDNESDAY_10AM


def test_clinician_moves_an_appointment(clinician, staff_client_for, appointment, provider) -> None:
    assert move(staff_client_for(clinician), appointment, provider, THURSDAY_11AM).status_code == 302


def test_unknown_appointment_is_404_and_wrong_method_405(desk, appointment) -> None:
    assert desk.get(reverse("scheduling:staff-appointment-reschedule", args=[999999])).status_code == 404
    assert desk.post(pick_url(appointment)).status_code == 405
    assert desk.put(confirm_url(appointment)).status_code == 405


def test_staff_pages_do_not_tell_staff_to_call_the_clinic(desk, appointment, provider) -> None:
    """ "Call us at ..." is patient wording; staff are told where to look instead."""
    provider.weekly_hours.all().delete()  # no openings at all
    pick = desk.get(pick_url(appointment)).content.decode()
    assert "No open times in" in pick
    assert "call us" not in pick.lower()
    assert "hours" in pick  # points staff at the providers' hours

    error = desk.get(confirm_url(appointment))  # no time chosen: the error page
    assert error.status_code == 400
    page = error.content.decode()
    assert "call us" not in page.lower()
    assert "administrator" in page

    taken = move(desk, appointment, provider, THURSDAY_11AM)  # no hours: the time is no longer open
    assert taken.status_code == 409
    assert "call us" not in taken.content.decode().lower()


def test_the_patient_error_page_still_gives_the_clinic_phone(client, appointment, patient) -> None:
    client.force_login(patient.user)
    response = client.get(reverse("scheduling:appointment-reschedule-confirm", args=[appointment.pk]))
    assert response.status_code == 400
    assert "call us" in response.content.decode().lower()


def test_the_not_found_page_speaks_to_staff_as_staff(desk, client, patient) -> None:
    staff_page = desk.get("/no-such-page/").content.decode()
    assert "call us" not in staff_page.lower()
    assert reverse("scheduling:staff-home") in staff_page
    client.force_login(patient.user)
    assert "call us" in client.get("/no-such-page/").content.decode().lower()
