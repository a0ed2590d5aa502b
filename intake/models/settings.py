from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q


class ClinicSettings(models.Model):
    """The clinic's screening settings: one row, edited in admin, each value with where it comes from.

    The thresholds are the clinic's choices, not medical advice; the defaults come from ``intake.rules``.
    """

    bp_review_systolic = models.PositiveSmallIntegerField("review at systolic (mmHg) or above")
    bp_review_systolic_source = models.TextField("source")
    bp_review_diastolic = models.PositiveSmallIntegerField("review at diastolic (mmHg) or above")
    bp_review_diastolic_source = models.TextField("source")
    oncall_recipients = models.TextField(
        "on-call recipients",
        blank=True,
        help_text="Email addresses, one a line, that receive urgent screening alerts at once.",
    )
    oncall_recipients_source = models.TextField("source", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "clinic settings"
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(pk=1), name="intake_clinicsettings_single_row"),
        ]

    def __str__(self) -> str:
        return "Clinic settings"

    @property
    def recipients(self) -> list[str]:
        return [line.strip() for line in self.oncall_recipients.splitlines() if line.strip()]

    @property
    def thresholds(self) -> dict[str, int]:
        return {"bp_review_systolic": self.bp_review_systolic, "bp_review_diastolic": self.bp_review_diastolic}
