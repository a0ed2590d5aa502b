"""A visitor books, reschedules and cancels from the emailed link; the front desk books by phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import Page, expect

from scheduling.models import Appointment, AppointmentType
from tests.factories import PatientFactory, StaffFactory, give_backup_code
from tests.scheduling.factories import AppointmentTypeFactory, provider_with_hours

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    # The visitor's browser is in Denver; the clinic is in New York.
    return {**browser_context_args, "timezone_id": "America/Denver"}


@pytest.fixture
def phone_consultation(transactional_db) -> AppointmentType:
    appointment_type = AppointmentTypeFactory(
        slug="phone-consultation", name="Free 15-minute phone consultation", booking_horizon=dt.timedelta(days=60)
    )
    # Open every day, most of the day, so the test finds times whatever the hour it runs.
    provider_with_hours(
        appointment_type, weekdays=EVERY_DAY, start=dt.time(0), end=dt.time(23, 45), display_name="Dr. Avery Stone"
    )
    return appointment_type


def choose_time(page: Page, *, day: int = 0) -> None:
    """Pick the ``day``-th day with openings (this month or the next), then its first time.

    Patients can change an appointment only until 24 hours before, so the flows that change it later
    book two days ahead or more.
    """
    days = page.locator("a.day-open")
    expect(page.get_by_role("heading", name=re.compile(r"^[A-Z][a-z]+ \d{4}$"))).to_be_visible()
    if days.count() <= day:
        page.get_by_role("link", name=re.compile(r"^Next month")).first.click()
        expect(days.nth(day)).to_be_visible()
    days.nth(day).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Times on "))).to_be_visible()
    page.locator(".slot-list button").first.click()


def link_in(message: mail.EmailMessage, path_pattern: str, live_url: str) -> str:
    url = re.search(rf"https?://\S+{path_pattern}", message.body).group(0)
    return re.sub(r"^https?://[^/]+", live_url, url)


def test_visitor_books_reschedules_and_cancels(page: Page, live_server, phone_consultation) -> None:
    page.goto(live_server.url)
    page.locator(".hero").get_by_role("link", name="Book a consultation").click()
    page.get_by_role("link", name="Choose a time for the Free 15-minute phone consultation").click()

    # The browser's zone is detected and the times reload in it.
    page.wait_for_url(re.compile(r"tz=America%2FDenver"))
    expect(page.get_by_label("Show times in")).to_have_value("America/Denver")
    choose_time(page, day=2)

    page.get_by_label("Legal first name").fill("Jordan")
    page.get_by_label("Legal last name").fill("Lee")
    page.get_by_label("Email").fill("jordan.lee@example.com")
    page.get_by_label("Phone").fill("617 555 0101")
    page.get_by_label("Date of birth").fill("1990-02-03")
    expect(page.get_by_label("Your time zone")).to_have_value("America/Denver")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    expect(page.get_by_text("Clinic time:")).to_be_visible()
    page.get_by_role("button", name="Confirm booking").click()
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()

    appointment = Appointment.objects.get()
    assert appointment.patient.user.email == "jordan.lee@example.com"
    assert appointment.patient.time_zone == "America/Denver"
    first_start = appointment.start
    confirmation = next(m for m in mail.outbox if m.attachments)
    assert confirmation.to == ["jordan.lee@example.com"]
    assert any("password" in m.body.lower() for m in mail.outbox if m is not confirmation)

    # Reschedule from the emailed link, without logging in.
    manage_url = link_in(confirmation, r"/manage/\S+/", live_server.url)
    page.goto(manage_url)
    expect(page.get_by_role("heading", name="Your appointment")).to_be_visible()
    page.get_by_role("link", name="Reschedule").click()
    expect(page.get_by_role("heading", name="Choose a new time")).to_be_visible()
    choose_time(page, day=3)
    expect(page.get_by_role("heading", name="Move your appointment?")).to_be_visible()
    page.get_by_role("button", name="Move my appointment").click()
    expect(page.get_by_text("Your appointment is moved")).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.start != first_start
    sent = len(mail.outbox)
    assert sent >= 3

    # Then cancel it, after a confirmation page.
    page.get_by_role("link", name="Cancel this appointment").click()
    expect(page.get_by_role("heading", name="Cancel this appointment?")).to_be_visible()
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.get_by_text("Your appointment is cancelled")).to_be_visible()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert len(mail.outbox) == sent + 1


def test_front_desk_books_by_phone_and_sees_it_on_the_calendar(page: Page, live_server, phone_consultation) -> None:
    desk = StaffFactory(role="Front desk", email="desk@example.com")
    code = give_backup_code(desk, "desk0001")
    caller = PatientFactory(legal_first_name="Morgan", legal_last_name="Quinn")

    # The password step is covered by the accounts tests; here the session starts logged in (see the
    # report: LoginView.get_success_url calls is_verified() on the plain user after login()), and the
    # second factor is passed in the browser.
    client = Client()
    client.force_login(desk)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie, "url": live_server.url}])
    page.goto(f"{live_server.url}/staff/")
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Staff home")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Book by phone").click()
    page.get_by_placeholder("Name, email or phone").fill("Quinn")
    expect(page.get_by_role("link", name="Book for Morgan Quinn")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/staff/book/\?search=[\w-]+$"))  # the search is POSTed: no name in the URL
    assert "Quinn" not in page.url
    page.get_by_role("link", name="Book for Morgan Quinn").click()
    expect(page.get_by_role("heading", name="Book for Morgan Quinn")).to_be_visible()
    choose_time(page)
    page.get_by_role("button", name="Book it").click()
    expect(page.get_by_text("Booked. The patient has been emailed")).to_be_visible()

    booked = Appointment.objects.get()
    assert booked.patient == caller
    assert booked.booked_by == desk
    assert any(m.to == [caller.user.email] for m in mail.outbox)

    page.get_by_role("link", name="Back to the calendar").click()
    expect(page.get_by_role("heading", name="Calendar")).to_be_visible()
    expect(page.get_by_role("link", name="Morgan Quinn")).to_be_visible()
