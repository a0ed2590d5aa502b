"""Writes for scheduling: booking, rescheduling, cancelling, marking, blocking time, reminders."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.models import Notification, Patient, User
from clinic.services import notification_enqueue, notifications_cancel, patient_register
from scheduling.exceptions import (
    AppointmentNotActive,
    BookingError,
    ChangeCutoffPassed,
    InvalidSlot,
    SlotUnavailable,
    TimeBlockConflict,
)
from scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentType,
    Provider,
    ReminderSettings,
    TimeBlock,
    validate_time_block,
)
from scheduling.selectors import busy_appointments, slot_is_available

logger = logging.getLogger(__name__)

KIND_CONFIRMATION = "scheduling/confirmation"
KIND_BOOKING_ADDED = "scheduling/booking_added"
KIND_RESCHEDULED = "scheduling/rescheduled"
KIND_CANCELLED = "scheduling/cancelled"
KIND_REMINDER = "scheduling/reminder"


class MarkAction:
    ARRIVED = "arrived"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    ALL = (ARRIVED, COMPLETED, NO_SHOW)


# --- Booking ----------------------------------------------------------------------------------------


def book_appointment(
    *,
    patient: Patient,
    provider: Provider,
    appointment_type: AppointmentType,
    start: datetime,
    booked_by: User | None = None,
    idempotency_key: str | None = None,
) -> Appointment:
    """Book an open slot, or raise ``SlotUnavailable`` (``InvalidSlot`` for a start that was never open).

    The same ``idempotency_key`` again returns the first appointment. The confirmation email (with an
    .ics) is queued in the same transaction; reminders come from the periodic scan.
    """
    return _book(
        patient=patient,
        provider=provider,
        appointment_type=appointment_type,
        start=start,
        booked_by=booked_by,
        idempotency_key=idempotency_key,
        email_kind=KIND_CONFIRMATION,
    )


def book_for_visitor(
    *,
    email: str,
    legal_first_name: str,
    legal_last_name: str,
    phone: Any,
    date_of_birth: date,
    time_zone: str,
    provider: Provider,
    appointment_type: AppointmentType,
    start: datetime,
    idempotency_key: str | None = None,
) -> Appointment:
    """Book for someone who is not logged in.

    A new email gets an account without a password (and a link to set one). An email that already has
    an account gets the booking attached and its owner is told by email; the caller sees no difference.
    """
    details = {
        "email": email,
        "legal_first_name": legal_first_name,
        "legal_last_name": legal_last_name,
        "phone": phone,
        "date_of_birth": date_of_birth,
        "time_zone": time_zone,
    }
    booking = {"provider": provider, "appointment_type": appointment_type, "start": start}
    try:
        return _book_for_visitor_once(details=details, booking=booking, idempotency_key=idempotency_key)
    except IntegrityError:
        # A concurrent request (a double submit) made the account first; now it is an existing email.
        return _book_for_visitor_once(details=details, booking=booking, idempotency_key=idempotency_key)


@transaction.atomic
def _book_for_visitor_once(
    *, details: dict[str, Any], booking: dict[str, Any], idempotency_key: str | None
) -> Appointment:
    existing = User.objects.filter(email__iexact=User.objects.normalize_email(details["email"])).first()
    if existing is not None:
        patient = Patient.objects.filter(user=existing).first()
        if patient is None:  # a staff address: never attach patient data to it
            raise BookingError("We could not complete this booking online. Please call us to book.")
        email_kind = KIND_BOOKING_ADDED
    else:
        _check_slot(**booking)  # before making an account, so a taken slot leaves nothing behind
        patient = patient_register(**details, password=None)
        email_kind = KIND_CONFIRMATION
    return _book(patient=patient, **booking, booked_by=None, idempotency_key=idempotency_key, email_kind=email_kind)


def _book(
    *,
    patient: Patient,
    provider: Provider,
    appointment_type: AppointmentType,
    start: datetime,
    booked_by: User | None,
    idempotency_key: str | None,
    email_kind: str,
) -> Appointment:
    if idempotency_key:
        earlier = Appointment.objects.filter(idempotency_key=idempotency_key, patient=patient).first()
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            _lock_calendars(provider)
            _check_slot(provider=provider, appointment_type=appointment_type, start=start)
            appointment = Appointment(
                patient=patient,
                provider=provider,
                appointment_type=appointment_type,
                start=start,
                end=start + appointment_type.duration,
                status=Appointment.Status.CONFIRMED,
                booked_by=booked_by,
                idempotency_key=idempotency_key or None,
                scheduled_at=timezone.now(),
            )
            appointment._history_user = booked_by
            appointment.save()
            notification_enqueue(
                kind=email_kind,
                idempotency_key=f"appointment:{appointment.pk}:{email_kind.split('/')[-1]}",
                recipient=patient.user,
                context={"appointment_id": appointment.pk},
            )
    except IntegrityError:
        if idempotency_key:
            earlier = Appointment.objects.filter(idempotency_key=idempotency_key, patient=patient).first()
            if earlier is not None:
                return earlier
        logger.info("Booking lost a race for provider %s", provider.pk)
        raise SlotUnavailable from None
    logger.info("Appointment %s booked", appointment.pk)
    return appointment


def _lock_calendars(*providers: Provider) -> None:
    """Serialise every change to these providers' calendars until the transaction ends.

    Without it, concurrent inserts that trip the exclusion constraint on PostgreSQL can deadlock
    instead of failing cleanly. With it, the second booker waits, then sees the first booking in
    ``_check_slot``; the constraint stays the guarantee. On SQLite the IMMEDIATE transaction already
    holds the database's write lock, and ``select_for_update`` does nothing.
    """
    pks = sorted({provider.pk for provider in providers})  # one order everywhere, so no lock cycles
    list(Provider.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", flat=True))


def _check_slot(
    *,
    provider: Provider,
    appointment_type: AppointmentType,
    start: datetime,
    ignore_appointment_id: int | None = None,
) -> None:
    if not isinstance(start, datetime) or timezone.is_naive(start):
        raise InvalidSlot
    if start <= timezone.now():
        raise InvalidSlot("That time has already passed. Please choose a later time.")
    if not provider.active or not appointment_type.active:
        raise InvalidSlot
    if not provider.appointment_types.filter(pk=appointment_type.pk).exists():
        raise InvalidSlot("This provider does not offer that kind of appointment.")
    if not slot_is_available(
        appointment_type=appointment_type,
        provider=provider,
        start=start,
        ignore_appointment_id=ignore_appointment_id,
    ):
        # Taken (say so, and the web layer offers the nearest times) or never open at all?
        if slot_is_available(appointment_type=appointment_type, provider=provider, start=start, ignore_busy=True):
            raise SlotUnavailable
        raise InvalidSlot


# --- Changes ----------------------------------------------------------------------------------------


def _check_patient_may_change(appointment: Appointment, by: User | None) -> None:
    if appointment.status not in ACTIVE_STATUSES:
        raise AppointmentNotActive
    if (by is None or not by.is_clinic_staff) and timezone.now() > appointment.change_deadline:
        raise ChangeCutoffPassed


def _record_history(appointment: Appointment, by: User | None) -> Appointment:
    """Reload after a conditional update and write one history row for it."""
    appointment.refresh_from_db()
    appointment._history_user = by
    appointment.save(update_fields=["updated_at"])
    return appointment


def appointment_reschedule(
    *, appointment: Appointment, new_start: datetime, by: User | None, provider: Provider | None = None
) -> Appointment:
    """Move an active appointment to another open slot of the same type (and provider, unless given).

    Patients (and signed links, ``by=None``) are bound by the type's cutoff; staff are not.
    """
    _check_patient_may_change(appointment, by)
    provider = provider or appointment.provider
    if new_start == appointment.start and provider.pk == appointment.provider_id:
        return appointment
    appointment_type = appointment.appointment_type
    old_start = appointment.start
    try:
        with transaction.atomic():
            _lock_calendars(provider, appointment.provider)
            _check_slot(
                provider=provider,
                appointment_type=appointment_type,
                start=new_start,
                ignore_appointment_id=appointment.pk,
            )
            moved = Appointment.objects.filter(pk=appointment.pk, status__in=ACTIVE_STATUSES, start=old_start).update(
                provider=provider,
                start=new_start,
                end=new_start + appointment_type.duration,
                blocked_start=new_start - appointment_type.buffer_before,
                blocked_end=new_start + appointment_type.duration + appointment_type.buffer_after,
                scheduled_at=timezone.now(),
            )
            if moved != 1:
                raise BookingError("This appointment changed in the meantime. Please reload and try again.")
            _withdraw_reminders(appointment.pk)
            notification_enqueue(
                kind=KIND_RESCHEDULED,
                idempotency_key=f"appointment:{appointment.pk}:rescheduled:{new_start.isoformat()}",
                recipient=appointment.patient.user,
                context={"appointment_id": appointment.pk, "old_start": old_start.isoformat()},
            )
            appointment = _record_history(appointment, by)
    except IntegrityError:
        raise SlotUnavailable from None
    logger.info("Appointment %s rescheduled", appointment.pk)
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by: User | None, reason: str = "") -> Appointment:
    """Cancel an active appointment: patients until the cutoff, staff any time. Reminders are withdrawn."""
    _check_patient_may_change(appointment, by)
    now = timezone.now()
    cancelled = Appointment.objects.filter(pk=appointment.pk, status__in=ACTIVE_STATUSES).update(
        status=Appointment.Status.CANCELLED, cancelled_at=now, cancelled_by=by, cancel_reason=reason[:500]
    )
    if cancelled != 1:
        raise AppointmentNotActive
    _withdraw_reminders(appointment.pk)
    notification_enqueue(
        kind=KIND_CANCELLED,
        idempotency_key=f"appointment:{appointment.pk}:cancelled",
        recipient=appointment.patient.user,
        context={"appointment_id": appointment.pk},
    )
    logger.info("Appointment %s cancelled", appointment.pk)
    return _record_history(appointment, by)


@transaction.atomic
def appointment_mark(*, appointment: Appointment, action: str, by: User) -> Appointment:
    """Front desk and clinical staff: arrived (keeps it confirmed), completed or no-show."""
    now = timezone.now()
    qs = Appointment.objects.filter(pk=appointment.pk, status__in=ACTIVE_STATUSES)
    if action == MarkAction.ARRIVED:
        changed = qs.filter(arrived_at__isnull=True, start__lte=now + timedelta(hours=12)).update(
            arrived_at=now, status=Appointment.Status.CONFIRMED
        )
        error = "Arrival can be recorded once, on the day of the appointment."
    elif action == MarkAction.COMPLETED:
        changed = qs.filter(start__lte=now).update(status=Appointment.Status.COMPLETED)
        error = "Only an appointment that has started can be marked completed."
    elif action == MarkAction.NO_SHOW:
        changed = qs.filter(start__lte=now, arrived_at__isnull=True).update(status=Appointment.Status.NO_SHOW)
        error = "Only a started appointment without a recorded arrival can be marked a no-show."
    else:
        raise BookingError("Unknown action.")
    if changed != 1:
        raise BookingError(error)
    if action != MarkAction.ARRIVED:
        _withdraw_reminders(appointment.pk)
    return _record_history(appointment, by)


@transaction.atomic
@transaction.atomic
def time_block_create(*, provider: Provider, start: datetime, end: datetime, reason: str, by: User) -> TimeBlock:
    """Block a provider's time, unless it overlaps an active appointment (buffers included)."""
    if timezone.is_naive(start) or timezone.is_naive(end) or end <= start:
        raise BookingError("The end of a blocked time must be after its start.")
    try:
        validate_time_block(start=start, end=end)
    except ValidationError as error:
        raise BookingError(" ".join(error.messages)) from None
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    _lock_calendars(provider)
    clashes = busy_appointments(provider_ids=[provider.pk], start=start, end=end).count()
    if clashes:
        raise TimeBlockConflict(
            f"This time overlaps {clashes} booked appointment{'s' if clashes != 1 else ''}. Move or cancel them first."
        )
    return TimeBlock.objects.create(provider=provider, start=start, end=end, reason=reason[:200], created_by=by)


@transaction.atomic
def time_block_delete(*, time_block: TimeBlock, by: User) -> None:
    """Give blocked time back to the calendar."""
    logger.info("Time block %s removed by user %s", time_block.pk, by.pk)
    TimeBlock.objects.filter(pk=time_block.pk).delete()


# --- Reminders --------------------------------------------------------------------------------------


def reminder_key(appointment_id: int, offset: timedelta, start: datetime) -> str:
    return f"reminder:{appointment_id}:{int(offset.total_seconds() // 60)}m:{start.isoformat()}"


def _withdraw_reminders(appointment_id: int) -> None:
    keys = Notification.objects.filter(
        idempotency_key__startswith=f"reminder:{appointment_id}:", status=Notification.Status.PENDING
    ).values_list("idempotency_key", flat=True)
    notifications_cancel(idempotency_keys=list(keys))


def reminders_enqueue_due() -> int:
    """The periodic scan: queue each reminder whose moment has come. Safe to run on two workers at once.

    A reminder is due once ``start - offset`` has passed, for an active appointment that has not started
    and was booked (or last moved) before that moment. When several are due at once, only the nearest
    one goes out. The key carries the start, so a rescheduled appointment gets fresh reminders, and the
    outbox's unique key makes a second scan (or a second worker) a no-op.
    """
    now = timezone.now()
    offsets = sorted(ReminderSettings.load().offsets)  # nearest first
    if not offsets:
        return 0
    candidates = Appointment.objects.filter(
        status__in=ACTIVE_STATUSES, start__gt=now, start__lte=now + offsets[-1]
    ).select_related("patient__user")
    due: dict[str, Appointment] = {}
    for appointment in candidates:
        for offset in offsets:
            moment = appointment.start - offset
            if moment <= now and appointment.scheduled_at <= moment:
                due[reminder_key(appointment.pk, offset, appointment.start)] = appointment
                break
    existing = set(Notification.objects.filter(idempotency_key__in=list(due)).values_list("idempotency_key", flat=True))
    queued = 0
    for key, appointment in due.items():
        if key in existing:
            continue
        with transaction.atomic():
            notification_enqueue(
                kind=KIND_REMINDER,
                idempotency_key=key,
                recipient=appointment.patient.user,
                context={"appointment_id": appointment.pk, "start": appointment.start.isoformat()},
            )
        queued += 1
    return queued
