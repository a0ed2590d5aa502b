"""Infusion courses: chairs, the infusion room's hours and nurse capacity, protocols, courses, sessions and vitals.

A session is its own model, not an ``Appointment`` with a chair: see docs/architecture.md ("Infusion sessions are
not appointments"). The numbers a nurse acts on come from ``scheduling.infusion_rules``; this module only stores them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from scheduling.infusion_rules import INFUSION_HOLD_THRESHOLDS
from scheduling.models.booking import PostgresExclusionConstraint, TsTzRange, Weekday


class InfusionChair(models.Model):
    name = models.CharField(max_length=60, unique=True)
    room = models.CharField(max_length=60, blank=True)
    active = models.BooleanField(default=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["display_order", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.room})" if self.room else self.name


class InfusionHours(models.Model):
    """The infusion room's weekly hours in the clinic's time zone (the shape of a provider's weekly hours)."""

    Weekday = Weekday

    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering: ClassVar = ["weekday", "start_time"]
        verbose_name_plural = "infusion hours"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(start_time__lt=models.F("end_time")), name="sched_infhours_start_before_end"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="sched_infhours_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


def _hold_default(key: str) -> Any:
    return next(t for t in INFUSION_HOLD_THRESHOLDS if t.key == key)


class InfusionSettings(models.Model):
    """The infusion room's settings, one row, edited in admin: nurse capacity and the pre-infusion hold thresholds.

    The thresholds' defaults and sources come from ``scheduling.infusion_rules`` (never restated here).
    """

    sessions_per_nurse = models.PositiveSmallIntegerField(
        default=3, help_text="How many sessions may run at once per nurse on duty (clinic default 3)."
    )
    nurses_on_duty = models.PositiveSmallIntegerField(
        default=1, help_text="Nurses on duty on a day with no row under 'Nurse duty days'."
    )
    hold_systolic = models.PositiveSmallIntegerField(default=_hold_default("hold_systolic").default)
    hold_systolic_source = models.TextField(default=_hold_default("hold_systolic").source)
    hold_diastolic = models.PositiveSmallIntegerField(default=_hold_default("hold_diastolic").default)
    hold_diastolic_source = models.TextField(default=_hold_default("hold_diastolic").source)
    hold_heart_rate = models.PositiveSmallIntegerField(default=_hold_default("hold_heart_rate").default)
    hold_heart_rate_source = models.TextField(default=_hold_default("hold_heart_rate").source)
    hold_spo2 = models.PositiveSmallIntegerField(default=_hold_default("hold_spo2").default)
    hold_spo2_source = models.TextField(default=_hold_default("hold_spo2").source)

    class Meta:
        verbose_name = verbose_name_plural = "infusion settings"
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(pk=1), name="sched_infsettings_single_row"),
            models.CheckConstraint(condition=Q(sessions_per_nurse__gte=1), name="sched_infsettings_capacity_pos"),
        ]

    def __str__(self) -> str:
        return "Infusion settings"

    @classmethod
    def load(cls) -> InfusionSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def thresholds(self) -> dict[str, int]:
        return {t.key: getattr(self, t.key) for t in INFUSION_HOLD_THRESHOLDS}


class NurseDuty(models.Model):
    """How many nurses are on duty on a date (otherwise the settings' default)."""

    date = models.DateField(unique=True)
    nurses = models.PositiveSmallIntegerField()

    class Meta:
        ordering: ClassVar = ["date"]
        verbose_name = "nurse duty day"

    def __str__(self) -> str:
        return f"{self.date}: {self.nurses}"


class Indication(models.TextChoices):
    DEPRESSION = "depression", "Depression"
    PTSD = "ptsd", "PTSD"
    ANXIETY = "anxiety", "Anxiety"
    PAIN = "pain", "Chronic pain"


class Protocol(models.Model):
    """A course's plan. Values with no source ship empty, and a protocol with an empty value cannot be used."""

    Indication = Indication

    class Kind(models.TextChoices):
        INDUCTION = "induction", "Induction"
        MAINTENANCE = "maintenance", "Maintenance"

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INDUCTION)
    indications = models.CharField(
        max_length=200, help_text="Comma-separated indication codes: depression, ptsd, anxiety, pain."
    )
    planned_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    min_days_between = models.PositiveSmallIntegerField(null=True, blank=True)
    max_days_between = models.PositiveSmallIntegerField(null=True, blank=True)
    mg_per_kg = models.DecimalField("dose (mg/kg)", max_digits=4, decimal_places=2, null=True, blank=True)
    infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    max_dose_mg = models.DecimalField("maximum dose (mg)", max_digits=6, decimal_places=1, null=True, blank=True)
    vitals_interval_minutes = models.PositiveSmallIntegerField(
        "vitals every (minutes) during the infusion", null=True, blank=True
    )
    post_vitals_interval_minutes = models.PositiveSmallIntegerField(
        "vitals every (minutes) after the infusion", null=True, blank=True
    )
    observation_minutes = models.PositiveSmallIntegerField(
        "observation after the infusion (minutes)", null=True, blank=True
    )
    sources = models.TextField(help_text="Where each value comes from; an empty value has no source yet.")
    active = models.BooleanField(default=True)

    REQUIRED: ClassVar = (
        "planned_sessions",
        "min_days_between",
        "mg_per_kg",
        "infusion_minutes",
        "max_dose_mg",
        "vitals_interval_minutes",
        "post_vitals_interval_minutes",
        "observation_minutes",
    )

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(mg_per_kg__isnull=True) | (Q(mg_per_kg__gt=0) & Q(mg_per_kg__lte=2)),
                name="sched_protocol_mg_per_kg_range",
            ),
            models.CheckConstraint(
                condition=Q(max_dose_mg__isnull=True) | Q(max_dose_mg__gt=0), name="sched_protocol_max_dose_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_days_between__isnull=True)
                | Q(min_days_between__isnull=True)
                | Q(max_days_between__gte=models.F("min_days_between")),
                name="sched_protocol_spacing_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def missing_values(self) -> list[str]:
        """The labels of the values an admin must fill in before the protocol can be used (one rule, one place)."""
        return [str(self._meta.get_field(name).verbose_name) for name in self.REQUIRED if getattr(self, name) is None]

    @property
    def is_usable(self) -> bool:
        return self.active and not self.missing_values()

    @property
    def indication_list(self) -> list[str]:
        return [code.strip() for code in self.indications.split(",") if code.strip()]


class CourseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


OPEN_COURSE_STATUSES = (CourseStatus.PLANNED, CourseStatus.ACTIVE)


class InfusionCourse(models.Model):
    Status = CourseStatus

    patient = models.ForeignKey("clinic.Patient", on_delete=models.PROTECT, related_name="infusion_courses")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="courses")
    indication = models.CharField(max_length=20, choices=Indication.choices)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=CourseStatus.choices, default=CourseStatus.PLANNED)
    screening_id_at_creation = models.PositiveIntegerField(
        null=True, blank=True, help_text="The approved screening the course was created from."
    )
    baseline_phq9 = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_gad7 = models.PositiveSmallIntegerField(null=True, blank=True)
    baseline_pcl5 = models.PositiveSmallIntegerField(null=True, blank=True)
    acknowledged_flags = models.CharField(
        max_length=500, blank=True, help_text="Exclusion flags the clinician acknowledged when creating the course."
    )
    stop_reason = models.TextField(blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        permissions: ClassVar = [
            ("stop_infusioncourse", "Can stop an infusion course"),
            ("schedule_infusioncourse", "Can schedule a course's sessions"),
            ("export_infusioncourse", "Can export courses as CSV"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(status__in=["planned", "active"]),
                name="sched_course_one_open_per_patient",
                violation_error_message="This patient already has a planned or active course.",
            ),
            models.CheckConstraint(
                condition=~Q(status="stopped") | (~Q(stop_reason="") & Q(stopped_at__isnull=False)),
                name="sched_course_stopped_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Course #{self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_COURSE_STATUSES

    @property
    def second_instrument(self) -> str:
        """The GAD-7 or PCL-5, by indication (none for pain)."""
        return {Indication.PTSD: "pcl5", Indication.PAIN: ""}.get(self.indication, "gad7")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CHECKED_IN = "checked_in", "Checked in"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    ABORTED = "aborted", "Aborted"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


CHAIR_HOLDING_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.CHECKED_IN, SessionStatus.IN_PROGRESS)


# Who may see vitals, doses and scores (staff pages and admin alike; docs/roles.md).
CLINICAL_VALUES_PERM = "scheduling.view_clinical_infusionsession"


class InfusionSession(models.Model):
    """One infusion on a chair. ``start``-``end`` covers the infusion and the observation after it."""

    Status = SessionStatus
    CHAIR_HOLDING_STATUSES = CHAIR_HOLDING_STATUSES

    course = models.ForeignKey(InfusionCourse, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    chair = models.ForeignKey(InfusionChair, on_delete=models.PROTECT, related_name="sessions")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    computed_dose_mg = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    dose_mg = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    dose_change_reason = models.TextField(blank=True)
    lot_number = models.CharField(max_length=60, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    adverse_events = models.TextField(blank=True)
    interventions = models.TextField(blank=True)
    gate_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gate_override_reason = models.TextField(blank=True)
    gate_override_at = models.DateTimeField(null=True, blank=True)
    alert_and_oriented = models.BooleanField(default=False)
    nausea_controlled = models.BooleanField(default=False)
    escort_present = models.BooleanField(default=False)
    no_driving_acknowledged = models.BooleanField(default=False)
    escort_name = models.CharField(max_length=120, blank=True)
    discharge_signoff_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discharge_signoff_reason = models.TextField(blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    abort_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    calendar_sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="The calendar file's SEQUENCE: one more on each move or cancellation."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["start", "pk"]
        permissions: ClassVar = [
            ("document_infusionsession", "Can document a session: check-in, vitals, dose, infusion, discharge"),
            ("override_infusionsession", "Can override a pre-infusion hold or sign off a discharge"),
            ("view_clinical_infusionsession", "Can see vitals, doses and scores"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["course", "number"], name="sched_session_number_unique"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="sched_session_start_before_end"),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | (Q(weight_kg__gte=30) & Q(weight_kg__lte=300)),
                name="sched_session_weight_range",
            ),
            models.CheckConstraint(
                condition=Q(dose_mg__isnull=True) | Q(dose_mg=models.F("computed_dose_mg")) | ~Q(dose_change_reason=""),
                name="sched_session_dose_change_has_reason",
            ),
            PostgresExclusionConstraint(
                name="sched_session_chair_no_overlap",
                expressions=[
                    ("chair", RangeOperators.EQUAL),
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["scheduled", "checked_in", "in_progress"]),
                violation_error_message="This chair is already taken at that time.",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["chair", "end"], name="sched_session_chair_end_idx"),
            models.Index(fields=["start"], name="sched_session_start_idx"),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of course #{self.course_id} ({self.status})"


class VitalSignReading(models.Model):
    class Phase(models.TextChoices):
        PRE = "pre", "Before the infusion"
        INTRA = "intra", "During the infusion"
        POST = "post", "After the infusion"

    session = models.ForeignKey(InfusionSession, on_delete=models.CASCADE, related_name="vitals")
    taken_at = models.DateTimeField()
    phase = models.CharField(max_length=10, choices=Phase.choices)
    systolic = models.PositiveSmallIntegerField()
    diastolic = models.PositiveSmallIntegerField()
    heart_rate = models.PositiveSmallIntegerField()
    spo2 = models.PositiveSmallIntegerField("SpO2 (%)")
    respiratory_rate = models.PositiveSmallIntegerField()
    hold = models.BooleanField(default=False, help_text="In the hold range, as infusion_gate said when recorded.")
    hold_reasons = models.CharField(max_length=100, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["session", "taken_at", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(diastolic__lt=models.F("systolic")), name="sched_vitals_diastolic_below_systolic"
            ),
            models.CheckConstraint(
                condition=Q(respiratory_rate__gte=4) & Q(respiratory_rate__lte=60), name="sched_vitals_resp_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phase} reading {self.taken_at:%H:%M}"


class OutcomeMeasure(models.Model):
    """A score the patient gave during a course (PHQ-9, GAD-7, PCL-5, or a 0-10 pain rating)."""

    class Instrument(models.TextChoices):
        PHQ9 = "phq9", "PHQ-9"
        GAD7 = "gad7", "GAD-7"
        PCL5 = "pcl5", "PCL-5"
        PAIN = "pain", "Pain rating (0-10)"
        CSSRS = "cssrs", "C-SSRS screener (risk 0 none to 3 high)"

    course = models.ForeignKey(InfusionCourse, on_delete=models.CASCADE, related_name="measures")
    session = models.ForeignKey(
        InfusionSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    instrument = models.CharField(max_length=10, choices=Instrument.choices)
    when = models.CharField(max_length=10, default="before", help_text="before or after the session")
    total = models.PositiveSmallIntegerField()
    answers = models.JSONField(default=list)
    taken_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["course", "taken_at", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["session", "instrument", "when"],
                condition=Q(session__isnull=False),
                name="sched_measure_once_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total}"
