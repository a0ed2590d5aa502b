"""Grant the screening permissions to the staff roles. See docs/roles.md."""

from __future__ import annotations

from django.db import migrations

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE, grant_operation

STATUS = "intake.view_screening_status"
READ = ["intake.view_screening", "intake.view_flag", "intake.view_score", "intake.view_decision"]
READINGS = ["intake.view_bloodpressurereading", "intake.add_bloodpressurereading"]
ALERTS = ["intake.view_urgentalert", "intake.acknowledge_urgentalert"]

MATRIX = {
    FRONT_DESK: [STATUS],
    NURSE: [STATUS, *READ, *READINGS, *ALERTS],
    CLINICIAN: [STATUS, *READ, *READINGS, *ALERTS, "intake.decide_screening"],
    # Minimum necessary: the clinic admin runs the clinic's settings, not its clinical review.
    CLINIC_ADMIN: [STATUS, "intake.view_clinicsettings", "intake.change_clinicsettings"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_submitted_answers_immutable"),
        ("clinic", "0002_staff_roles"),
    ]

    operations = [grant_operation(MATRIX)]
