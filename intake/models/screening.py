from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from clinic.models import Patient
from intake import scoring


class Severity(models.TextChoices):
    INFO = "info", "Information"
    REVIEW = "review", "Needs review"
    EXCLUSION = "exclusion", "Exclusion (a clinician decides)"
    URGENT = "urgent", "Urgent"


# Higher is worse; the queue sorts and filters on it.
SEVERITY_RANK = {"": 0, Severity.INFO: 1, Severity.REVIEW: 2, Severity.EXCLUSION: 3, Severity.URGENT: 4}


class Screening(models.Model):
    """A patient's pre-treatment screening. Its answers live in versions; the review lives here."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted, awaiting review"
        MORE_INFO = "more_info", "More information requested"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        REFERRED = "referred", "Referred elsewhere"

    class Summary(models.TextChoices):
        """What front desk may know (docs/roles.md): whether it is missing, submitted or decided, never which way."""

        MISSING = "missing", "Not submitted yet"
        SUBMITTED = "submitted", "Submitted, awaiting review"
        DECIDED = "decided", "Decided"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="screenings")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    # The worst flag severity of the current version (0 none … 4 urgent), kept by the service for the queue.
    severity_rank = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        permissions: ClassVar = [
            ("view_screening_status", "Can see whether a screening is missing, submitted or decided"),
            ("decide_screening", "Can approve, decline, refer or ask for more information"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(status="more_info") | Q(submitted_at__isnull=False),
                name="intake_screening_reviewed_after_submission",
            ),
            models.CheckConstraint(condition=Q(severity_rank__lte=4), name="intake_screening_severity_rank_range"),
        ]
        indexes: ClassVar = [models.Index(fields=["status", "-severity_rank", "submitted_at"])]

    def __str__(self) -> str:
        return f"Screening {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("intake:staff-detail", args=[self.pk])

    @property
    def is_decided(self) -> bool:
        return self.status in {self.Status.APPROVED, self.Status.DECLINED, self.Status.REFERRED}

    @property
    def is_awaiting_decision(self) -> bool:
        """A clinician may decide now: the detail page offers the decision form, and the decide view refuses otherwise.

        The decide service re-checks it in its conditional update (``awaiting_decision_q``), so two clinicians cannot
        both decide.
        """
        return self.status == self.Status.SUBMITTED

    @classmethod
    def awaiting_decision_q(cls) -> Q:
        """``is_awaiting_decision`` as a filter: the staff queue lists these, and the decide service updates only
        these."""
        return Q(status=cls.Status.SUBMITTED)

    @property
    def summary_status(self) -> str:
        """What front desk may know: ``missing``, ``submitted`` or ``decided`` (a ``Summary`` value)."""
        if self.is_decided:
            return self.Summary.DECIDED
        return self.Summary.SUBMITTED if self.is_awaiting_decision else self.Summary.MISSING


class ScreeningVersion(models.Model):
    """One round of answers. A draft is edited step by step; once submitted it never changes."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["screening", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["screening", "number"], name="intake_version_number_unique"),
            models.UniqueConstraint(fields=["screening"], condition=Q(status="draft"), name="intake_version_one_draft"),
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(submitted_at__isnull=True))
                | (Q(status="submitted") & Q(submitted_at__isnull=False)),
                name="intake_version_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening {self.screening_id} version {self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class StepAnswer(models.Model):
    """The answers of one questionnaire step in one version. A trigger refuses changes once submitted."""

    version = models.ForeignKey(ScreeningVersion, on_delete=models.CASCADE, related_name="answers")
    step = models.CharField(max_length=30)
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["version", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["version", "step"], name="intake_stepanswer_one_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.step}"


class Flag(models.Model):
    """A safety rule's finding on a version, as ``intake.rules`` returned it."""

    version = models.ForeignKey(ScreeningVersion, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=60)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    message = models.TextField()
    source = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["version", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["version", "code"], name="intake_flag_code_once"),
        ]

    def __str__(self) -> str:
        return self.code


class Score(models.Model):
    """An instrument's score on a version, as ``intake.scoring`` returned it."""

    version = models.ForeignKey(ScreeningVersion, on_delete=models.CASCADE, related_name="scores")
    instrument = models.CharField(max_length=20)
    total = models.SmallIntegerField(null=True, blank=True)  # the C-SSRS screener gives a risk, not a total
    band = models.CharField(max_length=30)
    positive = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["version", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["version", "instrument"], name="intake_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument}: {self.band}"

    @property
    def instrument_name(self) -> str:
        """The instrument's published name ("PHQ-9"), not its stored code."""
        return scoring.INSTRUMENT_NAMES.get(self.instrument, self.instrument.upper())

    @property
    def band_label(self) -> str:
        """The band in words ("Moderately severe")."""
        return self.band.replace("_", " ").capitalize()
