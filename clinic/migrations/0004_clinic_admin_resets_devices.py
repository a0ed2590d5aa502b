"""Clinic admins may reset (never read) a staff member's second-factor devices. See docs/roles.md."""

from __future__ import annotations

from django.db import migrations

from clinic.lib.roles import CLINIC_ADMIN, grant_operation

MATRIX = {
    CLINIC_ADMIN: [
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0003_user_activated_at"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [grant_operation(MATRIX)]
