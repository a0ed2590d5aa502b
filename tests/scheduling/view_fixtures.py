"""Fixtures for the scheduling web tests (imported by tests/scheduling/test_views_*.py)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from scheduling.models import Appointment, AppointmentType, Provider
from tests.factories import PatientFactory
from tests.scheduling.factories import AppointmentFactory

# Monday 2 March 2026, 9 am in New York (EST, UTC-5). Providers work 9-17 on weekdays.
NOW = dt.datetime(2026, 3, 2, 14, tzinfo=dt.UTC)
WEDNESDAY_10AM = dt.datetime(2026, 3, 4, 15, tzinfo=dt.UTC)
THURSDAY_11AM = dt.datetime(2026, 3, 5, 16, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def appointment(frozen, patient, provider: Provider, phone_type: AppointmentType) -> Appointment:
    return AppointmentFactory(patient=patient, provider=provider, appointment_type=phone_type, start=WEDNESDAY_10AM)


def make_appointments(
    count: int,
    *,
    provider: Provider,
    appointment_type: AppointmentType,
    patient=None,
    start: dt.datetime = dt.datetime(2026, 3, 3, 14, tzinfo=dt.UTC),  # Tuesday 9 am
    status: str = Appointment.Status.CONFIRMED,
) -> None:
    """``count`` appointments 30 minutes apart from ``start``, each for its own or the given patient."""
    for n in range(count):
        AppointmentFactory(
            patient=patient or PatientFactory(),
            provider=provider,
            appointment_type=appointment_type,
            start=start + dt.timedelta(minutes=30 * n),
            status=status,
        )


def slot_param(start: dt.datetime) -> str:
    return start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def slot_urls(response) -> list[str]:
    """Each time the page offers, as the URL its button submits (a GET form's action plus its hidden fields)."""
    import re
    from html import unescape
    from urllib.parse import urlencode

    urls = []
    page = response.content.decode()
    for action, body in re.findall(
        r'<form method="get" action="([^"]+)" class="[^"]*slot-form">(.*?)</form>', page, re.S
    ):
        fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body)
        urls.append(f"{unescape(action)}?{urlencode([(k, unescape(v)) for k, v in fields], safe='/:')}")
    return urls
