"""Providers, appointment types, availability and appointments.

Every time is stored in UTC. Weekly hours, exceptions and closures are wall-clock times and dates in the
clinic's time zone (``settings.CLINIC_TIME_ZONE``); the slot selector turns them into aware datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import BooleanField, Func, Max, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.lib.time import clinic_tz, validate_datetime_range

# Bounds of what an appointment type may say (admin input): they keep every slot computation finite and
# every derived datetime storable. The longest visit bounds the SQLite busy-time query (see selectors).
MIN_SLOT_INTERVAL = timedelta(minutes=5)
MAX_DURATION = timedelta(hours=12)
MAX_BUFFER = timedelta(hours=4)
MAX_BLOCKED_VISIT = MAX_DURATION + 2 * MAX_BUFFER
MAX_BOOKING_HORIZON = timedelta(days=730)
MAX_NOTICE = timedelta(days=365)
# A time block: at most this long, ending at most this far past the longest booking horizon.
MAX_TIME_BLOCK = timedelta(days=90)
TIME_BLOCK_BEYOND_HORIZON = timedelta(days=365)
# The database refuses stored times outside these, whatever wrote them: Python loads everything inside.
STORABLE_FIRST = datetime(1900, 1, 1, tzinfo=UTC)
STORABLE_LAST = datetime(2200, 1, 1, tzinfo=UTC)


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class IsWholeMinutes(Func):
    """A duration column holds whole minutes (intervals on PostgreSQL, microseconds on SQLite)."""

    output_field = BooleanField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "(MOD(EXTRACT(EPOCH FROM %(expressions)s)::numeric, 60) = 0)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sql(self, compiler: Any, connection: Any, template: str | None = None, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template=template or "(%(expressions)s %%%% 60000000 = 0)", **extra)


def validate_whole_minutes(value: timedelta) -> None:
    if value.total_seconds() % 60:
        raise ValidationError("Use whole minutes.", code="whole_minutes")


class PostgresExclusionConstraint(ExclusionConstraint):
    """An ExclusionConstraint that is a no-op elsewhere: SQLite relies on IMMEDIATE transactions instead."""

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().constraint_sql(model, schema_editor)

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().create_sql(model, schema_editor)

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        if schema_editor.connection.vendor != "postgresql":
            return None
        return super().remove_sql(model, schema_editor)

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: str = "default") -> None:
        from django.db import connections

        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class LocationKind(models.TextChoices):
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    IN_CLINIC = "in_clinic", "In the clinic"


class AppointmentType(models.Model):
    """What a patient can book: how long it lasts, where, and the booking rules around it."""

    LocationKind = LocationKind

    name = models.CharField(max_length=120, help_text="Shown to patients on the booking pages (not in emails).")
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    price = models.CharField(max_length=60, blank=True, help_text='Free text, for example "Free" or "$250".')
    duration = models.DurationField(
        default=timedelta(minutes=15),
        help_text="HH:MM:SS, at most 12 hours.",
        validators=[MinValueValidator(timedelta(minutes=1)), MaxValueValidator(MAX_DURATION)],
    )
    slot_interval = models.DurationField(
        default=timedelta(minutes=15),
        help_text="Start times are offered on this grid from the start of each range; whole minutes, at least 5.",
        validators=[validate_whole_minutes, MinValueValidator(MIN_SLOT_INTERVAL), MaxValueValidator(timedelta(days=1))],
    )
    buffer_before = models.DurationField(
        default=timedelta(0),
        help_text="Kept free before the appointment; at most 4 hours.",
        validators=[MinValueValidator(timedelta(0)), MaxValueValidator(MAX_BUFFER)],
    )
    buffer_after = models.DurationField(
        default=timedelta(0),
        help_text="Kept free after the appointment; at most 4 hours.",
        validators=[MinValueValidator(timedelta(0)), MaxValueValidator(MAX_BUFFER)],
    )
    location_kind = models.CharField(max_length=20, choices=LocationKind.choices, default=LocationKind.PHONE)
    minimum_notice = models.DurationField(
        default=timedelta(hours=2),
        help_text="How long before its start a slot can still be booked online.",
        validators=[MinValueValidator(timedelta(0)), MaxValueValidator(MAX_NOTICE)],
    )
    booking_horizon = models.DurationField(
        default=timedelta(days=60),
        help_text="How far ahead patients can book; at most 730 days.",
        validators=[MinValueValidator(timedelta(days=1)), MaxValueValidator(MAX_BOOKING_HORIZON)],
    )
    change_cutoff = models.DurationField(
        default=timedelta(hours=24),
        help_text="Patients can cancel or reschedule until this long before the start.",
        validators=[MinValueValidator(timedelta(0)), MaxValueValidator(MAX_NOTICE)],
    )
    requires_screening = models.BooleanField(default=False, help_text="Point the patient to the screening.")
    active = models.BooleanField(default=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["display_order", "name"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(duration__gt=timedelta(0)), name="sched_type_duration_positive"),
            models.CheckConstraint(
                condition=Q(slot_interval__gte=MIN_SLOT_INTERVAL) & Q(IsWholeMinutes("slot_interval")),
                name="sched_type_interval_whole_minutes",
            ),
            models.CheckConstraint(
                condition=Q(buffer_before__gte=timedelta(0)) & Q(buffer_after__gte=timedelta(0)),
                name="sched_type_buffers_not_negative",
            ),
            # The SQLite busy-time query relies on no visit (buffers included) being longer than this.
            models.CheckConstraint(
                condition=Q(duration__lte=MAX_DURATION)
                & Q(buffer_before__lte=MAX_BUFFER)
                & Q(buffer_after__lte=MAX_BUFFER),
                name="sched_type_visit_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)

    @property
    def minimum_notice_label(self) -> str:
        """The online notice in words for staff ("24 hours", "90 minutes", "3 days")."""
        minutes = -(-int(self.minimum_notice.total_seconds()) // 60)  # a part minute counts whole
        if minutes % (24 * 60) == 0 and minutes > 48 * 60:
            count, unit = minutes // (24 * 60), "day"
        elif minutes % 60 == 0:
            count, unit = minutes // 60, "hour"
        else:
            count, unit = minutes, "minute"
        return f"{count} {unit}{'' if count == 1 else 's'}"


class Provider(models.Model):
    """A staff member whom patients can book."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="provider",
        limit_choices_to={"is_staff": True},
    )
    display_name = models.CharField(max_length=120)
    credentials = models.CharField(max_length=120, blank=True, help_text="For example MD, PMHNP-BC.")
    bio = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    appointment_types = models.ManyToManyField(AppointmentType, related_name="providers", blank=True)

    class Meta:
        ordering: ClassVar = ["display_name", "pk"]

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WeeklyHours(models.Model):
    """A range of working hours on a weekday, in the clinic's time zone. A day may hold several."""

    Weekday = Weekday

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering: ClassVar = ["provider", "weekday", "start_time"]
        verbose_name_plural = "weekly hours"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(start_time__lt=models.F("end_time")), name="sched_hours_start_before_end"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="sched_hours_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class AvailabilityException(models.Model):
    """A date when a provider is off, or works other hours than usual (several rows for several ranges)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", "Day off"
        OTHER_HOURS = "other_hours", "Other hours"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="availability_exceptions")
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DAY_OFF)
    start_time = models.TimeField(null=True, blank=True, help_text="For other hours only.")
    end_time = models.TimeField(null=True, blank=True, help_text="For other hours only.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["date", "provider", "start_time"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(kind="day_off")
                | Q(start_time__isnull=False, end_time__isnull=False, start_time__lt=models.F("end_time")),
                name="sched_exception_hours_valid",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["provider", "date"], name="sched_exception_idx")]

    def __str__(self) -> str:
        if self.kind == self.Kind.DAY_OFF:
            return f"{self.date}: day off"
        return f"{self.date}: {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class ClinicClosure(models.Model):
    """Days when the whole clinic is closed (holidays), inclusive of both dates."""

    start_date = models.DateField()
    end_date = models.DateField(help_text="The last closed day; the same as the start for one day.")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["start_date"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="sched_closure_dates_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.start_date}-{self.end_date} {self.reason}".strip()


class TimeBlock(models.Model):
    """Time that staff took out of a provider's calendar (a meeting, a break)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="time_blocks")
    start = models.DateTimeField(validators=[validate_datetime_range])
    end = models.DateTimeField(validators=[validate_datetime_range])
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["start", "pk"]
        # ``add_timeblock`` blocks any provider's time; this one only the user's own calendar (docs/roles.md).
        permissions: ClassVar = [("block_own_time", "Can block time in their own calendar")]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="sched_block_start_before_end"),
            models.CheckConstraint(
                condition=Q(start__gte=STORABLE_FIRST) & Q(end__lte=STORABLE_LAST), name="sched_block_storable"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["provider", "end"], name="sched_block_provider_end_idx")]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.start:%Y-%m-%d %H:%M} {self.reason}".strip()

    def clean(self) -> None:
        if self.start is not None and self.end is not None:
            validate_time_block(start=self.start, end=self.end)


def latest_time_block_end() -> datetime:
    horizon = AppointmentType.objects.aggregate(longest=Max("booking_horizon"))["longest"] or timedelta(days=60)
    return timezone.now() + min(horizon, MAX_BOOKING_HORIZON) + TIME_BLOCK_BEYOND_HORIZON


def validate_time_block(*, start: datetime, end: datetime) -> None:
    """The one rule for a blocked time, from the staff form, admin and the service alike."""
    if end <= start:
        raise ValidationError({"end": "The end must be after the start."}, code="order")
    if end - start > MAX_TIME_BLOCK:
        raise ValidationError({"end": "A blocked time can be at most 90 days long."}, code="too_long")
    if end > latest_time_block_end():
        raise ValidationError(
            {"end": "A blocked time must end within a year after the furthest bookable day."}, code="too_far"
        )


class ReminderSettings(models.Model):
    """The clinic's reminder schedule, one row, edited in admin."""

    first_reminder_hours = models.PositiveSmallIntegerField(
        default=24,
        help_text="Hours before the visit. Default 24, the day before (the clinic's usual schedule). 0 turns it off.",
    )
    second_reminder_hours = models.PositiveSmallIntegerField(
        default=2,
        help_text="Hours before the visit. Default 2, on the day (the clinic's usual schedule). 0 turns it off.",
    )

    class Meta:
        verbose_name = "reminder settings"
        verbose_name_plural = "reminder settings"

    def __str__(self) -> str:
        return "Reminder settings"

    @classmethod
    def load(cls) -> ReminderSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def offsets(self) -> list[timedelta]:
        """Reminder offsets, largest first, without duplicates or zeros."""
        hours = {h for h in (self.first_reminder_hours, self.second_reminder_hours) if h}
        return [timedelta(hours=h) for h in sorted(hours, reverse=True)]


class AppointmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"


ACTIVE_STATUSES = (AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED)


class MarkAction(models.TextChoices):
    """What staff record about an appointment on the day (``appointment_mark``)."""

    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"


class Appointment(models.Model):
    """A booked appointment. ``blocked_start``/``blocked_end`` add the type's buffers, for the overlap rule."""

    Status = AppointmentStatus
    ACTIVE_STATUSES = ACTIVE_STATUSES

    patient = models.ForeignKey("clinic.Patient", on_delete=models.PROTECT, related_name="appointments")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    blocked_start = models.DateTimeField(editable=False, help_text="Start minus the buffer before.")
    blocked_end = models.DateTimeField(editable=False, help_text="End plus the buffer after.")
    status = models.CharField(max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.CONFIRMED)
    arrived_at = models.DateTimeField(null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    short_notice = models.BooleanField(
        default=False,
        editable=False,
        help_text="Booked by phone inside the type's online minimum notice, by a staff member allowed to "
        "(Booked by). Moving the appointment clears it; the history keeps it.",
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    staff_notes = models.TextField(blank=True)
    scheduled_at = models.DateTimeField(
        default=timezone.now, help_text="When the current time was booked; reminders due before it are skipped."
    )
    calendar_sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="The calendar file's SEQUENCE: one more on each move or cancellation."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["start", "pk"]
        # Each staff action has its own permission (docs/roles.md); ``add_appointment`` books by phone,
        # ``book_short_notice`` lets such a booking start inside the type's online minimum notice, and
        # ``change_appointment`` edits the staff notes in Django admin.
        permissions: ClassVar = [
            ("mark_appointment", "Can mark an appointment arrived, completed or no-show"),
            ("reschedule_appointment", "Can move an appointment to another time"),
            ("cancel_appointment", "Can cancel an appointment"),
            ("book_short_notice", "Can book by phone inside the online minimum notice"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="sched_appt_start_before_end"),
            models.CheckConstraint(
                condition=Q(blocked_start__lte=models.F("start")) & Q(blocked_end__gte=models.F("end")),
                name="sched_appt_buffers_contain_visit",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="sched_appt_cancelled_has_time",
            ),
            PostgresExclusionConstraint(
                name="sched_appt_no_overlap",
                expressions=[
                    ("provider", RangeOperators.EQUAL),
                    (TsTzRange("blocked_start", "blocked_end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=Q(status__in=["pending", "confirmed"]),
                violation_error_message="This time overlaps another appointment of the provider.",
            ),
        ]
        indexes: ClassVar = [
            # Busy time on SQLite (see selectors.busy_appointments); PostgreSQL uses the exclusion constraint's index.
            # Not partial: SQLite cannot match a partial index's condition against a bound ``status IN (?, ?)``.
            models.Index(fields=["provider", "blocked_start"], name="sched_appt_provider_start_idx"),
            models.Index(fields=["patient", "start"], name="sched_appt_patient_idx"),
            models.Index(fields=["start"], name="sched_appt_start_idx"),
        ]

    def __str__(self) -> str:
        return f"Appointment #{self.pk} {self.start:%Y-%m-%d %H:%M} UTC ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Keeping the buffered bounds in step with start/end is data integrity, not business logic. A save
        # that does not touch the times keeps the bounds it was booked with, even if the type's buffers
        # have changed since (recomputing them could collide with a neighbour).
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"start", "end", "appointment_type"} & set(update_fields):
            appointment_type = self.appointment_type
            self.blocked_start = self.start - appointment_type.buffer_before
            self.blocked_end = self.end + appointment_type.buffer_after
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "blocked_start", "blocked_end"}
        super().save(*args, **kwargs)

    def allowed_marks(self, now: datetime) -> list[MarkAction]:
        """What staff may record now, in order, on the appointment's own day in the clinic: Arrived (in the clinic
        only, once), then Completed or No-show once it has started. The one rule the page and the service ask."""
        zone = clinic_tz()
        if self.status not in ACTIVE_STATUSES or self.start.astimezone(zone).date() != now.astimezone(zone).date():
            return []
        in_clinic = self.appointment_type.location_kind == LocationKind.IN_CLINIC
        marks = []
        if in_clinic and self.arrived_at is None:
            marks.append(MarkAction.ARRIVED)
        if self.start <= now and (self.arrived_at is not None or not in_clinic):
            marks.append(MarkAction.COMPLETED)
        if self.start <= now and self.arrived_at is None:
            marks.append(MarkAction.NO_SHOW)
        return marks

    @property
    def status_label(self) -> str:
        """The status staff see: a confirmed appointment whose patient has arrived is "Checked in"."""
        if self.status == AppointmentStatus.CONFIRMED and self.arrived_at is not None:
            return "Checked in"
        return self.get_status_display()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def change_deadline(self) -> Any:
        """Until when the patient may cancel or reschedule."""
        return self.start - self.appointment_type.change_cutoff
