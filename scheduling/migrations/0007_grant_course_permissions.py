"""Grant the infusion course permissions to the roles. See docs/roles.md ("Infusion courses").

Nurses document; clinicians also override a hold, sign off a discharge, create, stop and export courses; the front
desk schedules sessions and sees no vitals, doses or scores; the clinic admin sets up the room in Django admin.
"""

from __future__ import annotations

from django.db import migrations

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE, grant_operation

S = "scheduling."
SEE = [f"{S}view_infusioncourse", f"{S}view_infusionsession", f"{S}view_infusionchair"]
DOCUMENT = [f"{S}view_clinical_infusionsession", f"{S}document_infusionsession"]
SETUP = [
    f"{S}{action}_{model}"
    for model in ("infusionchair", "infusionhours", "nurseduty", "protocol")
    for action in ("add", "change", "delete", "view")
    if f"{action}_{model}" != "view_infusionchair"
] + [f"{S}view_infusionsettings", f"{S}change_infusionsettings"]

MATRIX = {
    FRONT_DESK: [*SEE, f"{S}schedule_infusioncourse"],
    NURSE: [*SEE, *DOCUMENT],
    CLINICIAN: [
        *SEE,
        *DOCUMENT,
        f"{S}override_infusionsession",
        f"{S}add_infusioncourse",
        f"{S}stop_infusioncourse",
        f"{S}schedule_infusioncourse",
        f"{S}export_infusioncourse",
    ],
    CLINIC_ADMIN: [*SEE, f"{S}schedule_infusioncourse", *SETUP],
}


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0006_seed_protocols")]

    operations = [grant_operation(MATRIX)]
