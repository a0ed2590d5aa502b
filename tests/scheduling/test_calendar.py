"""After booking: the calendar file and the add-to-calendar links (issue 11, section 3)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from clinic import services as clinic_services
from scheduling import services
from scheduling.ics import add_to_calendar_links, appointment_ics
from tests.factories import PatientFactory, StaffFactory
from tests.scheduling import view_fixtures
from tests.scheduling.view_fixtures import THURSDAY_11AM

appointment = view_fixtures.appointment
frozen = view_fixtures.frozen

pytestmark = pytest.mark.django_db


def _event(payload: bytes):
    calendar = Calendar.from_ical(payload)
    return calendar, next(iter(calendar.walk("VEVENT")))


def test_calendar_file_has_title_place_link_alarm_and_organizer(appointment, settings) -> None:
    settings.CLINIC_EMAIL_NAME = "Riverside Wellness"
    settings.DEFAULT_FROM_EMAIL = "Riverside Wellness <no-reply@riverside.example>"
    calendar, event = _event(appointment_ics(appointment))
    assert str(calendar["method"]) == "PUBLISH"
    assert str(event["summary"]) == "Appointment with Riverside Wellness"
    assert str(event["location"]).startswith("Phone call")
    portal = f"/portal/appointments/{appointment.pk}/"
    assert str(event["url"]).endswith(portal)
    assert "/manage/" not in event.to_ical().decode()  # never the no-login link in someone else's calendar
    assert str(event["organizer"]) == "mailto:no-reply@riverside.example"
    assert event["organizer"].params["CN"] == "Riverside Wellness"
    assert int(event["sequence"]) == 0
    alarms = event.walk("VALARM")
    assert len(alarms) == 1 and str(alarms[0]["action"]) == "DISPLAY"


def test_each_change_raises_the_sequence_and_a_cancellation_removes_the_event(appointment, front_desk) -> None:
    uid = str(_event(appointment_ics(appointment))[1]["uid"])
    moved = services.appointment_reschedule(appointment=appointment, new_start=THURSDAY_11AM, by=front_desk)
    _, event = _event(appointment_ics(moved))
    assert (str(event["uid"]), int(event["sequence"])) == (uid, 1)
    cancelled = services.appointment_cancel(appointment=moved, by=front_desk)
    calendar, event = _event(appointment_ics(cancelled, cancelled=True))
    assert (str(calendar["method"]), str(event["status"]), int(event["sequence"])) == ("CANCEL", "CANCELLED", 2)
    assert str(event["uid"]) == uid
    assert not event.walk("VALARM")


def test_links_carry_the_same_title_times_and_link_as_the_file(appointment) -> None:
    _, event = _event(appointment_ics(appointment))
    links = add_to_calendar_links(appointment)
    google = parse_qs(urlsplit(links["google"]).query)
    assert google["text"] == [str(event["summary"])]
    assert google["dates"] == ["20260304T150000Z/20260304T151500Z"]
    assert str(event["url"]) in google["details"][0]
    outlook = parse_qs(urlsplit(links["outlook"]).query)
    assert outlook["subject"] == [str(event["summary"])]
    assert str(event["url"]) in outlook["body"][0]


def test_portal_offers_the_calendar_buttons_and_file(patient_client, appointment) -> None:
    page = patient_client.get(reverse("scheduling:appointment-detail", args=[appointment.pk])).content.decode()
    assert "calendar.google.com" in page and "outlook.live.com" in page
    response = patient_client.get(reverse("scheduling:appointment-calendar", args=[appointment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    assert _event(response.content)[1]["dtstart"].dt == appointment.start


def test_calendar_file_is_the_owners_only(client, other_patient, appointment) -> None:
    url = reverse("scheduling:appointment-calendar", args=[appointment.pk])
    assert Client().get(url).status_code == 302  # to the login page
    client.force_login(other_patient.user)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 405


def test_resetting_a_password_from_the_email_logs_the_patient_in_to_the_portal(client, on_commit) -> None:
    patient = PatientFactory()  # a first password goes on to the screening instead: tests/intake
    with on_commit(execute=True):
        clinic_services.account_send_password_link(accounts=[patient.user])
    path = re.search(r"testserver(/account/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(path)["Location"]
    response = client.post(form_url, {"new_password1": "a-new-long-pass-77", "new_password2": "a-new-long-pass-77"})
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:portal-home")
    assert client.session["_auth_user_id"] == str(patient.user.pk)


def test_staff_setting_a_password_log_in_again_with_their_second_factor(client, on_commit) -> None:
    nurse = StaffFactory(role="Nurse")
    with on_commit(execute=True):
        clinic_services.account_send_password_link(accounts=[nurse])
    path = re.search(r"testserver(/account/password/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(path)["Location"]
    response = client.post(form_url, {"new_password1": "a-new-long-pass-77", "new_password2": "a-new-long-pass-77"})
    assert response["Location"] == reverse("clinic:password-reset-complete")
    assert "_auth_user_id" not in client.session


def test_the_portals_file_of_a_cancelled_appointment_is_the_cancellation(
    patient_client, appointment, front_desk
) -> None:
    """Imported after the cancellation, the file must remove the event, not bring it back with a newer SEQUENCE."""
    services.appointment_cancel(appointment=appointment, by=front_desk)
    response = patient_client.get(reverse("scheduling:appointment-calendar", args=[appointment.pk]))
    calendar, event = _event(response.content)
    assert (str(calendar["method"]), str(event["status"])) == ("CANCEL", "CANCELLED")
