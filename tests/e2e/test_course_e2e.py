"""A nurse takes a patient from check-in through pre-vitals (held, re-checked, passed), the infusion with vitals, and
discharge, on the chair board; the patient then sees the session on their progress chart."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from scheduling.models import InfusionChair, InfusionCourse, InfusionSession, OutcomeMeasure, Protocol
from tests.e2e.test_screening_e2e import log_in, staff_session
from tests.factories import PatientFactory, StaffFactory
from tests.scheduling.course_fixtures import approve

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def vitals(page: Page, systolic: str, diastolic: str = "82") -> None:
    page.get_by_label("Systolic (mmHg)").fill(systolic)
    page.get_by_label("Diastolic (mmHg)").fill(diastolic)
    page.get_by_label("Heart rate (/min)").fill("76")
    page.get_by_label("SpO2 (%)").fill("98")
    page.get_by_label("Respiratory rate (/min)").fill("14")
    page.get_by_role("button", name="Save reading").click()


def test_a_nurse_documents_a_session_and_the_patient_sees_it(browser: Browser, live_server) -> None:
    protocol, _ = Protocol.objects.get_or_create(
        slug="e2e-induction",
        defaults={
            "name": "E2E induction",
            "indications": "depression",
            "planned_sessions": 6,
            "min_days_between": 1,
            "mg_per_kg": Decimal("0.5"),
            "infusion_minutes": 40,
            "max_dose_mg": Decimal(60),
            "vitals_interval_minutes": 10,
            "post_vitals_interval_minutes": 15,
            "observation_minutes": 0,  # the wait before discharge is tested without a browser (test_courses_services)
            "sources": "test",
        },
    )
    patient = PatientFactory(legal_first_name="Robin", legal_last_name="Ash")
    approve(patient, scores={"phq9": 18, "gad7": 12})
    nurse = StaffFactory(role="Nurse")
    course = InfusionCourse.objects.create(
        patient=patient,
        protocol=protocol,
        indication="depression",
        clinician=StaffFactory(role="Clinician"),
        baseline_phq9=18,
    )
    start = timezone.now() + dt.timedelta(minutes=30)
    session = InfusionSession.objects.create(
        course=course,
        number=1,
        chair=InfusionChair.objects.create(name="Chair 1"),
        start=start,
        end=start + dt.timedelta(hours=2),
    )
    OutcomeMeasure.objects.create(course=course, session=session, instrument="phq9", total=8, taken_at=timezone.now())

    page = browser.new_page(viewport={"width": 1024, "height": 1366})  # a tablet
    staff_session(page, live_server.url, nurse)
    page.goto(f"{live_server.url}/staff/infusions/board/")
    page.get_by_role("link", name="Open session 1 for Robin Ash").click()
    page.get_by_role("button", name="Check in").click()
    vitals(page, "172")
    expect(page.get_by_text("Latest vitals out of range")).to_be_visible()
    page.get_by_label("Weight today (kg)").fill("80")
    page.get_by_role("button", name="Save weight and dose").click()
    expect(page.get_by_text("Dose: 40.0 mg")).to_be_visible()
    page.get_by_role("button", name="Start the infusion").click()
    expect(page.get_by_role("alert").filter(has_text="hold range")).to_be_visible()
    vitals(page, "138")  # the re-check passes the gate
    page.get_by_role("button", name="Start the infusion").click()
    expect(page.locator(".lead")).to_contain_text("In progress")
    expect(page.get_by_text(re.compile("Next vitals due at"))).to_be_visible()
    vitals(page, "134")
    page.get_by_role("button", name="Infusion finished: start observation").click()
    for label in ("Alert and oriented", "Nausea controlled", "Escort present", "No driving today acknowledged"):
        page.get_by_label(label).check()
    page.get_by_label("Escort's name").fill("Sam Ash")
    page.get_by_role("button", name="Save the checklist").click()
    vitals(page, "126", "80")
    page.get_by_role("button", name="Discharge").click()
    expect(page.locator(".lead")).to_contain_text("Completed")
    session.refresh_from_db()
    assert session.status == "completed" and session.vitals.count() == 4

    patient_page = browser.new_page()
    log_in(patient_page, live_server.url, patient.user.email)
    patient_page.goto(f"{live_server.url}/portal/course/")
    expect(patient_page.get_by_role("heading", name="My treatment course")).to_be_visible()
    expect(patient_page.get_by_text("1 of 6 sessions done")).to_be_visible()
    table = patient_page.get_by_role("table", name="PHQ-9 scores")
    expect(table.get_by_role("row", name=re.compile("Session 1 8 -10 Yes"))).to_be_visible()
