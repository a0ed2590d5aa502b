"""Create the staff roles and grant the core app's permissions. See docs/roles.md."""

from __future__ import annotations

from django.db import migrations

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE, grant_operation

STAFF = ["clinic.access_staff_area", "clinic.view_patient"]

MATRIX = {
    FRONT_DESK: [*STAFF, "clinic.add_patient", "clinic.change_patient"],
    NURSE: STAFF,
    CLINICIAN: [*STAFF, "clinic.change_patient"],
    CLINIC_ADMIN: [
        *STAFF,
        "clinic.add_patient",
        "clinic.change_patient",
        "clinic.view_user",
        "clinic.add_user",
        "clinic.change_user",
        "clinic.view_notification",
        "clinic.view_accesslog",
        "auth.view_group",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_operation(MATRIX)]
