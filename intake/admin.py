from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from intake.models import ClinicSettings


@admin.register(ClinicSettings)
class ClinicSettingsAdmin(admin.ModelAdmin):
    """One row: it can be edited, never added twice or deleted."""

    fieldsets = (
        (
            "Blood pressure: flag for review",
            {
                "fields": (
                    ("bp_review_systolic", "bp_review_systolic_source"),
                    ("bp_review_diastolic", "bp_review_diastolic_source"),
                )
            },
        ),
        ("Urgent alerts", {"fields": ("oncall_recipients", "oncall_recipients_source")}),
    )
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not ClinicSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: ClinicSettings | None = None) -> bool:
        return False
