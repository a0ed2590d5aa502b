"""Wherever a patient reads a time, the zone is named, as CLDR names it (issue 11)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from scheduling.models import Appointment
from tests.scheduling import course_fixtures
from tests.scheduling.factories import AppointmentFactory
from tests.scheduling.view_fixtures import WEDNESDAY_10AM

LA = "Pacific Time – Los Angeles"

frozen = course_fixtures.frozen
room = course_fixtures.room
protocol = course_fixtures.protocol
course = course_fixtures.course
session = course_fixtures.session

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_la(patient):
    patient.time_zone = "America/Los_Angeles"
    patient.save()
    return patient


@pytest.fixture
def la_appointment(frozen, in_la, provider, phone_type) -> Appointment:
    return AppointmentFactory(patient=in_la, provider=provider, appointment_type=phone_type, start=WEDNESDAY_10AM)


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_portal_names_the_zone_of_each_time_and_of_the_patient(patient_client, la_appointment) -> None:
    page = text(patient_client.get(reverse("scheduling:portal-home")))
    assert f"Wednesday, March 4 at 7:00 AM ({LA}), with" in page
    assert f'Time zone</dt><dd class="col-sm-7">{LA}</dd>' in page


def test_my_appointments_names_the_zone(patient_client, la_appointment) -> None:
    page = text(patient_client.get(reverse("scheduling:my-appointments")))
    assert f'<th scope="col">When ({LA})</th>' in page


def test_the_change_cutoff_names_the_zone(patient_client, la_appointment) -> None:
    page = text(patient_client.get(reverse("scheduling:appointment-detail", args=[la_appointment.pk])))
    assert re.search(r"You can change or cancel online until \w+, March \d+ at [\d:]+ [AP]M \(" + LA + r"\)\.", page)
    assert f'at 7:00 AM</span> <span class="text-body-secondary">({LA})</span>' in page
    assert "Clinic time: Wednesday, March 4 at 10:00 AM (Eastern Time – New York)" in page


def test_the_next_session_names_the_zone(patient_client, in_la, session) -> None:
    page = text(patient_client.get(reverse("scheduling:portal-home")))
    assert re.search(r"Next session: <strong>[^<]+</strong> \(" + LA + r"\)", page)
    assert re.search(r"Treatment session 1</a><br> <span[^>]*>[^<]+\(" + LA + r"\), in the clinic", page)
    course_page = text(patient_client.get(reverse("scheduling:my-course", args=[session.course.pk])))
    assert f"</strong> ({LA})" in course_page
    checkin = text(patient_client.get(reverse("scheduling:session-checkin", args=[session.pk])))
    assert re.search(r'<p class="lead">[^<]+ \(' + LA + r"\)</p>", checkin)


def test_an_alias_stored_long_ago_is_named_as_its_zone(patient_client, patient, frozen, provider, phone_type) -> None:
    patient.time_zone = "US/Pacific"  # valid when it was saved; no longer offered
    patient.save()
    AppointmentFactory(patient=patient, provider=provider, appointment_type=phone_type, start=WEDNESDAY_10AM)
    page = text(patient_client.get(reverse("scheduling:portal-home")))
    assert f"Wednesday, March 4 at 7:00 AM ({LA}), with" in page


def test_the_picker_names_both_zones(client, frozen, provider, phone_type) -> None:
    url = reverse("scheduling:book-pick", args=[phone_type.slug])
    page = text(client.get(f"{url}?tz=Asia/Calcutta"))  # an old name some browsers still report
    assert "Times are shown in <strong>India Standard Time – Kolkata</strong>" in page
    assert "with the clinic's own time (Eastern Time – New York) beside them" in page
    assert '<option value="Asia/Kolkata" data-search="India Asia/Calcutta" selected>' in page
