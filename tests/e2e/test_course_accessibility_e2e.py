"""axe-core on the infusion screens, as a clinician, a nurse and the patient see them (see test_accessibility_e2e)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from clinic.lib.roles import CLINICIAN
from scheduling.models import InfusionChair, InfusionCourse, InfusionHours, InfusionSession, OutcomeMeasure, Protocol
from tests.e2e.test_accessibility_e2e import _log_in_as, _violations
from tests.factories import PatientFactory, StaffFactory
from tests.scheduling.course_fixtures import approve

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def course_data(db) -> dict:
    protocol, _ = Protocol.objects.update_or_create(
        slug="a11y-induction",
        defaults={
            "name": "Induction",
            "indications": "depression",
            "planned_sessions": 6,
            "min_days_between": 1,
            "mg_per_kg": Decimal("0.5"),
            "infusion_minutes": 40,
            "max_dose_mg": Decimal(60),
            "vitals_interval_minutes": 10,
            "post_vitals_interval_minutes": 15,
            "observation_minutes": 60,
            "sources": "test",
        },
    )
    for weekday in range(7):
        InfusionHours.objects.create(weekday=weekday, start_time=dt.time(0), end_time=dt.time(23, 59))
    patient = PatientFactory()
    approve(patient)
    ready = PatientFactory()
    approve(ready)
    clinician = StaffFactory(role=CLINICIAN)
    course = InfusionCourse.objects.create(
        patient=patient, protocol=protocol, indication="depression", clinician=clinician, baseline_phq9=18
    )
    start = timezone.now() + dt.timedelta(hours=1)
    chair = InfusionChair.objects.create(name="Chair 1")
    session = InfusionSession.objects.create(
        course=course, number=1, chair=chair, start=start, end=start + dt.timedelta(minutes=100), status="checked_in"
    )
    OutcomeMeasure.objects.create(course=course, session=session, instrument="phq9", total=9, taken_at=timezone.now())
    later = start + dt.timedelta(days=9)  # session 3 of 6, in another week: the PHQ-9 and GAD-7 are due
    third = InfusionSession.objects.create(
        course=course, number=3, chair=chair, start=later, end=later + dt.timedelta(hours=2)
    )
    data = {"patient": patient, "ready": ready, "clinician": clinician, "course": course, "session": session}
    return data | {"third": third}


STAFF_PAGES = {
    "chair board": lambda d: reverse("scheduling:staff-chair-board"),
    "course list": lambda d: reverse("scheduling:staff-course-list"),
    "course": lambda d: reverse("scheduling:staff-course-detail", args=[d["course"].pk]),
    "new course": lambda d: reverse("scheduling:staff-course-new", args=[d["ready"].pk]),
    "plan": lambda d: reverse("scheduling:staff-course-plan", args=[d["course"].pk]),
    "session": lambda d: reverse("scheduling:staff-session-detail", args=[d["session"].pk]),
}
PATIENT_PAGES = {
    "my course": lambda d: reverse("scheduling:my-course", args=[d["course"].pk]),
    "check-in": lambda d: reverse("scheduling:session-checkin", args=[d["third"].pk]),
}


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_course_pages(page: Page, context: BrowserContext, live_server, course_data, name: str) -> None:
    _log_in_as(context, live_server.url, course_data["clinician"], second_factor=True)
    page.goto(live_server.url + STAFF_PAGES[name](course_data))
    assert not (found := _violations(page)), f"{name}:\n{found}"


@pytest.mark.parametrize("name", PATIENT_PAGES)
def test_patient_course_pages(page: Page, context: BrowserContext, live_server, course_data, name: str) -> None:
    _log_in_as(context, live_server.url, course_data["patient"].user, second_factor=False)
    page.goto(live_server.url + PATIENT_PAGES[name](course_data))
    assert not (found := _violations(page)), f"{name}:\n{found}"
