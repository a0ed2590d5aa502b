"""How the role walk tries each action of the scheduling table in docs/roles.md."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tests.role_walk import Call, Probe, World
from tests.scheduling.factories import AppointmentFactory


def _appointment(world: World):
    if "appointment" not in world.extra:
        start = (timezone.now() + dt.timedelta(days=3)).replace(hour=15, minute=0, second=0, microsecond=0)
        world.extra["appointment"] = AppointmentFactory(patient=world.patient, start=start)
    return world.extra["appointment"]


def _url(name: str, world: World) -> str:
    return reverse(f"scheduling:{name}", args=[_appointment(world).pk])


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
    "Cancel": [
        Probe("cancel-form", lambda w: Call("GET", _url("staff-appointment-cancel", w))),
        Probe("cancel", lambda w: Call("POST", _url("staff-appointment-cancel", w), {"reason": "Patient asked"})),
    ],
    "Book by phone": [
        Probe("book-find", lambda w: Call("GET", reverse("scheduling:staff-book"))),
        Probe("book-pick", lambda w: Call("GET", reverse("scheduling:staff-book-pick", args=[w.patient.pk]))),
        Probe("book-confirm", lambda w: Call("GET", reverse("scheduling:staff-book-confirm", args=[w.patient.pk]))),
    ],
    "Register a new patient while booking": [
        Probe("book-new-patient", lambda w: Call("GET", reverse("scheduling:staff-book-new-patient"))),
    ],
    "Block time": [
        Probe("block-time", lambda w: Call("GET", reverse("scheduling:staff-block-time"))),
    ],
}
