from __future__ import annotations

import datetime as dt
from urllib.parse import unquote

import pytest
from django.urls import reverse

from scheduling.links import manage_token
from scheduling.models import Appointment
from tests.scheduling import view_fixtures
from tests.scheduling.factories import AppointmentFactory
from tests.scheduling.view_fixtures import THURSDAY_11AM, WEDNESDAY_10AM, slot_param

appointment = view_fixtures.appointment
frozen = view_fixtures.frozen

pytestmark = pytest.mark.usefixtures("frozen")

NAMES = [
    "scheduling:manage",
    "scheduling:manage-cancel",
    "scheduling:manage-reschedule",
    "scheduling:manage-reschedule-confirm",
]


def link(name: str, appointment: Appointment, token: str | None = None) -> str:
    return reverse(name, kwargs={"token": token or manage_token(appointment)})


def test_link_shows_the_appointment_without_login(anon_client, appointment) -> None:
    response = anon_client.get(link("scheduling:manage", appointment))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Your appointment" in content
    assert "Wednesday, March 4, 2026 at 10:00 AM" in content
    assert link("scheduling:manage-cancel", appointment) in content
    assert 'name="robots" content="noindex"' in content


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("token", ["forged", "eyJhIjoxfQ:1vMx2s:tampered-signature", "a" * 300])
def test_forged_link_is_a_clear_400(anon_client, appointment, name, token) -> None:
    response = anon_client.get(link(name, appointment, token))
    assert response.status_code == 400
    assert b"This link is not valid" in response.content


def test_token_of_another_appointment_cannot_be_edited_into_this_one(anon_client, appointment) -> None:
    token = manage_token(appointment)
    payload, rest = token.split(":", 1)
    response = anon_client.get(link("scheduling:manage", appointment, f"{payload}x:{rest}"))
    assert response.status_code == 400


def test_expired_link_is_a_clear_400(anon_client, appointment, frozen) -> None:
    token = manage_token(appointment)
    frozen.move_to(WEDNESDAY_10AM + dt.timedelta(days=10))
    response = anon_client.get(link("scheduling:manage", appointment, token))
    assert response.status_code == 400
    assert b"This link has expired" in response.content


def test_cancel_through_the_link(anon_client, appointment) -> None:
    target = link("scheduling:manage-cancel", appointment)
    assert b"Cancel this appointment?" in anon_client.get(target).content
    response = anon_client.post(target, {"reason": ""})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancelled_by is None


def test_reschedule_through_the_link(anon_client, appointment) -> None:
    picker = anon_client.get(link("scheduling:manage-reschedule", appointment) + "?date=2026-03-05&month=2026-03")
    assert picker.status_code == 200
    assert slot_param(THURSDAY_11AM) in unquote(picker.content.decode())
    target = link("scheduling:manage-reschedule-confirm", appointment)
    assert anon_client.get(f"{target}?start={slot_param(THURSDAY_11AM)}").status_code == 200
    response = anon_client.post(target, {"start": slot_param(THURSDAY_11AM)})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == THURSDAY_11AM


def test_link_reschedule_after_cutoff_is_refused(anon_client, appointment, frozen) -> None:
    frozen.move_to(WEDNESDAY_10AM - dt.timedelta(hours=3))
    response = anon_client.post(
        link("scheduling:manage-reschedule-confirm", appointment), {"start": slot_param(THURSDAY_11AM)}
    )
    assert response.status_code == 400
    assert b"too late" in response.content
    appointment.refresh_from_db()
    assert appointment.start == WEDNESDAY_10AM


def test_cancelled_appointment_offers_no_changes(anon_client, appointment) -> None:
    Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancelled_at=WEDNESDAY_10AM)
    response = anon_client.get(link("scheduling:manage", appointment))
    assert response.status_code == 200
    assert link("scheduling:manage-cancel", appointment).encode() not in response.content
    assert anon_client.post(link("scheduling:manage-cancel", appointment)).status_code == 400


def test_link_taken_slot_offers_alternatives(anon_client, appointment, provider, phone_type) -> None:
    AppointmentFactory(provider=provider, appointment_type=phone_type, start=THURSDAY_11AM)
    response = anon_client.post(
        link("scheduling:manage-reschedule-confirm", appointment), {"start": slot_param(THURSDAY_11AM)}
    )
    assert response.status_code == 409


@pytest.mark.parametrize(("name", "method"), [("scheduling:manage", "post"), ("scheduling:manage-cancel", "put")])
def test_link_wrong_method_is_405(anon_client, appointment, name, method) -> None:
    assert getattr(anon_client, method)(link(name, appointment)).status_code == 405
