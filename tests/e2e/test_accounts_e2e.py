from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, StaffFactory, give_backup_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_new_patient_signs_up_confirms_logs_in_and_out(page: Page, live_server) -> None:
    page.goto(live_server.url)
    page.get_by_role("link", name="Create an account").first.click()

    page.get_by_label("Email").fill("new.patient@example.com")
    page.locator("#id_password1").fill("a-very-long-passphrase-77")
    page.get_by_label("Password again").fill("a-very-long-passphrase-77")
    page.get_by_label("Legal first name").fill("Jordan")
    page.get_by_label("Legal last name").fill("Lee")
    page.get_by_label("Date of birth").fill("1990-02-03")
    page.get_by_label("Phone").fill("617 555 0101")
    page.get_by_role("combobox", name="Time zone").select_option("America/Denver")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/account/verify/\S+/", mail.outbox[0].body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    expect(page.get_by_role("heading", name="Hello, Jordan")).to_be_visible()

    page.get_by_role("button", name="new.patient@example.com").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="You are logged out")).to_be_visible()

    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Email").fill("New.Patient@Example.com")
    page.get_by_label("Password").fill("a-very-long-passphrase-77")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Jordan")).to_be_visible()


def test_staff_logs_in_with_a_backup_code(page: Page, live_server) -> None:
    user = StaffFactory(role="Nurse", email="nurse@example.com")
    code = give_backup_code(user, "abcd1234")

    page.goto(f"{live_server.url}/staff/")
    page.get_by_label("Email").fill("nurse@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()

    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Staff home")).to_be_visible()
