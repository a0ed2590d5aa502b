"""A patient fills the whole questionnaire across two browsers and submits; a clinician approves. A second patient
answers item 9, sees crisis resources at once, answers the C-SSRS with high risk and leaves; staff are alerted."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from intake import selectors
from intake.models import ClinicSettings, Screening, UrgentAlert
from tests.factories import PASSWORD, PatientFactory, StaffFactory, give_backup_code
from tests.intake.answers import CSSRS_HIGH, clean_posts

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/account/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("^Hello"))).to_be_visible()


def staff_session(page: Page, live_url: str, user: Any) -> None:
    code = give_backup_code(user, f"e2e{user.pk:05d}")
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_url}])
    page.goto(f"{live_url}/staff/")
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Staff home")).to_be_visible()


def answer(page: Page, post: dict[str, Any]) -> None:
    for name, value in post.items():
        if isinstance(value, list):
            for item in value:
                page.locator(f"input[name='{name}'][value='{item}']").check()
        elif value == "on":
            page.locator(f"input[name='{name}']").check()
        elif page.locator(f"input[type=radio][name='{name}']").count():
            page.locator(f"input[name='{name}'][value='{value}']").check()
        else:
            page.locator(f"[name='{name}']").fill(value)


def save_step(page: Page, title: str, post: dict[str, Any]) -> None:
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    answer(page, post)
    page.get_by_role("button", name="Save and continue").click()


TITLES = {
    "about": "About you",
    "blood_pressure": "Blood pressure",
    "history": "Heart, brain and other history",
    "mental_health": "Mental health history",
    "mood": "Mood",
    "safety": "Your safety",
    "substances": "Alcohol and drugs",
    "medications": "Medicines",
    "consent": "Consent",
}


def test_patient_completes_resumes_and_submits_then_a_clinician_approves(browser: Browser, live_server) -> None:
    patient = PatientFactory(legal_first_name="Robin", legal_last_name="Ash")
    clinician = StaffFactory(role="Clinician")
    posts = clean_posts()
    steps = list(posts)

    first = browser.new_context()
    page = first.new_page()
    log_in(page, live_server.url, patient.user.email)
    page.get_by_role("link", name="Fill in the questionnaire").click()
    page.get_by_role("button", name="Start the questionnaire").click()
    for slug in steps[:4]:
        save_step(page, TITLES[slug], posts[slug])
    expect(page.get_by_role("heading", name="Mood", exact=True)).to_be_visible()
    first.close()

    second = browser.new_context()  # another device: the draft is on the server
    page = second.new_page()
    log_in(page, live_server.url, patient.user.email)
    page.goto(f"{live_server.url}/portal/screening/")
    expect(page.get_by_text("4 of 8 sections done", exact=True)).to_be_visible()
    page.get_by_role("button", name="Continue the questionnaire").click()
    for slug in steps[4:]:
        save_step(page, TITLES[slug], posts[slug])
    expect(page.get_by_role("heading", name="Check your answers and send them")).to_be_visible()
    expect(page.get_by_text("sertraline 50 mg")).to_be_visible()
    page.get_by_role("button", name="Send my answers to the care team").click()
    expect(page.get_by_role("heading", name="My answers")).to_be_visible()
    expect(page.get_by_text("Submitted, awaiting review").first).to_be_visible()
    second.close()

    staff = browser.new_context()
    page = staff.new_page()
    staff_session(page, live_server.url, clinician)
    page.goto(f"{live_server.url}/staff/screenings/")
    page.get_by_role("link", name="Robin Ash").click()
    expect(page.get_by_role("heading", name="Flags")).to_be_visible()
    page.get_by_label("Approve for treatment").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded")).to_be_visible()
    assert Screening.objects.get(patient=patient).status == "approved"
    assert any(m.to == [patient.user.email] and "news" in m.subject.lower() for m in mail.outbox)
    staff.close()


def test_item_9_shows_crisis_resources_and_high_risk_alerts_staff(browser: Browser, live_server) -> None:
    selectors.clinic_settings()  # the flush removed the row the migration made
    ClinicSettings.objects.filter(pk=1).update(oncall_recipients="oncall@example.com")
    patient = PatientFactory()
    nurse = StaffFactory(role="Nurse")
    posts = clean_posts()

    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, patient.user.email)
    page.goto(f"{live_server.url}/portal/screening/")
    page.get_by_role("button", name="Start the questionnaire").click()
    for slug in ("about", "blood_pressure", "history", "mental_health"):
        save_step(page, TITLES[slug], posts[slug])
    crisis = page.locator("#crisis-resources")
    expect(crisis).to_be_hidden()
    page.locator("input[name='phq9_9'][value='2']").check()
    expect(crisis).to_be_visible()  # at once, before any save
    expect(crisis).to_contain_text("988")
    save_step(page, "Mood", posts["mood"] | {"phq9_9": "2"})
    expect(page.locator("#crisis-resources")).to_be_visible()
    expect(page.get_by_text("Was that within the past 3 months?")).to_be_hidden()  # follows a "yes" only
    save_step(page, "Your safety", CSSRS_HIGH)
    expect(page.get_by_role("heading", name="Alcohol and drugs", exact=True)).to_be_visible()
    context.close()  # never submitted

    alert = UrgentAlert.objects.get()
    [email] = [m for m in mail.outbox if m.to == ["oncall@example.com"]]
    assert f"/staff/screening-alerts/{alert.pk}/" in email.body  # a link that names nothing
    assert patient.legal_last_name not in email.body

    staff = browser.new_context()
    page = staff.new_page()
    staff_session(page, live_server.url, nurse)
    expect(page.get_by_text("1 urgent screening alert not yet acknowledged")).to_be_visible()
    expect(page.get_by_role("link", name="open the screening")).to_be_visible()  # the banner's own link
    page.goto(f"{live_server.url}/staff/screening-alerts/{alert.pk}/")  # the email's link leads to the screening
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Alert acknowledged")).to_be_visible()
    page.goto(f"{live_server.url}/staff/")
    expect(page.get_by_text("urgent screening alert")).to_have_count(0)
    page.goto(f"{live_server.url}/staff/screenings/")  # the draft stays in the queue until submitted and decided
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=patient.full_name))
    expect(row).to_contain_text("Draft — urgent alert acknowledged")
    alert.refresh_from_db()
    assert alert.acknowledged_by == nurse
    staff.close()
