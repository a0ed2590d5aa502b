from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q

from intake import scoring


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

    def clean(self) -> None:
        """A typo must not silently stop urgent emails, nor turn the blood-pressure flag off or on for everyone."""
        errors = {}
        for line in self.recipients:
            try:
                validate_email(line)
            except ValidationError:
                errors["oncall_recipients"] = f"“{line[:200]}” is not an email address. Put one address on each line."
                break
        if self.bp_review_systolic is not None and self.bp_review_diastolic is not None:
            try:
                scoring.validate_blood_pressure(self.bp_review_systolic, self.bp_review_diastolic)
            except ValueError:
                (low_sys, high_sys), (low_dia, high_dia) = scoring.SYSTOLIC_RANGE, scoring.DIASTOLIC_RANGE
                errors["bp_review_systolic"] = (
                    f"Use a plausible blood pressure: systolic {low_sys} to {high_sys} mmHg, diastolic {low_dia} to "
                    f"{high_dia} mmHg, and the diastolic below the systolic."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def recipients(self) -> list[str]:
        return [line.strip() for line in self.oncall_recipients.splitlines() if line.strip()]

    @property
    def thresholds(self) -> dict[str, int]:
        return {"bp_review_systolic": self.bp_review_systolic, "bp_review_diastolic": self.bp_review_diastolic}
