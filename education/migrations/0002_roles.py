"""Grant the education permissions to the staff roles. See docs/roles.md."""

from __future__ import annotations

from django.db import migrations

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, grant_operation

MATRIX = {
    CLINIC_ADMIN: [
        f"education.{action}_{model}"
        for model in ("topic", "article", "source")
        for action in ("add", "change", "view", "delete")
    ]
    + ["education.view_articleacknowledgement"],
    CLINICIAN: [
        "education.view_article",
        "education.change_article",
        "education.view_topic",
        "education.view_source",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0001_initial"),
        ("clinic", "0002_staff_roles"),
    ]

    operations = [grant_operation(MATRIX)]
