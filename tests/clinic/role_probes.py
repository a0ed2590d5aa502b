"""How the role walk tries each action of the core table in docs/roles.md."""

from __future__ import annotations

from django.urls import reverse

from clinic.models import Notification
from tests.role_walk import Call, Probe, World


def _failed_email(world: World) -> Call:
    notification = Notification.objects.create(
        kind="clinic/set_password",
        idempotency_key=f"walk:{world.acting}",
        recipient=world.patient.user,
        to_email=world.patient.user.email,
        status=Notification.Status.FAILED,
    )
    return Call("POST", reverse("clinic:staff-notification-resolve", args=[notification.pk]))


PROBES = {
    "See the patient directory and search it": [
        Probe("patient-list", lambda w: Call("GET", reverse("clinic:staff-patient-list"))),
    ],
    "Open a patient's record": [
        Probe("patient-detail", lambda w: Call("GET", reverse("clinic:staff-patient-detail", args=[w.patient.pk]))),
    ],
    "Mark a failed email resolved": [Probe("notification-resolve", _failed_email)],
}
