"""Pages with health or contact details are never stored, device features are denied, staff sessions end with the
browser (issue 12, finding 12)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from scheduling.links import manage_path
from tests.factories import PASSWORD
from tests.scheduling.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def _assert_no_store(response) -> None:
    assert "no-store" in response["Cache-Control"], response.get("Cache-Control")
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_portal_profile_and_appointment_pages_are_no_store(patient, patient_client: Client) -> None:
    appointment = AppointmentFactory(patient=patient)
    for url in (
        reverse("scheduling:portal-home"),
        reverse("clinic:profile"),
        reverse("scheduling:my-appointments"),
        reverse("scheduling:appointment-detail", args=[appointment.pk]),
    ):
        _assert_no_store(patient_client.get(url))


def test_staff_patient_and_appointment_pages_are_no_store(patient, nurse, staff_client_for) -> None:
    appointment = AppointmentFactory(patient=patient)
    client = staff_client_for(nurse)
    for url in (
        reverse("clinic:staff-patient-list"),
        reverse("clinic:staff-patient-detail", args=[patient.pk]),
        reverse("scheduling:staff-appointment-detail", args=[appointment.pk]),
        reverse("scheduling:staff-calendar"),
        reverse("admin:clinic_accesslog_changelist"),
    ):
        response = client.get(url)
        assert response.status_code in (200, 403), url
        _assert_no_store(response)


def test_signed_link_pages_and_errors_are_no_store(patient) -> None:
    appointment = AppointmentFactory(patient=patient)
    client = Client()
    _assert_no_store(client.get(manage_path(appointment)))
    _assert_no_store(client.get("/manage/tampered-token/"))
    _assert_no_store(client.get("/no-such-page/"))


def test_staff_session_ends_when_the_browser_closes_and_a_patients_does_not(nurse, patient) -> None:
    staff = Client().post(reverse("clinic:login"), {"username": nurse.email, "password": PASSWORD})
    assert staff.status_code == 302
    cookie = staff.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie

    own = Client().post(reverse("clinic:login"), {"username": patient.user.email, "password": PASSWORD})
    assert int(own.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == settings.SESSION_COOKIE_AGE


def test_staff_session_stays_a_browser_session_after_the_second_factor(nurse, staff_client_for) -> None:
    client = staff_client_for(nurse)
    assert client.session.get_expire_at_browser_close()
    response = client.get(reverse("scheduling:staff-home"))
    assert response.status_code == 200
    assert client.session.get_expire_at_browser_close()


def test_htmx_keeps_no_page_snapshots_in_browser_storage(client: Client, db) -> None:
    page = client.get(reverse("clinic:home")).content
    assert b'"historyCacheSize": 0' in page
    # With no snapshots, going back reloads the whole page instead of asking a view for its htmx fragment.
    assert b'"refreshOnHistoryMiss": true' in page
