"""Grant the scheduling permissions to the staff roles. See docs/roles.md."""

from __future__ import annotations

from django.db import migrations

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE, grant_operation

ALL_MODELS = [
    "appointment",
    "appointmenttype",
    "provider",
    "weeklyhours",
    "availabilityexception",
    "clinicclosure",
    "timeblock",
    "remindersettings",
]

MATRIX = {
    FRONT_DESK: [
        "scheduling.view_appointment",
        "scheduling.add_appointment",
        "scheduling.change_appointment",
        "scheduling.view_provider",
        "scheduling.view_appointmenttype",
        "scheduling.view_timeblock",
        "scheduling.add_timeblock",
    ],
    NURSE: [
        "scheduling.view_appointment",
        "scheduling.change_appointment",  # to record arrival; the views decide what a nurse may change
        "scheduling.view_provider",
        "scheduling.view_appointmenttype",
        "scheduling.view_timeblock",
    ],
    CLINICIAN: [
        "scheduling.view_appointment",
        "scheduling.change_appointment",
        "scheduling.view_provider",
        "scheduling.view_appointmenttype",
        "scheduling.view_timeblock",
    ],
    CLINIC_ADMIN: [
        f"scheduling.{action}_{model}" for model in ALL_MODELS for action in ("view", "add", "change", "delete")
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0001_initial"),
        ("clinic", "0002_staff_roles"),
    ]

    operations = [grant_operation(MATRIX)]
