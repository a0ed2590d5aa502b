"""Accessible authentication (WCAG 3.3.8): password managers and pasting work on every step of logging in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clinic.lib.roles import NURSE
from tests.factories import StaffFactory, give_backup_code

pytestmark = pytest.mark.django_db


def test_login_fields_name_what_a_password_manager_fills(client: Client) -> None:
    page = client.get(reverse("clinic:login")).content.decode()
    assert 'autocomplete="email"' in page
    assert 'autocomplete="current-password"' in page
    assert "onpaste" not in page and "oncopy" not in page


def test_new_passwords_are_marked_so_a_manager_can_suggest_one(client: Client) -> None:
    page = client.get(reverse("clinic:sign-up")).content.decode()
    assert page.count('autocomplete="new-password"') == 2


def test_the_second_step_takes_a_pasted_one_time_code(client: Client) -> None:
    nurse = StaffFactory(role=NURSE)
    give_backup_code(nurse)  # enrolled, so the step asks for a code
    client.force_login(nurse)
    page = client.get(reverse("clinic:two-factor")).content.decode()
    assert 'autocomplete="one-time-code"' in page
    assert "onpaste" not in page
