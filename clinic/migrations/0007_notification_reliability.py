"""Outbox reliability (issue 13): Message-ID, retry window, resolution, SET_NULL recipient, mail server alerts."""

from __future__ import annotations

import secrets

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def backfill(apps, schema_editor):
    """Keep who each email was for (the recipient may now be deleted) and give every row its Message-ID."""
    Notification = apps.get_model("clinic", "Notification")
    User = apps.get_model("clinic", "User")
    Notification.objects.filter(to_email="", recipient__isnull=False).update(
        to_email=Subquery(User.objects.filter(pk=OuterRef("recipient_id")).values("email")[:1])
    )
    Notification.objects.update(queued_at=F("created_at"))
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    for pk in Notification.objects.filter(message_id="").values_list("pk", flat=True).iterator():
        Notification.objects.filter(pk=pk).update(message_id=f"<{secrets.token_hex(16)}@{domain}>")


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0006_access_log_lists_and_patient_admin_permission"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="notification",
            options={
                "ordering": ["-created_at", "-pk"],
                "permissions": [
                    ("resolve_notification", "Can mark an email that failed for good as resolved"),
                    ("resend_notification", "Can send an email again"),
                ],
            },
        ),
        migrations.AddField(
            model_name="notification",
            name="failed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="message_id",
            field=models.CharField(
                blank=True,
                help_text="Set when queued and reused by every retry, so copies can be told apart.",
                max_length=255,
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="queued_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When it was queued or sent again; retries stop NOTIFICATION_RETRY_HOURS later.",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="resent_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="resent_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="resolved_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="resolved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="recipient",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="notifications",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="to_email",
            field=models.EmailField(
                blank=True,
                help_text="The address when it was queued; the only address when the recipient is not a user.",
                max_length=254,
            ),
        ),
        migrations.CreateModel(
            name="MailServerAlert",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("server", models.CharField(default="smtp", editable=False, max_length=20)),
                ("first_seen_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_seen_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "step",
                    models.CharField(help_text="connect, helo, auth or mail: where the server refused.", max_length=20),
                ),
                (
                    "code",
                    models.PositiveSmallIntegerField(blank=True, help_text="The SMTP reply code, if any.", null=True),
                ),
                ("reason", models.CharField(blank=True, max_length=100)),
                ("failures", models.PositiveIntegerField(default=1)),
                ("cleared_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "ordering": ["-first_seen_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("cleared_at__isnull", True)),
                        fields=("server",),
                        name="clinic_mailserveralert_one_open",
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
