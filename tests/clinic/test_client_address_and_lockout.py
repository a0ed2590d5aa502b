"""The client's address behind trusted proxies, and login lockouts that one attacker cannot turn on a stranger
(issue 12, findings 7 and 10)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from clinic.lib.http import client_ip
from clinic.models import AccessLog
from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("clinic:login")
PROXY = "10.0.0.5"


def _ip(trusted: int, settings, forwarded: str | None, remote: str = PROXY) -> str | None:
    settings.TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, None, PROXY),
        (0, "203.0.113.9", PROXY),  # no trusted proxy: a visitor's header is ignored
        (1, None, PROXY),  # nothing forwarded: whoever connected is the client
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the visitor wrote 6.6.6.6; the proxy wrote the last one
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "198.51.100.7"),  # entered the chain at the inner proxy
        (1, "198.51.100.7:5123", "198.51.100.7"),
        (1, "[2001:db8::7]:443", "2001:db8::7"),
        (1, "not-an-address", None),
    ],
)
def test_client_address_is_read_through_the_trusted_proxies_only(trusted, forwarded, expected, settings) -> None:
    assert _ip(trusted, settings, forwarded) == expected


@pytest.mark.django_db
def test_access_log_records_the_client_behind_the_proxy(patient, nurse, staff_client_for, settings) -> None:
    settings.TRUSTED_PROXIES = 1
    client = staff_client_for(nurse)
    url = reverse("clinic:staff-patient-detail", args=[patient.pk])
    client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7")
    assert AccessLog.objects.get().ip_address == "198.51.100.7"


def _login(email: str, password: str, client_address: str) -> int:
    response = Client().post(
        LOGIN, {"username": email, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address
    )
    return response.status_code


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = 1
    settings.LOGIN_FAILURE_LIMITS = [(["username", "ip_address"], 5), ("username", 12), ("ip_address", 15)]
    return settings


@pytest.mark.django_db
def test_bad_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(behind_proxy) -> None:
    UserFactory(email="owner@example.com")
    for _ in range(4):
        assert _login("owner@example.com", "wrong-password!", "203.0.113.66") == 200
    assert _login("owner@example.com", "wrong-password!", "203.0.113.66") == 429  # the fifth locks
    assert _login("owner@example.com", PASSWORD, "203.0.113.66") == 429  # the attacker's address stays locked
    assert _login("owner@example.com", PASSWORD, "198.51.100.20") == 302  # the owner, elsewhere, is not


@pytest.mark.django_db
def test_guessing_one_password_from_many_addresses_still_locks_it(behind_proxy) -> None:
    UserFactory(email="owner@example.com")
    for n in range(11):  # at most 3 guesses from each address: no single address reaches 5
        assert _login("owner@example.com", "wrong-password!", f"203.0.113.{n // 3}") == 200
    assert _login("owner@example.com", "wrong-password!", "203.0.113.50") == 429  # the twelfth locks
    assert _login("owner@example.com", PASSWORD, "198.51.100.20") == 429


@pytest.mark.django_db
def test_spraying_many_accounts_from_one_address_locks_that_address(behind_proxy) -> None:
    UserFactory(email="someone@example.com")
    mine = UserFactory(email="sprayer@example.com")
    for n in range(8):
        assert _login(f"user{n}@example.com", "Summer2026!", "203.0.113.66") == 200
    # Logging in to their own account does not wipe the address's record of failures against others.
    assert _login(mine.email, PASSWORD, "203.0.113.66") == 302
    for n in range(8, 14):
        assert _login(f"user{n}@example.com", "Summer2026!", "203.0.113.66") == 200
    assert _login("user14@example.com", "Summer2026!", "203.0.113.66") == 429  # the fifteenth locks the address
    assert _login("someone@example.com", PASSWORD, "203.0.113.66") == 429
    assert _login("someone@example.com", PASSWORD, "198.51.100.20") == 302


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_header_earns_no_fresh_attempts(settings) -> None:
    UserFactory(email="owner@example.com")
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login("owner@example.com", "wrong-password!", f"203.0.113.{n}") == 200
    assert _login("owner@example.com", "wrong-password!", "203.0.113.77") == 429
    assert _login("owner@example.com", PASSWORD, "198.51.100.99") == 429
