"""Writes for scheduling: booking, rescheduling, cancelling, marking, blocking time, reminders."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from clinic.models import Patient, User
from clinic.selectors import notification_keys_taken, user_by_email
from clinic.services import notification_enqueue, notifications_cancel, patient_register
from scheduling.exceptions import (
    AppointmentNotActive,
    BookingError,
    InvalidSlot,
    SlotUnavailable,
    TimeBlockConflict,
)
from scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentType,
    MarkAction,
    Provider,
    ReminderSettings,
    TimeBlock,
    validate_time_block,
)
from scheduling.selectors import (
    Slot,
    busy_appointments,
    patient_change_refusal,
    providers_free_at,
    slot_at,
    slot_is_available,
)

logger = logging.getLogger(__name__)

KIND_CONFIRMATION = "scheduling/confirmation"
KIND_BOOKING_ADDED = "scheduling/booking_added"
KIND_RESCHEDULED = "scheduling/rescheduled"
KIND_CANCELLED = "scheduling/cancelled"
KIND_REMINDER = "scheduling/reminder"
KIND_STAFF_EMAIL_USED = "scheduling/staff_email_used"


# --- Booking ----------------------------------------------------------------------------------------


def book_appointment(
    *,
    patient: Patient,
    provider: Provider,
    appointment_type: AppointmentType,
    start: datetime,
    booked_by: User | None = None,
    idempotency_key: str | None = None,
    allow_short_notice: bool = False,
) -> Appointment:
    """Book an open slot, or raise ``SlotUnavailable`` (``InvalidSlot`` for a start that was never open).

    ``allow_short_notice`` lets the start fall inside the type's online minimum notice (still in the future, in
    the provider's hours, free, within the horizon: nothing else is relaxed). Only a view whose user holds
    ``scheduling.book_short_notice`` may pass it, with that user as ``booked_by``; a booking that used it is
    recorded as ``Appointment.short_notice``.

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
        allow_short_notice=allow_short_notice,
    )


def book_first_available(
    *, appointment_type: AppointmentType, start: datetime, book: Callable[[Provider], Appointment | None]
) -> Appointment | None:
    """Book ``start`` with the first available clinician: ``book(provider)`` (which calls ``book_appointment`` or
    ``book_for_visitor``) for each provider free then, fairest first (``selectors.providers_free_at``), moving on to
    the next when one was just taken. Raises ``SlotUnavailable`` when none is left."""
    for provider in providers_free_at(appointment_type=appointment_type, start=start):
        try:
            return book(provider)
        except SlotUnavailable:
            logger.info("First available: provider %s was just taken, trying the next", provider.pk)
    raise SlotUnavailable


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
) -> Appointment | None:
    """Book for someone who is not logged in.

    A new email gets an account without a password (and a link to set one). An email that already has
    an account gets the booking attached and its owner is told by email. A staff account's email books
    nothing (patient data never goes on a staff account): its owner is told by email and this returns None.
    The caller answers all three the same way, so the form never shows whose email it is.
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
) -> Appointment | None:
    existing = user_by_email(details["email"])
    if existing is not None:
        patient = getattr(existing, "patient", None)
        if patient is None:  # a staff address: never attach patient data to it
            _check_slot(**booking)  # a taken slot answers as it would for anyone
            notification_enqueue(
                kind=KIND_STAFF_EMAIL_USED,
                # One email per booking attempt, however often the form is re-sent.
                idempotency_key=f"staff-email-used:{existing.pk}:{idempotency_key or timezone.now().isoformat()}",
                recipient=existing,
            )
            logger.info("Visitor booking with the email of staff user %s: nothing booked", existing.pk)
            return None
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
    allow_short_notice: bool = False,
) -> Appointment:
    if idempotency_key:
        earlier = Appointment.objects.filter(idempotency_key=idempotency_key, patient=patient).first()
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            _lock_calendars(provider)
            slot = _check_slot(
                provider=provider,
                appointment_type=appointment_type,
                start=start,
                allow_short_notice=allow_short_notice,
            )
            appointment = Appointment(
                patient=patient,
                provider=provider,
                appointment_type=appointment_type,
                start=start,
                end=start + appointment_type.duration,
                status=Appointment.Status.CONFIRMED,
                booked_by=booked_by,
                short_notice=slot.short_notice,
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
    allow_short_notice: bool = False,
) -> Slot:
    """The open slot at ``start``, or raise: ``SlotUnavailable`` when taken, ``InvalidSlot`` when never open."""
    if not isinstance(start, datetime) or timezone.is_naive(start):
        raise InvalidSlot
    if start <= timezone.now():
        raise InvalidSlot("That time has already passed. Please choose a later time.")
    if not provider.active or not appointment_type.active:
        raise InvalidSlot
    if not provider.appointment_types.filter(pk=appointment_type.pk).exists():
        raise InvalidSlot("This provider does not offer that kind of appointment.")
    slot = slot_at(
        appointment_type=appointment_type,
        provider=provider,
        start=start,
        ignore_appointment_id=ignore_appointment_id,
        allow_short_notice=allow_short_notice,
    )
    if slot is None:
        # Taken (say so, and the web layer offers the nearest times) or never open at all?
        if slot_is_available(
            appointment_type=appointment_type,
            provider=provider,
            start=start,
            ignore_busy=True,
            allow_short_notice=allow_short_notice,
        ):
            raise SlotUnavailable
        raise InvalidSlot
    return slot


# --- Changes ----------------------------------------------------------------------------------------


def _check_may_change(appointment: Appointment, by: User | None) -> None:
    """Staff may change any active appointment (their views check the permission); patients follow the one rule."""
    if by is not None and by.is_clinic_staff:
        if appointment.status not in ACTIVE_STATUSES:
            raise AppointmentNotActive
        return
    refusal = patient_change_refusal(appointment)
    if refusal is not None:
        raise refusal


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

    Patients (and signed links, ``by=None``) are bound by the type's cutoff; staff are not. The new time keeps the
    online minimum notice, so a move clears ``short_notice`` (the history keeps it).
    """
    _check_may_change(appointment, by)
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
                short_notice=False,
                calendar_sequence=F("calendar_sequence") + 1,
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
    _check_may_change(appointment, by)
    now = timezone.now()
    cancelled = Appointment.objects.filter(pk=appointment.pk, status__in=ACTIVE_STATUSES).update(
        status=Appointment.Status.CANCELLED,
        cancelled_at=now,
        cancelled_by=by,
        cancel_reason=reason[:500],
        calendar_sequence=F("calendar_sequence") + 1,
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


MARK_REFUSALS = {
    MarkAction.ARRIVED: "Arrival is recorded once, on the day, for a visit in the clinic.",
    MarkAction.COMPLETED: "An appointment can be marked completed on its day, once it has started (and, in the clinic, "
    "once the patient has arrived).",
    MarkAction.NO_SHOW: "A no-show is recorded on the day, once the appointment has started, if the patient has not "
    "arrived.",
}


@transaction.atomic
def appointment_mark(*, appointment: Appointment, action: str, by: User) -> Appointment:
    """Record arrived (keeps it confirmed), completed or no-show, when ``Appointment.allowed_marks`` allows it now.

    The update is conditional on the state the rule was checked against, so two staff marking at once cannot both
    succeed.
    """
    now = timezone.now()
    current = Appointment.objects.select_related("appointment_type").get(pk=appointment.pk)
    if action not in current.allowed_marks(now):
        raise BookingError(MARK_REFUSALS.get(action, "Unknown action."))
    unchanged = Appointment.objects.filter(pk=current.pk, status=current.status, arrived_at=current.arrived_at)
    if action == MarkAction.ARRIVED:
        changed = unchanged.update(arrived_at=now, status=Appointment.Status.CONFIRMED)
    elif action == MarkAction.COMPLETED:
        changed = unchanged.update(status=Appointment.Status.COMPLETED)
    else:
        changed = unchanged.update(status=Appointment.Status.NO_SHOW)
    if changed != 1:
        raise BookingError("This appointment changed in the meantime. Please reload and try again.")
    if action != MarkAction.ARRIVED:
        _withdraw_reminders(appointment.pk)
    return _record_history(appointment, by)


@transaction.atomic
def time_block_create(*, provider: Provider, start: datetime, end: datetime, reason: str, by: User) -> TimeBlock:
    """Block a provider's time, unless it overlaps an active appointment (buffers included)."""
    if timezone.is_naive(start) or timezone.is_naive(end) or end <= start:
        raise BookingError("The end of a blocked time must be after its start.")
    if end <= timezone.now():
        raise BookingError("This time has already passed: only time still to come can be blocked.")
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
    notifications_cancel(key_prefix=f"reminder:{appointment_id}:")  # the key format of ``reminder_key``


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
    existing = notification_keys_taken(idempotency_keys=due)
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
