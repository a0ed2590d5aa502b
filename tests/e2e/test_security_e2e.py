"""In a real browser: htmx keeps no page snapshots, and going back after an htmx step shows the whole page; staff
searches leave no term in the address bar (issue 12, findings 12 and 13)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

from tests.factories import PatientFactory, StaffFactory, give_backup_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _staff_page(page: Page, live_server) -> None:
    nurse = StaffFactory(role="Nurse", email="nurse@example.com")
    code = give_backup_code(nurse, "nurse001")
    client = Client()
    client.force_login(nurse)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.goto(f"{live_server.url}/staff/")
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Staff home")).to_be_visible()


def test_search_then_back_shows_whole_pages_and_nothing_is_kept_in_storage(page: Page, live_server) -> None:
    PatientFactory(legal_first_name="Morgan", legal_last_name="Quinn")
    PatientFactory(legal_first_name="Avery", legal_last_name="Okafor")
    _staff_page(page, live_server)
    page.goto(f"{live_server.url}/staff/patients/")
    expect(page.get_by_role("link", name="Okafor, Avery")).to_be_visible()

    page.get_by_placeholder("Name, email or phone").fill("Quinn")
    expect(page.get_by_role("link", name="Okafor, Avery")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/staff/patients/\?search=[\w-]+$"))
    assert "Quinn" not in page.url

    page.go_back()
    expect(page.get_by_role("heading", name="Patients")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()  # a whole page, not an htmx fragment
    expect(page.get_by_role("link", name="Okafor, Avery")).to_be_visible()
    assert page.evaluate("window.sessionStorage.getItem('htmx-history-cache')") is None
