"""Who sees and settles email delivery failures (issue 13). See docs/roles.md."""

from __future__ import annotations

from django.db import migrations

from clinic.lib.roles import CLINIC_ADMIN, FRONT_DESK, grant_operation

MATRIX = {
    # The front desk calls the patient whose confirmation never arrived, then marks it resolved.
    FRONT_DESK: ["clinic.view_notification", "clinic.resolve_notification"],
    CLINIC_ADMIN: ["clinic.resolve_notification", "clinic.resend_notification"],
}


class Migration(migrations.Migration):
    dependencies = [("clinic", "0007_notification_reliability")]

    operations = [grant_operation(MATRIX)]
