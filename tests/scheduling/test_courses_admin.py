"""Courses, sessions and their readings in Django admin follow the same rules as the staff pages (found in review):
patient records need ``clinic.view_patients_in_admin`` and are access-logged; clinical values need the clinical
permission."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.models import AccessLog
from tests.scheduling import course_fixtures

frozen = course_fixtures.frozen
room = course_fixtures.room
protocol = course_fixtures.protocol
course = course_fixtures.course
session = course_fixtures.session

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician"])
def test_staff_read_courses_on_the_staff_pages_not_in_admin(request, role, course, staff_client_for) -> None:
    client = staff_client_for(request.getfixturevalue(role))
    assert client.get(reverse("admin:scheduling_infusioncourse_change", args=[course.pk])).status_code == 403
    assert client.get(reverse("admin:scheduling_infusionsession_changelist")).status_code == 403


def test_clinic_admin_sees_a_course_without_doses_and_is_logged(
    session, course, clinic_admin, staff_client_for
) -> None:
    client = staff_client_for(clinic_admin)
    session.dose_mg = 41
    session.save()
    page = client.get(reverse("admin:scheduling_infusioncourse_change", args=[course.pk]))
    assert page.status_code == 200
    assert "Dose" not in page.content.decode()
    assert AccessLog.objects.filter(user=clinic_admin, patient=course.patient).exists()
    # Sessions, vitals and scores carry clinical values the clinic admin does not see anywhere.
    assert client.get(reverse("admin:scheduling_infusionsession_change", args=[session.pk])).status_code == 403
    assert client.get(reverse("admin:scheduling_vitalsignreading_changelist")).status_code == 403


@pytest.mark.parametrize("start", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_moving_a_session_to_an_impossible_date_is_a_clear_error(session, front_desk, staff_client_for, start) -> None:
    url = reverse("scheduling:staff-session-move", args=[session.pk])
    response = staff_client_for(front_desk).post(url, {"start": start, "chair": session.chair_id})
    assert response.status_code == 400
    assert "Enter a date between 1900" in response.content.decode()
