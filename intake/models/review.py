from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from intake.models.screening import Screening, ScreeningVersion
from intake.rule_catalogue import RULES


class Decision(models.Model):
    """A clinician's decision on a submitted version. Rows are never edited: they are the history."""

    class Kind(models.TextChoices):
        APPROVED = "approved", "Approve for treatment"
        MORE_INFO = "more_info", "Request more information"
        DECLINED = "declined", "Decline"
        REFERRED = "referred", "Refer elsewhere"

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="decisions")
    version = models.ForeignKey(ScreeningVersion, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Conditions of an approval, the message to the patient, or the reason to decline or refer.
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-decided_at", "-pk"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(kind="approved") | ~Q(note=""), name="intake_decision_reason_required"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class BloodPressureReading(models.Model):
    """A reading taken in the clinic by staff. It feeds the screening's flags."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="bp_readings")
    systolic = models.PositiveSmallIntegerField()
    diastolic = models.PositiveSmallIntegerField()
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-taken_at", "-pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(systolic__gte=50, systolic__lte=300, diastolic__gte=20, diastolic__lte=200)
                & Q(diastolic__lt=models.F("systolic")),
                name="intake_bp_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.systolic}/{self.diastolic}"


class UrgentAlert(models.Model):
    """An urgent flag raised on a version: staff are emailed at once and see a banner until someone acknowledges."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="alerts")
    version = models.ForeignKey(ScreeningVersion, on_delete=models.PROTECT, related_name="alerts")
    code = models.CharField(max_length=60)
    review_path = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where staff review what raised it, when that is not the screening (a course's check-in).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        permissions: ClassVar = [("acknowledge_urgentalert", "Can acknowledge an urgent screening alert")]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["version", "code"], name="intake_alert_once_per_version"),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
                name="intake_alert_acknowledged_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Alert {self.pk}"

    @property
    def message(self) -> str:
        """What the rule that raised it says (the catalogue's wording), for staff; never for an email."""
        rule = RULES.get(self.code)
        return rule.message if rule else self.code.replace("_", " ").capitalize()

    def review_url(self) -> str:
        """Where the alert's email and the staff banner send staff: what raised it."""
        if self.review_path:
            return self.review_path
        return f"{reverse('intake:staff-detail', args=[self.screening_id])}?version={self.version.number}"
