"""Calendar attachments (.ics) for appointment emails.

A calendar app shows and keeps them, so they name the clinic by ``CLINIC_EMAIL_NAME`` (never ``CLINIC_NAME``, which
may name the treatment) and carry no clinical words; the outbox reads them too before it sends.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from scheduling.models import Appointment, InfusionSession, LocationKind


def location_text(appointment: Appointment) -> str:
    kind = appointment.appointment_type.location_kind
    if kind == LocationKind.IN_CLINIC:
        return settings.CLINIC_ADDRESS
    if kind == LocationKind.VIDEO:
        return "Video call: we will email you the link"
    return "Phone call: we will call you"


def appointment_ics(appointment: Appointment, *, cancelled: bool = False) -> bytes:
    host = urlsplit(settings.SITE_URL).hostname or "clinic.example"
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_EMAIL_NAME}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end)
    # Later versions of the same appointment must carry a higher sequence for calendars to update.
    event.add("sequence", max(0, int((appointment.scheduled_at - appointment.created_at).total_seconds())))
    event.add("summary", f"Appointment with {settings.CLINIC_EMAIL_NAME}")
    event.add("location", location_text(appointment))
    event.add("description", f"Questions or changes: call {settings.CLINIC_PHONE}.")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def ics_filename(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}.ics"


def session_ics(session: InfusionSession) -> bytes:
    """A visit in the patient's calendar: the clinic's email name and address, nothing about what it is for."""
    host = urlsplit(settings.SITE_URL).hostname or "clinic.example"
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_EMAIL_NAME}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"visit-{session.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.start)
    event.add("dtend", session.end)
    event.add("summary", f"Visit to {settings.CLINIC_EMAIL_NAME}")
    event.add("location", settings.CLINIC_ADDRESS)
    event.add("description", f"Questions or changes: call {settings.CLINIC_PHONE}.")
    event.add("status", "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
