"""How the role walk tries each action of the core table in docs/roles.md."""

from __future__ import annotations

from django.urls import reverse

from clinic.models import Notification
from tests.role_walk import Call, Probe, World


def _appointment(world: World):
    from tests.scheduling.factories import AppointmentFactory

    if "admin_appointment" not in world.extra:
        world.extra["admin_appointment"] = AppointmentFactory(patient=world.patient)
    return world.extra["admin_appointment"]


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
        Probe("patient-search", lambda w: Call("POST", reverse("clinic:staff-patient-list"), {"q": "a"})),
    ],
    "Open a patient's record": [
        Probe("patient-detail", lambda w: Call("GET", reverse("clinic:staff-patient-detail", args=[w.patient.pk]))),
    ],
    "Open a patient's record or appointment in Django admin": [
        Probe("admin-patient", lambda w: Call("GET", reverse("admin:clinic_patient_change", args=[w.patient.pk]))),
        Probe(
            "admin-patient-history", lambda w: Call("GET", reverse("admin:clinic_patient_history", args=[w.patient.pk]))
        ),
        Probe("admin-patient-list", lambda w: Call("GET", reverse("admin:clinic_patient_changelist"))),
        Probe(
            "admin-appointment",
            lambda w: Call("GET", reverse("admin:scheduling_appointment_change", args=[_appointment(w).pk])),
        ),
    ],
    "Mark a failed email resolved": [Probe("notification-resolve", _failed_email)],
}
