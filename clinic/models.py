"""Core models: the user, the patient profile, the notification outbox and the PHI access log."""

from __future__ import annotations

import zoneinfo
from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from clinic.lib.timezones import time_zone_names
from clinic.managers import AccessLogQuerySet, UserManager
from clinic.validators import validate_date_of_birth, validate_person_name


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError("Choose a time zone from the list.", code="invalid_time_zone")


def validate_not_future(value: date) -> None:
    """Kept for migration 0001; fields use ``clinic.validators.validate_date_of_birth``."""
    if value > timezone.localdate():
        raise ValidationError("A date of birth cannot be in the future.", code="future_date")


class User(AbstractUser):
    """A person who can log in. The email address is the login, unique whatever its case."""

    username = None
    email = models.EmailField("email address", unique=True)
    activated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the account first became usable. Set once: a sign-up's verification link works only before.",
    )
    deactivated_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When an admin last deactivated it. Links emailed before then stop working, and a sign-up "
        "deactivated before it was verified is closed for good.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("email"), name="clinic_user_email_ci_unique"),
        ]
        permissions: ClassVar = [
            ("access_staff_area", "Can use the staff area"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = type(self).objects.normalize_email(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Any account that has ever been usable is past verification, even once deactivated.
        if self.is_active and self.activated_at is None:
            self.activated_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def is_clinic_staff(self) -> bool:
        """Staff and admins must pass a second factor; patients never are staff."""
        return self.is_staff or self.is_superuser


class Patient(models.Model):
    """The patient's profile, one per user who is a patient."""

    class SexAtBirth(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        UNKNOWN = "unknown", "Prefer not to say / unknown"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patient")
    legal_first_name = models.CharField(max_length=100, validators=[validate_person_name])
    legal_last_name = models.CharField(max_length=100, validators=[validate_person_name])
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What you like to be called.", validators=[validate_person_name]
    )
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    sex_at_birth = models.CharField(max_length=10, choices=SexAtBirth.choices, default=SexAtBirth.UNKNOWN)
    phone = PhoneNumberField()
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    emergency_contact_name = models.CharField(max_length=200, blank=True, validators=[validate_person_name])
    emergency_contact_phone = PhoneNumberField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["legal_last_name", "legal_first_name", "pk"]
        indexes: ClassVar = [
            models.Index(Lower("legal_last_name"), Lower("legal_first_name"), name="clinic_patient_name_idx"),
        ]
        permissions: ClassVar = [
            # Staff read records on the staff pages; Django admin shows patients only to roles that hold this.
            ("view_patients_in_admin", "Can see patients and their appointments in Django admin"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("clinic:staff-patient-detail", args=[self.pk])

    @property
    def first_name(self) -> str:
        """The name to greet the patient by."""
        return self.preferred_name or self.legal_first_name

    @property
    def full_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Notification(models.Model):
    """One email in the outbox, written in the same transaction as the change that causes it.

    It holds ids, never content: the email is rendered at send time by the builder registered for its
    ``kind`` (see ``clinic.notifications.registry``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=100, help_text="Registered email kind, which names its templates.")
    # Kept when the user is deleted (their unsent emails are cancelled first): failures and alerts stay on record.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    to_email = models.EmailField(
        blank=True, help_text="The address when it was queued; the only address when the recipient is not a user."
    )
    context = models.JSONField(default=dict, blank=True, help_text="Ids only.")
    message_id = models.CharField(
        max_length=255, blank=True, help_text="Set when queued and reused by every retry, so copies can be told apart."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(
        default=timezone.now, help_text="When it was queued or sent again; retries stop NOTIFICATION_RETRY_HOURS later."
    )
    locked_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resent_at = models.DateTimeField(null=True, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]
        permissions: ClassVar = [
            ("resolve_notification", "Can mark an email that failed for good as resolved"),
            ("resend_notification", "Can send an email again"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | ~models.Q(to_email=""),
                name="clinic_notification_has_recipient",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="clinic_notification_sent_has_time",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "due_at"], name="clinic_notification_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def address(self) -> str:
        """Where it goes (or went): the user's current address, else the one it was queued for."""
        return self.recipient.email if self.recipient else self.to_email

    @property
    def kind_label(self) -> str:
        """The kind in plain words for staff ("scheduling/confirmation" is "Confirmation"); nothing clinical."""
        return self.kind.rsplit("/", 1)[-1].replace("_", " ").capitalize()


class MailServerAlert(models.Model):
    """The mail server is refusing everything (a set-up fault): one row for the whole outage, not one per email.

    Opened by the first set-up fault, counted by the next ones, closed by the next email the server takes.
    """

    server = models.CharField(max_length=20, default="smtp", editable=False)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    step = models.CharField(max_length=20, help_text="connect, helo, auth or mail: where the server refused.")
    code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The SMTP reply code, if any.")
    reason = models.CharField(max_length=100, blank=True)
    failures = models.PositiveIntegerField(default=1)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-first_seen_at", "-pk"]
        constraints: ClassVar = [
            # At most one open alert, so concurrent workers cannot raise two.
            models.UniqueConstraint(
                fields=["server"], condition=models.Q(cleared_at__isnull=True), name="clinic_mailserveralert_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"Mail server alert #{self.pk} ({self.step} {self.code or self.reason})"

    @property
    def problem(self) -> str:
        """What went wrong, in words for staff."""
        when = {
            "connect": "when we connected",
            "helo": "when we introduced ourselves",
            "auth": "when we signed in",
            "mail": "to our sender address",
        }.get(self.step, f"at {self.step}")
        if self.code:
            return f"it answered {self.code} {when}"
        if self.step == "connect":
            return f"we could not reach it ({self.reason})"
        return f"the connection dropped {when} ({self.reason})"


class AccessLog(models.Model):
    """Who looked at or changed which patient's record, one row per patient. Append-only.

    A page that lists patients (a search, a calendar) writes one LIST row per patient it showed, all in one
    insert, each naming the page; a page about one patient writes a VIEW row naming the record it showed.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        LIST = "list", "Shown in a list"
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        EXPORT = "export", "Exported"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="access_logs")
    object_type = models.CharField(max_length=100, help_text="app_label.model of the record shown.")
    object_id = models.CharField(max_length=64)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.VIEW)
    page = models.CharField(max_length=100, blank=True, help_text="The URL name of the page that showed it.")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["patient", "-at"], name="clinic_accesslog_patient_idx"),
            models.Index(fields=["user", "-at"], name="clinic_accesslog_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError("Access log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError("Access log entries cannot be deleted.")
