"""How the role walk tries each action of the core table in docs/roles.md."""

from __future__ import annotations

from django.urls import reverse

from tests.role_walk import Call, Probe

PROBES = {
    "See the patient directory and search it": [
        Probe("patient-list", lambda w: Call("GET", reverse("clinic:staff-patient-list"))),
    ],
    "Open a patient's record": [
        Probe("patient-detail", lambda w: Call("GET", reverse("clinic:staff-patient-detail", args=[w.patient.pk]))),
    ],
}
