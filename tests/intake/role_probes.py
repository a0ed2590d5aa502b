"""How the role walk tries each action of the intake table in docs/roles.md."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from intake.models import UrgentAlert
from tests.intake.answers import submitted
from tests.role_walk import Call, Probe, World


def _screening(world: World):
    if "screening" not in world.extra:
        world.extra["screening"] = submitted(world.patient)
    return world.extra["screening"]


def _url(name: str, world: World) -> str:
    return reverse(f"intake:{name}", args=[_screening(world).pk])


def _alert(world: World) -> UrgentAlert:
    screening = _screening(world)
    alert, _ = UrgentAlert.objects.get_or_create(
        screening=screening, version=screening.versions.get(), code="cssrs_high"
    )
    return alert


PROBES = {
    "See the screening queue": [
        Probe("queue", lambda w: Call("GET", reverse("intake:staff-queue"))),
    ],
    "Open a screening with its answers, scores and flags": [
        Probe("detail", lambda w: Call("GET", _url("staff-detail", w))),
    ],
    "Record an in-clinic blood pressure": [
        Probe(
            "reading",
            lambda w: Call(
                "POST",
                _url("staff-reading", w),
                {"systolic": 128, "diastolic": 82, "taken_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
            ),
        ),
    ],
    "Open an urgent alert from its email": [
        Probe("alert-open", lambda w: Call("GET", reverse("intake:staff-alert", args=[_alert(w).pk]))),
    ],
    "Acknowledge an urgent alert": [
        Probe("acknowledge", lambda w: Call("POST", reverse("intake:staff-alert-acknowledge", args=[_alert(w).pk]))),
    ],
    "Approve, request more information, decline or refer": [
        Probe("decide", lambda w: Call("POST", _url("staff-decide", w), {"kind": "approved", "note": ""})),
    ],
}
