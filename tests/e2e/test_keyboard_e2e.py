"""A visitor books with the keyboard alone (Tab, Enter and Space), and focus is always visible and never covered,
on a desktop and on a phone-sized window."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from scheduling.models import Appointment, AppointmentType
from tests.scheduling.factories import AppointmentTypeFactory, provider_with_hours

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return false;
  // Not obscured (WCAG 2.4.11): what sits at the middle of the focused element is the element itself.
  const box = el.getClientRects()[0] || el.getBoundingClientRect();  // a link that wraps: its first line
  const top = document.elementFromPoint(box.left + box.width / 2, box.top + Math.min(box.height / 2, 10));
  if (top && top !== el && !el.contains(top) && !top.contains(el)) return false;
  const style = getComputedStyle(el);
  // The site's focus style is a solid outline of at least 2px; Bootstrap's faint glow alone does not count.
  return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
}"""


@pytest.fixture
def phone_consultation(transactional_db) -> AppointmentType:
    appointment_type = AppointmentTypeFactory(
        slug="phone-consultation", name="Free 15-minute phone consultation", booking_horizon=dt.timedelta(days=60)
    )
    provider_with_hours(appointment_type, weekdays=EVERY_DAY, start=dt.time(0), end=dt.time(23, 45))
    return appointment_type


def tab_to(page: Page, target: Locator, *, limit: int = 80) -> int:
    """Press Tab until ``target`` has focus, checking at every stop that the focus can be seen. Returns the count."""
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        described = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        assert page.evaluate(FOCUS_VISIBLE), f"no visible focus on {described}"
        if target.evaluate("el => el === document.activeElement"):
            return count
    raise AssertionError(f"{target} never took focus in {limit} presses of Tab")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_visitor_books_with_the_keyboard_alone(page: Page, live_server, phone_consultation, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/book/")
    tab_to(page, page.get_by_role("link", name="Choose a time for the Free 15-minute phone consultation"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=re.compile(r"^[A-Z][a-z]+ \d{4}$"))).to_be_visible()
    tab_to(page, page.locator("a.day-open").first)
    page.keyboard.press("Enter")
    # Focus moves to the day's times, so the next Tab reaches the first time at once.
    times_heading = page.get_by_role("heading", name=re.compile(r"^Times on "))
    expect(times_heading).to_be_focused()
    assert tab_to(page, page.locator(".slot-list button").first, limit=3) == 1
    page.keyboard.press("Space")  # a time is a button: Space chooses it

    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    for label, keys in (
        ("Legal first name", "Jordan"),
        ("Legal last name", "Lee"),
        ("Email", "jordan.keys@example.com"),
        ("Phone", "617 555 0101"),
        ("Date of birth", "02031990"),
    ):
        tab_to(page, page.get_by_label(label))
        page.keyboard.type(keys)
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Confirm booking"))
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
    assert Appointment.objects.get().patient.user.email == "jordan.keys@example.com"
