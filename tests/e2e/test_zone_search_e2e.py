"""The time-zone list in a real browser: the detected zone first (by its current name), a search box that filters
the list and picks with Enter, and a list that still works without JavaScript."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from scheduling.models import AppointmentType
from tests.e2e.test_accessibility_e2e import _violations
from tests.scheduling.factories import AppointmentTypeFactory, provider_with_hours

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    # Chromium reports India's zone by its old name, Asia/Calcutta; the list knows it as Asia/Kolkata.
    return {**browser_context_args, "timezone_id": "Asia/Calcutta"}


@pytest.fixture
def phone_consultation(transactional_db) -> AppointmentType:
    appointment_type = AppointmentTypeFactory(
        slug="phone-consultation", name="Free 15-minute phone consultation", booking_horizon=dt.timedelta(days=60)
    )
    provider_with_hours(appointment_type, weekdays=(0, 1, 2, 3, 4, 5, 6), start=dt.time(0), end=dt.time(23, 45))
    return appointment_type


def pick_url(live_server) -> str:
    return live_server.url + reverse("scheduling:book-pick", args=["phone-consultation"])


def test_the_detected_zone_comes_first_and_the_search_picks_a_zone(page: Page, live_server, phone_consultation) -> None:
    page.goto(pick_url(live_server))
    # Detected, mapped from the browser's old name to the current one, and the times reloaded in it.
    page.wait_for_url(re.compile(r"tz=Asia%2FKolkata"))
    expect(page.locator("form").get_by_text("Times are shown in India Standard Time – Kolkata")).to_be_visible()
    zones = page.get_by_label("Show times in")
    expect(zones).to_have_value("Asia/Kolkata")
    first_group = zones.locator("optgroup").first
    expect(first_group).to_have_attribute("label", "Your zone")
    expect(first_group.locator("option").first).to_have_text("India Standard Time – Kolkata")

    search = page.get_by_label("Search time zones")
    search.fill("los angeles")
    status = page.get_by_role("status")
    expect(status).to_have_text("1 time zone matches: Pacific Time – Los Angeles.")
    # The list holds the match and the chosen zone, nothing else; the choice is unchanged until one is made.
    expect(zones.locator("option")).to_have_count(2)
    expect(zones).to_have_value("Asia/Kolkata")
    assert "tz=Asia%2FKolkata" in page.url  # typing reloaded nothing
    assert not _violations(page), _violations(page)

    search.press("Enter")
    page.wait_for_url(re.compile(r"tz=America%2FLos_Angeles"))
    expect(page.locator("form").get_by_text("Times are shown in Pacific Time – Los Angeles")).to_be_visible()
    expect(page.get_by_label("Show times in")).to_be_focused()  # focus is not lost to the page body

    # A country finds its zones; choosing one in the filtered list reloads the times too.
    page.get_by_label("Search time zones").fill("germany")
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\d+ time zones match\.$"))
    zones = page.get_by_label("Show times in")
    expect(zones.locator('option[value="Europe/Berlin"]')).to_have_count(1)
    expect(zones.locator('option[value="Europe/Paris"]')).to_have_count(0)
    zones.select_option("Europe/Berlin")
    page.wait_for_url(re.compile(r"tz=Europe%2FBerlin"))
    expect(page.locator("form").get_by_text("Times are shown in Central European Time – Berlin")).to_be_visible()

    page.get_by_label("Search time zones").fill("nowhere at all")
    expect(page.get_by_role("status")).to_have_text("No time zone matches.")


def test_without_javascript_the_list_still_works(browser: Browser, live_server, phone_consultation) -> None:
    context = browser.new_context(java_script_enabled=False, timezone_id="Asia/Calcutta")
    page = context.new_page()
    try:
        page.goto(pick_url(live_server))
        expect(page.get_by_label("Search time zones")).to_have_count(0)  # no box that would do nothing
        page.get_by_label("Show times in").select_option("America/Los_Angeles")
        page.get_by_role("button", name="Update times").click()
        page.wait_for_url(re.compile(r"tz=America%2FLos_Angeles"))
        expect(page.get_by_text("Times are shown in Pacific Time – Los Angeles")).to_be_visible()
    finally:
        context.close()
