"""Builders for scheduling emails. They load the appointment at send time and give template context.

Emails name no appointment type (type names can be clinical); they say "your appointment".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from clinic.lib.time import clinic_tz
from clinic.lib.timezones import zone_label
from clinic.models import Notification
from clinic.notifications import EmailContent, NotificationObsolete, register
from scheduling.ics import appointment_ics, ics_filename, location_text, session_ics, session_ics_filename
from scheduling.links import manage_path
from scheduling.models import ACTIVE_STATUSES, Appointment, InfusionSession, LocationKind
from scheduling.selectors import APPOINTMENT_JOINS

ICS_MIMETYPE = "text/calendar"


def _appointment(notification: Notification) -> Appointment:
    if notification.recipient is None:
        raise NotificationObsolete
    appointment = (
        Appointment.objects.select_related(*APPOINTMENT_JOINS)
        .filter(pk=notification.context.get("appointment_id"))
        .first()
    )
    if appointment is None or appointment.patient.user_id != notification.recipient_id:
        raise NotificationObsolete
    return appointment


def _wall_time(moment: datetime, tz: ZoneInfo) -> str:
    local = timezone.localtime(moment, tz)
    return f"{local:%A, %B} {local.day}, {local.year} at {local:%I:%M %p}".replace(" 0", " ")


def _format(moment: datetime, tz: ZoneInfo) -> str:
    """The time as the reader's clock shows it, with the zone named: an abbreviation alone is ambiguous (CST) or
    says nothing ("+04")."""
    return f"{_wall_time(moment, tz)} ({zone_label(tz.key)})"


def _when(moment: datetime, tz: ZoneInfo) -> dict[str, str]:
    """The patient's time, and the clinic's too when its clock shows another time."""
    other = _wall_time(moment, clinic_tz()) != _wall_time(moment, tz)
    return {"when": _format(moment, tz), "clinic_when": _format(moment, clinic_tz()) if other else ""}


def appointment_context(appointment: Appointment) -> dict[str, Any]:
    return {
        **_when(appointment.start, appointment.patient.tzinfo),
        "duration_minutes": appointment.appointment_type.duration_minutes,
        "provider_name": appointment.provider.display_name,
        "location": location_text(appointment),
        "is_phone": appointment.appointment_type.location_kind == LocationKind.PHONE,
        "manage_path": manage_path(appointment),
        "portal_path": reverse("scheduling:my-appointments"),
        "needs_form": appointment.appointment_type.requires_screening,
    }


def _ics(appointment: Appointment, *, cancelled: bool = False) -> list[tuple[str, bytes, str]]:
    return [(ics_filename(appointment), appointment_ics(appointment, cancelled=cancelled), ICS_MIMETYPE)]


def _booked(notification: Notification) -> EmailContent:
    appointment = _appointment(notification)
    if appointment.status not in ACTIVE_STATUSES:
        raise NotificationObsolete
    return EmailContent(appointment_context(appointment), attachments=_ics(appointment))


# A new booking, and a booking a visitor attached to an account that already existed: same content,
# different templates (the second tells the owner it was booked with their email).
register("scheduling/confirmation")(_booked)
register("scheduling/booking_added")(_booked)


@register("scheduling/rescheduled")
def rescheduled(notification: Notification) -> EmailContent:
    appointment = _appointment(notification)
    if appointment.status not in ACTIVE_STATUSES:
        raise NotificationObsolete
    context = appointment_context(appointment)
    old_start = parse_datetime(notification.context.get("old_start") or "")
    context["old_when"] = _format(old_start, appointment.patient.tzinfo) if old_start else ""
    return EmailContent(context, attachments=_ics(appointment))


@register("scheduling/cancelled")
def cancelled(notification: Notification) -> EmailContent:
    appointment = _appointment(notification)
    if appointment.status != Appointment.Status.CANCELLED:
        raise NotificationObsolete
    context = appointment_context(appointment)
    context["book_path"] = reverse("scheduling:book-start")
    return EmailContent(context, attachments=_ics(appointment, cancelled=True))


@register("scheduling/reminder")
def reminder(notification: Notification) -> EmailContent:
    appointment = _appointment(notification)
    # Never remind of a cancelled, moved or past appointment, whatever raced with the scan.
    if (
        appointment.status not in ACTIVE_STATUSES
        or appointment.start.isoformat() != notification.context.get("start")
        or appointment.start <= timezone.now()
    ):
        raise NotificationObsolete
    return EmailContent(appointment_context(appointment))


@register("scheduling/staff_email_used")
def staff_email_used(notification: Notification) -> EmailContent:
    """Someone booked online with a staff account's email; nothing was booked."""
    if notification.recipient is None or not notification.recipient.is_active:
        raise NotificationObsolete
    return EmailContent({"staff_book_path": reverse("scheduling:staff-book")})


def _session_still_at(notification: Notification) -> InfusionSession:
    """The recipient's own session, still booked, still to come and still at the start the email was queued for;
    else the email is obsolete (a later move or the cancellation queued its own)."""
    if notification.recipient is None:
        raise NotificationObsolete
    session = (
        InfusionSession.objects.select_related("course__patient")
        .filter(pk=notification.context.get("session_id"), course__patient__user=notification.recipient)
        .first()
    )
    if (
        session is None
        or session.status != InfusionSession.Status.SCHEDULED
        or session.start.isoformat() != notification.context.get("start")
        or session.start <= timezone.now()
    ):
        raise NotificationObsolete
    return session


@register("scheduling/session_reminder")
def session_reminder(notification: Notification) -> EmailContent:
    """The day-before reminder of a session: one email, with the check-in link and a calendar file.

    Like every email it says "visit", never what the visit is for.
    """
    session = _session_still_at(notification)
    context = {
        **_when(session.start, session.course.patient.tzinfo),
        "location": settings.CLINIC_ADDRESS,
        "checkin_path": reverse("scheduling:session-checkin", args=[session.pk]),
    }
    return EmailContent(context, attachments=[(session_ics_filename(session), session_ics(session), ICS_MIMETYPE)])


def _session_list(notification: Notification, *, status: str, cancelled: bool) -> EmailContent:
    """The patient's future visits named in the notification and still in ``status``, each with a calendar file
    (which removes it when ``cancelled``). Like every email it says "visit", never what the visit is for."""
    if notification.recipient is None:
        raise NotificationObsolete
    sessions = list(
        InfusionSession.objects.select_related("course__patient")
        .filter(
            pk__in=notification.context.get("session_ids") or [],
            course__patient__user=notification.recipient,
            status=status,
            start__gt=timezone.now(),
        )
        .order_by("start", "pk")
    )
    if not sessions:
        raise NotificationObsolete
    patient_tz = sessions[0].course.patient.tzinfo
    context = {"whens": [_format(s.start, patient_tz) for s in sessions], "location": settings.CLINIC_ADDRESS}
    attachments = [(session_ics_filename(s), session_ics(s, cancelled=cancelled), ICS_MIMETYPE) for s in sessions]
    return EmailContent(context, attachments=attachments)


@register("scheduling/sessions_cancelled")
def sessions_cancelled(notification: Notification) -> EmailContent:
    """The patient's cancelled future visits (one session, or all left when a course is stopped)."""
    return _session_list(notification, status=InfusionSession.Status.CANCELLED, cancelled=True)


@register("scheduling/sessions_booked")
def sessions_booked(notification: Notification) -> EmailContent:
    """The visits staff booked from the plan, each with a calendar file that adds it."""
    return _session_list(notification, status=InfusionSession.Status.SCHEDULED, cancelled=False)


@register("scheduling/session_moved")
def session_moved(notification: Notification) -> EmailContent:
    """A visit's new time (moved by the patient or by staff), with the updated calendar file (its SEQUENCE raised).

    A later move queues its own email, so this one is obsolete once the visit is no longer at this start.
    """
    session = _session_still_at(notification)
    patient_tz = session.course.patient.tzinfo
    old_start = parse_datetime(notification.context.get("old_start") or "")
    context = {
        **_when(session.start, patient_tz),
        "old_when": _format(old_start, patient_tz) if old_start else "",
        "location": settings.CLINIC_ADDRESS,
    }
    return EmailContent(context, attachments=[(session_ics_filename(session), session_ics(session), ICS_MIMETYPE)])
