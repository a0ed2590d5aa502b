from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import signing

from scheduling.links import appointment_from_token, manage_path, manage_token
from tests.scheduling.factories import AppointmentFactory

START = dt.datetime(2026, 3, 9, 14, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)


@pytest.fixture
def appointment(db):
    with time_machine.travel(NOW, tick=False):
        return AppointmentFactory(start=START)


def test_round_trip(appointment) -> None:
    with time_machine.travel(NOW, tick=False):
        token = manage_token(appointment)
        assert appointment_from_token(token) == appointment
        assert token in manage_path(appointment)


def test_tampered_token_fails(appointment) -> None:
    with time_machine.travel(NOW, tick=False):
        token = manage_token(appointment)
        other = AppointmentFactory(start=START + dt.timedelta(hours=1))
        forged_payload = signing.dumps({"a": other.pk}, salt="another-salt", compress=True)
        for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "garbage", forged_payload, ""):
            with pytest.raises(signing.BadSignature):
                appointment_from_token(bad)


def test_token_for_a_deleted_appointment_fails(appointment) -> None:
    with time_machine.travel(NOW, tick=False):
        token = manage_token(appointment)
        appointment.delete()
        with pytest.raises(signing.BadSignature):
            appointment_from_token(token)


def test_expires_a_few_days_after_the_appointment(appointment) -> None:
    with time_machine.travel(NOW, tick=False):
        token = manage_token(appointment)
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        assert appointment_from_token(token) == appointment
    with time_machine.travel(START + dt.timedelta(days=4), tick=False), pytest.raises(signing.SignatureExpired):
        appointment_from_token(token)


def test_expires_after_the_hard_cap_even_for_a_far_appointment(db) -> None:
    with time_machine.travel(NOW, tick=False):
        far = AppointmentFactory(start=NOW + dt.timedelta(days=300))
        token = manage_token(far)
    with time_machine.travel(NOW + dt.timedelta(days=121), tick=False), pytest.raises(signing.SignatureExpired):
        appointment_from_token(token)
