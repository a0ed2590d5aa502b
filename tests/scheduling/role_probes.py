"""How the role walk tries each action of the scheduling table in docs/roles.md."""

from __future__ import annotations

import datetime as dt
import uuid

from django.urls import reverse
from django.utils import timezone

from clinic.lib.time import clinic_tz
from scheduling import selectors
from scheduling.forms import slot_param
from scheduling.models import Provider
from tests.factories import StaffFactory
from tests.role_walk import Call, Probe, World
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    ProviderFactory,
    TimeBlockFactory,
    provider_with_hours,
)


def _appointment(world: World):
    if "appointment" not in world.extra:
        start = (timezone.now() + dt.timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
        world.extra["appointment"] = AppointmentFactory(patient=world.patient, start=start)
    return world.extra["appointment"]


def _url(name: str, world: World) -> str:
    return reverse(f"scheduling:{name}", args=[_appointment(world).pk])


def _own_provider(world: World) -> Provider:
    """The acting staff member's own calendar (a patient or visitor acting gets the clinician's; never reached)."""
    if "own_provider" not in world.extra:
        user = world.staff.get(world.acting) or world.staff["Clinician"]
        world.extra["own_provider"] = ProviderFactory(user=user)
    return world.extra["own_provider"]


def _other_provider(world: World) -> Provider:
    if "other_provider" not in world.extra:
        world.extra["other_provider"] = ProviderFactory(user=StaffFactory())
    return world.extra["other_provider"]


def _block(provider: Provider) -> Call:
    day = timezone.localdate(timezone=clinic_tz()) + dt.timedelta(days=10)
    data = {
        "provider": provider.pk,
        "start": f"{day.isoformat()}T12:00",
        "end": f"{day.isoformat()}T13:00",
        "reason": "Team meeting",
    }
    return Call("POST", reverse("scheduling:staff-block-time"), data)


def _remove_block(provider: Provider) -> Call:
    start = timezone.now() + dt.timedelta(days=10)
    block = TimeBlockFactory(provider=provider, start=start, end=start + dt.timedelta(hours=1))
    return Call("POST", reverse("scheduling:staff-block-remove", args=[block.pk]))


def _book_short_notice(world: World) -> Call:
    """Book a real time inside the type's online notice (30 days, so some weekday is always inside it)."""
    appointment_type = AppointmentTypeFactory(slug="role-walk-short-notice", minimum_notice=dt.timedelta(days=30))
    provider = provider_with_hours(appointment_type)
    today = timezone.localdate(timezone=clinic_tz())
    slot = selectors.available_slots(
        appointment_type=appointment_type,
        start_date=today + dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=10),
        provider=provider,
        allow_short_notice=True,
    )[0]
    data = {
        "type": appointment_type.slug,
        "provider": provider.pk,
        "start": slot_param(slot.start),
        "idempotency_key": str(uuid.uuid4()),
        "short_notice": "1",
    }
    return Call("POST", reverse("scheduling:staff-book-confirm", args=[world.patient.pk]), data)


def _may_block_own(cell: str) -> bool:
    return cell in ("any provider", "their own")


def _may_block_any(cell: str) -> bool:
    return cell == "any provider"


PROBES = {
    "See the staff home page": [
        Probe("staff-home", lambda w: Call("GET", reverse("scheduling:staff-home"))),
    ],
    "See the calendars and appointment details": [
        Probe("calendar", lambda w: Call("GET", reverse("scheduling:staff-calendar"))),
        Probe("appointment-detail", lambda w: Call("GET", _url("staff-appointment-detail", w))),
    ],
    "Mark arrived, completed, no-show": [
        Probe("mark", lambda w: Call("POST", _url("staff-appointment-mark", w), {"action": "arrived"})),
    ],
    "Book by phone, reschedule, cancel": [
        Probe("book-find", lambda w: Call("GET", reverse("scheduling:staff-book"))),
        Probe("book-pick", lambda w: Call("GET", reverse("scheduling:staff-book-pick", args=[w.patient.pk]))),
        Probe("book-confirm", lambda w: Call("GET", reverse("scheduling:staff-book-confirm", args=[w.patient.pk]))),
        Probe("reschedule-pick", lambda w: Call("GET", _url("staff-appointment-reschedule", w))),
        Probe("reschedule-confirm", lambda w: Call("GET", _url("staff-appointment-reschedule-confirm", w))),
        Probe("reschedule", lambda w: Call("POST", _url("staff-appointment-reschedule-confirm", w))),
        Probe("cancel-form", lambda w: Call("GET", _url("staff-appointment-cancel", w))),
        Probe("cancel", lambda w: Call("POST", _url("staff-appointment-cancel", w), {"reason": "Patient asked"})),
    ],
    "Book by phone at short notice, inside the online minimum notice": [
        Probe("book-short-notice", _book_short_notice),
    ],
    "Register a new patient while booking": [
        Probe("book-new-patient", lambda w: Call("GET", reverse("scheduling:staff-book-new-patient"))),
    ],
    "Block time, and remove blocked time": [
        Probe("block-time-form", lambda w: Call("GET", reverse("scheduling:staff-block-time")), _may_block_own),
        Probe("block-own-time", lambda w: _block(_own_provider(w)), _may_block_own),
        Probe(
            "block-other-form",
            lambda w: Call("GET", reverse("scheduling:staff-block-time"), {"provider": _other_provider(w).pk}),
            _may_block_any,
        ),
        Probe("block-other-provider", lambda w: _block(_other_provider(w)), _may_block_any),
        Probe("remove-own-block", lambda w: _remove_block(_own_provider(w)), _may_block_own),
        Probe("remove-other-block", lambda w: _remove_block(_other_provider(w)), _may_block_any),
    ],
}
