"""Record when an account first became usable, so a verification link can never reactivate an account."""

from __future__ import annotations

from django.db import migrations, models
from django.db.models import F, Q


def backfill(apps, schema_editor) -> None:
    # Accounts that were ever usable: active now, or logged in before and since deactivated.
    User = apps.get_model("clinic", "User")
    User.objects.filter(Q(is_active=True) | Q(last_login__isnull=False)).update(activated_at=F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [("clinic", "0002_staff_roles")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="activated_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the account first became usable. Set once: a sign-up's verification link works only before.",
                null=True,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
