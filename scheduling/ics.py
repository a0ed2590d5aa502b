"""Calendar attachments (.ics) for appointment and session emails: one builder, so both carry the same SEQUENCE,
ORGANIZER, alarm and cancellation.

A calendar app shows and keeps them, so they name the clinic by ``CLINIC_EMAIL_NAME`` (never ``CLINIC_NAME``, which
may name the treatment) and carry no clinical words; the outbox reads them too before it sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event, vCalAddress, vText

from scheduling.models import Appointment, AppointmentType, InfusionSession, LocationKind

ALARM_BEFORE = timedelta(hours=1)


def location_text(appointment: Appointment) -> str:
    return _location_for(appointment.appointment_type)


def _location_for(appointment_type: AppointmentType) -> str:
    kind = appointment_type.location_kind
    if kind == LocationKind.IN_CLINIC:
        return settings.CLINIC_ADDRESS
    if kind == LocationKind.VIDEO:
        return "Video call: we will email you the link"
    return "Phone call: we will call you"


@dataclass(frozen=True)
class CalendarEvent:
    """What a patient's calendar shows for an appointment: the .ics file and the add-to-calendar links share it.

    The link is the portal's page for the appointment, which needs a login: never the signed no-login link, which
    would then sit in a third-party calendar.
    """

    title: str
    start: datetime
    end: datetime
    location: str
    url: str
    description: str


def _event(
    *, start: datetime, end: datetime, location: str, url_name: str, args: tuple = (), what: str
) -> CalendarEvent:
    url = settings.SITE_URL.rstrip("/") + reverse(url_name, args=args)
    return CalendarEvent(
        title=f"Appointment with {settings.CLINIC_EMAIL_NAME}",
        start=start,
        end=end,
        location=location,
        url=url,
        description=f"{what}: {url}\nQuestions or changes: call {settings.CLINIC_PHONE}.",
    )


def calendar_event(appointment: Appointment) -> CalendarEvent:
    return _event(
        start=appointment.start,
        end=appointment.end,
        location=location_text(appointment),
        url_name="scheduling:appointment-detail",
        args=(appointment.pk,),
        what="Your appointment",
    )


def receipt_event(*, appointment_type: AppointmentType, start: datetime) -> CalendarEvent:
    """A visitor's booking as their receipt knows it (a type and a start, never an appointment: the page answers the
    same whoever owns the email), linking to the portal's home page, which needs a login."""
    return _event(
        start=start,
        end=start + appointment_type.duration,
        location=_location_for(appointment_type),
        url_name="scheduling:portal-home",
        what="Your appointments",
    )


def appointment_ics(appointment: Appointment, *, cancelled: bool = False) -> bytes:
    """One VEVENT per appointment (its UID never changes); a move or a cancellation raises its SEQUENCE, and a
    cancellation is sent as METHOD:CANCEL, which calendar apps apply by removing the event."""
    return _event_ics(
        uid=f"appointment-{appointment.pk}",
        details=calendar_event(appointment),
        sequence=appointment.calendar_sequence,
        cancelled=cancelled,
    )


def _event_ics(*, uid: str, details: CalendarEvent, sequence: int, cancelled: bool) -> bytes:
    """The one calendar file every visit shares: the clinic's email name as ORGANIZER, a display alarm, and
    METHOD:CANCEL with STATUS:CANCELLED (and no alarm) once it is cancelled."""
    host = urlsplit(settings.SITE_URL).hostname or "clinic.example"
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.CLINIC_EMAIL_NAME}//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"{uid}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", details.start)
    event.add("dtend", details.end)
    event.add("sequence", sequence)
    event.add("summary", details.title)
    event.add("location", details.location)
    event.add("description", details.description)
    event.add("url", details.url)
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["cn"] = vText(settings.CLINIC_EMAIL_NAME)
    event.add("organizer", organizer)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", details.title)
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()


def add_to_calendar_links(appointment: Appointment) -> dict[str, str]:
    """Google and Outlook links carrying the same title, times, place and link as the .ics file."""
    return event_links(calendar_event(appointment))


def event_links(details: CalendarEvent) -> dict[str, str]:
    """Google and Outlook links for one calendar event."""
    utc = "%Y%m%dT%H%M%SZ"
    google = urlencode(
        {
            "action": "TEMPLATE",
            "text": details.title,
            "dates": f"{details.start.astimezone(UTC):{utc}}/{details.end.astimezone(UTC):{utc}}",
            "details": details.description,
            "location": details.location,
        }
    )
    outlook = urlencode(
        {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": details.title,
            "startdt": details.start.astimezone(UTC).isoformat(),
            "enddt": details.end.astimezone(UTC).isoformat(),
            "body": details.description,
            "location": details.location,
        }
    )
    return {
        "google": f"https://calendar.google.com/calendar/render?{google}",
        "outlook": f"https://outlook.live.com/calendar/0/deeplink/compose?{outlook}",
    }


def ics_filename(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}.ics"


def session_event(session: InfusionSession) -> CalendarEvent:
    """A session as the patient's calendar shows it: an appointment with the clinic's email name at its address, and
    a link to the portal's home page (which needs a login), nothing about what it is for."""
    return _event(
        start=session.start,
        end=session.end,
        location=settings.CLINIC_ADDRESS,
        url_name="scheduling:portal-home",
        what="Your appointments",
    )


def session_ics(session: InfusionSession, *, cancelled: bool = False) -> bytes:
    """Like ``appointment_ics``: one UID per session, its SEQUENCE raised on each move or cancellation."""
    return _event_ics(
        uid=f"visit-{session.pk}",
        details=session_event(session),
        sequence=session.calendar_sequence,
        cancelled=cancelled,
    )


def session_ics_filename(session: InfusionSession) -> str:
    return f"visit-{session.pk}.ics"
