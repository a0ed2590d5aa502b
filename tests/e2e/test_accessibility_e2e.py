"""axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) on every main page, as each kind of user sees it.

axe cannot judge everything; docs/accessibility.md says what is checked by hand and how.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from clinic.lib.roles import FRONT_DESK
from clinic.lib.time import clinic_tz
from tests.education.factories import ArticleFactory
from tests.factories import PatientFactory, StaffFactory, verify_second_factor
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, provider_with_hours

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
AXE = Axe()


def _violations(page: Page) -> str:
    options = {
        "runOnly": {"type": "tag", "values": WCAG_TAGS},
        # Experimental in axe, so off by default; it found a real fault here once, so it stays on.
        "rules": {"label-content-name-mismatch": {"enabled": True}},
        "resultTypes": ["violations"],
    }
    results = AXE.run(page, options=options)
    if not results.violations_count:
        return ""
    lines = []
    for violation in results.response["violations"]:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


def _log_in_as(context: BrowserContext, live_url: str, user, *, second_factor: bool) -> None:
    """Share a Django test client's session with the browser: the login pages have their own tests."""
    client = Client()
    client.force_login(user)
    if second_factor:
        verify_second_factor(client, user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": urlparse(live_url).hostname,
                "path": "/",
            }
        ]
    )


@pytest.fixture
def clinic_data(transactional_db) -> dict:
    appointment_type = AppointmentTypeFactory(
        slug="phone-consultation", name="Free 15-minute phone consultation", booking_horizon=dt.timedelta(days=60)
    )
    provider = provider_with_hours(
        appointment_type, weekdays=EVERY_DAY, start=dt.time(0), end=dt.time(23, 45), display_name="Dr. Avery Stone"
    )
    article = ArticleFactory(title="Why we screen blood pressure", required_before_treatment=True)
    patient = PatientFactory()
    start = (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    appointment = AppointmentFactory(patient=patient, provider=provider, appointment_type=appointment_type, start=start)
    # A type whose online notice (3 days) covers tomorrow, for the short-notice times the front desk may book.
    notice_type = AppointmentTypeFactory(slug="assessment", name="Assessment", minimum_notice=dt.timedelta(days=3))
    notice_provider = provider_with_hours(notice_type, weekdays=EVERY_DAY, start=dt.time(9), end=dt.time(17))
    tomorrow = timezone.localdate(timezone=clinic_tz()) + dt.timedelta(days=1)
    short_notice = AppointmentFactory(
        patient=patient,
        provider=notice_provider,
        appointment_type=notice_type,
        start=dt.datetime.combine(tomorrow, dt.time(9), tzinfo=clinic_tz()),
        short_notice=True,
        booked_by=StaffFactory(first_name="Robin", last_name="Desk"),
    )
    return {
        "type": appointment_type,
        "article": article,
        "patient": patient,
        "appointment": appointment,
        "notice_type": notice_type,
        "notice_provider": notice_provider,
        "tomorrow": tomorrow,
        "short_notice": short_notice,
    }


def _short_notice_confirm(d: dict) -> str:
    start = dt.datetime.combine(d["tomorrow"], dt.time(12), tzinfo=clinic_tz()).astimezone(dt.UTC)
    query = f"?type={d['notice_type'].slug}&provider={d['notice_provider'].pk}&start={start:%Y-%m-%dT%H:%MZ}"
    return reverse("scheduling:staff-book-confirm", args=[d["patient"].pk]) + query + "&short_notice=1"


def _month_starting_mid_week() -> str:
    """This month or one of the next two, whichever first starts after a Sunday: its grid opens with days of the
    month before (the calendar's weeks start on Sunday)."""
    first = timezone.localdate().replace(day=1)
    while first.isoweekday() == 7:
        first = (first + dt.timedelta(days=31)).replace(day=1)
    return f"{first:%Y-%m}"


PUBLIC_PAGES: dict[str, Callable[[dict], str]] = {
    "home": lambda d: reverse("clinic:home"),
    "education index": lambda d: reverse("education:article-list"),
    "article": lambda d: reverse("education:article-detail", args=[d["article"].slug]),
    "search": lambda d: reverse("education:search") + "?q=blood+pressure",
    "booking: choose a type": lambda d: reverse("scheduling:book-start"),
    "booking: choose a time": lambda d: reverse("scheduling:book-pick", args=[d["type"].slug]),
    "booking: a month that starts mid-week": lambda d: (
        reverse("scheduling:book-pick", args=[d["type"].slug]) + f"?month={_month_starting_mid_week()}"
    ),
    "login": lambda d: reverse("clinic:login"),
    "sign-up": lambda d: reverse("clinic:sign-up"),
    "password reset": lambda d: reverse("clinic:password-reset"),
}
PATIENT_PAGES: dict[str, Callable[[dict], str]] = {
    "portal": lambda d: reverse("scheduling:portal-home"),
    "required reading": lambda d: reverse("education:required-reading"),
    "my appointments": lambda d: reverse("scheduling:my-appointments"),
    "appointment": lambda d: reverse("scheduling:appointment-detail", args=[d["appointment"].pk]),
    "my details": lambda d: reverse("clinic:profile"),
}
STAFF_PAGES: dict[str, Callable[[dict], str]] = {
    "staff home": lambda d: reverse("scheduling:staff-home"),
    "calendar, day": lambda d: reverse("scheduling:staff-calendar"),
    "calendar, week": lambda d: reverse("scheduling:staff-calendar") + "?view=week",
    "appointment, staff": lambda d: reverse("scheduling:staff-appointment-detail", args=[d["appointment"].pk]),
    "book by phone": lambda d: reverse("scheduling:staff-book"),
    "book by phone: choose a time": lambda d: (
        reverse("scheduling:staff-book-pick", args=[d["patient"].pk]) + f"?type={d['type'].slug}"
    ),
    "book by phone: times at short notice": lambda d: (
        reverse("scheduling:staff-book-pick", args=[d["patient"].pk])
        + f"?type={d['notice_type'].slug}&date={d['tomorrow']:%Y-%m-%d}&month={d['tomorrow']:%Y-%m}"
    ),
    "book by phone: confirm at short notice": _short_notice_confirm,
    "appointment booked at short notice, staff": lambda d: reverse(
        "scheduling:staff-appointment-detail", args=[d["short_notice"].pk]
    ),
    "patients": lambda d: reverse("clinic:staff-patient-list"),
    "patient record": lambda d: reverse("clinic:staff-patient-detail", args=[d["patient"].pk]),
}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages(page: Page, live_server, clinic_data, name: str) -> None:
    page.goto(live_server.url + PUBLIC_PAGES[name](clinic_data))
    assert not (found := _violations(page)), f"{name}:\n{found}"


def test_booking_steps_after_choosing_a_time(page: Page, live_server, clinic_data) -> None:
    page.goto(live_server.url + PUBLIC_PAGES["booking: choose a time"](clinic_data))
    page.locator("a.day-open").first.click()
    assert not (found := _violations(page)), f"times of a day:\n{found}"
    page.locator(".slot-list button").first.click()
    assert not (found := _violations(page)), f"details:\n{found}"
    page.get_by_label("Legal first name").fill("Jordan")
    page.get_by_label("Legal last name").fill("Lee")
    page.get_by_label("Email").fill("jordan.lee@example.com")
    page.get_by_label("Phone").fill("617 555 0101")
    page.get_by_label("Date of birth").fill("1990-02-03")
    page.get_by_role("button", name="Continue").click()
    assert not (found := _violations(page)), f"confirm:\n{found}"
    page.get_by_role("button", name="Confirm booking").click()
    assert not (found := _violations(page)), f"booked:\n{found}"


@pytest.mark.parametrize("name", PATIENT_PAGES)
def test_patient_pages(page: Page, context: BrowserContext, live_server, clinic_data, name: str) -> None:
    _log_in_as(context, live_server.url, clinic_data["patient"].user, second_factor=False)
    page.goto(live_server.url + PATIENT_PAGES[name](clinic_data))
    assert not (found := _violations(page)), f"{name}:\n{found}"


def test_second_factor_step(page: Page, context: BrowserContext, live_server, clinic_data) -> None:
    _log_in_as(context, live_server.url, StaffFactory(role=FRONT_DESK), second_factor=False)
    page.goto(live_server.url + reverse("clinic:two-factor"))
    assert not (found := _violations(page)), f"second factor:\n{found}"


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages(page: Page, context: BrowserContext, live_server, clinic_data, name: str) -> None:
    _log_in_as(context, live_server.url, StaffFactory(role=FRONT_DESK), second_factor=True)
    page.goto(live_server.url + STAFF_PAGES[name](clinic_data))
    assert not (found := _violations(page)), f"{name}:\n{found}"


def test_the_short_notice_pages_show_it(page: Page, context: BrowserContext, live_server, clinic_data) -> None:
    """The pages axe checked above are the real ones: the marked times, the warning, the record."""
    _log_in_as(context, live_server.url, StaffFactory(role=FRONT_DESK), second_factor=True)
    page.goto(live_server.url + STAFF_PAGES["book by phone: times at short notice"](clinic_data))
    assert page.locator(".slot-button .badge", has_text="Short notice").count() > 0
    page.goto(live_server.url + STAFF_PAGES["book by phone: confirm at short notice"](clinic_data))
    assert page.get_by_role("button", name="Book it at short notice").is_visible()
    page.goto(live_server.url + STAFF_PAGES["appointment booked at short notice, staff"](clinic_data))
    assert page.get_by_text("Booked by phone inside the online booking notice, by Robin Desk").is_visible()
