"""Create the one clinic-settings row from the defaults ``intake.rules`` exports, so admins find it to edit."""

from __future__ import annotations

from django.db import migrations


def create_row(apps, schema_editor) -> None:
    from intake.rules import SCREENING_THRESHOLDS  # pure Python, stable contract

    ClinicSettings = apps.get_model("intake", "ClinicSettings")
    defaults = {}
    for threshold in SCREENING_THRESHOLDS:
        defaults[threshold.key] = threshold.default
        defaults[f"{threshold.key}_source"] = threshold.source
    defaults["oncall_recipients_source"] = "Set by the clinic. While empty, alerts go to every active clinician."
    ClinicSettings.objects.get_or_create(pk=1, defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [("intake", "0003_roles")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
