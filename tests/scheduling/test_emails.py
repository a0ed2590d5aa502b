"""Every scheduling email renders, holds its link and calendar file, and carries no clinical words."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from icalendar import Calendar

from clinic.models import Notification
from clinic.notifications import registered_kinds
from clinic.services import notification_enqueue, notification_send
from scheduling.models import Appointment, AppointmentType
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, ProviderFactory

NOW = dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)
START = dt.datetime(2026, 3, 9, 14, tzinfo=dt.UTC)
FORBIDDEN = re.compile(
    r"ketamine|infusion|diagnos|depress|anxiety|ptsd|pain|assessment|screening|mental|psychiatr|"
    r"phq|gad|score|suicid|dose|medication|treatment",
    re.IGNORECASE,
)
KINDS = ["confirmation", "booking_added", "rescheduled", "cancelled", "reminder"]
TEMPLATE_DIR = Path(settings.BASE_DIR) / "templates" / "emails" / "scheduling"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinical_type(db) -> AppointmentType:
    # The worst case: a type whose own name is clinical. It must never reach an email.
    return AppointmentTypeFactory(
        slug="consultation-assessment",
        name="Ketamine infusion consultation and mental health assessment",
        duration=dt.timedelta(minutes=60),
        location_kind=AppointmentType.LocationKind.IN_CLINIC,
        requires_screening=True,
    )


def send(kind: str, appointment: Appointment, **context: object) -> mail.EmailMultiAlternatives:
    notification = notification_enqueue(
        kind=f"scheduling/{kind}",
        idempotency_key=f"test:{kind}:{appointment.pk}",
        recipient=appointment.patient.user,
        context={"appointment_id": appointment.pk, **context},
    )
    mail.outbox.clear()
    assert notification_send(notification_id=notification.pk).status == "sent"
    (message,) = mail.outbox
    return message


def texts(message: mail.EmailMultiAlternatives) -> list[str]:
    html = message.alternatives[0][0]
    attachments = [payload.decode() if isinstance(payload, bytes) else payload for _, payload, _ in message.attachments]
    return [message.subject, message.body, html, *attachments]


def without_clinic_name(text: str) -> str:
    # The clinic's own name may contain anything; the rule is about everything else.
    return text.replace(settings.CLINIC_EMAIL_NAME, "[clinic]")


def test_every_kind_has_its_templates() -> None:
    for kind in KINDS:
        assert f"scheduling/{kind}" in registered_kinds()
        for name in ("subject.txt", "body.txt", "body.html"):
            assert (TEMPLATE_DIR / kind / name).exists(), f"{kind}/{name}"


@pytest.mark.parametrize("kind", KINDS)
def test_no_clinical_words_and_the_essentials_are_there(kind, clinical_type, patient) -> None:
    appointment = AppointmentFactory(
        patient=patient, appointment_type=clinical_type, provider=ProviderFactory(types=[clinical_type]), start=START
    )
    context: dict[str, object] = {}
    if kind == "cancelled":
        Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancelled_at=NOW)
    if kind == "reminder":
        context["start"] = START.isoformat()
    if kind == "rescheduled":
        context["old_start"] = (START - dt.timedelta(days=1)).isoformat()
    message = send(kind, appointment, **context)

    for text in texts(message):
        assert not FORBIDDEN.search(without_clinic_name(text)), f"{kind}: {FORBIDDEN.search(without_clinic_name(text))}"
        assert clinical_type.name not in text
    assert message.to == [patient.user.email]
    assert patient.first_name in message.body
    assert "March 9" in message.body  # the date, in the patient's zone
    assert "10:00 AM (Eastern Time – New York)" in message.body  # the zone is named, as CLDR names it
    assert settings.CLINIC_PHONE in message.body
    if kind != "cancelled":
        assert "/manage/" in message.body


def test_the_clinic_time_is_shown_when_the_patient_is_elsewhere(clinical_type, patient) -> None:
    patient.time_zone = "America/Los_Angeles"
    patient.save()
    appointment = AppointmentFactory(patient=patient, appointment_type=clinical_type, start=START)
    message = send("confirmation", appointment)
    assert "When: Monday, March 9, 2026 at 7:00 AM (Pacific Time – Los Angeles)" in message.body
    assert "Clinic time: Monday, March 9, 2026 at 10:00 AM (Eastern Time – New York)" in message.body
    assert message.subject.endswith("at 7:00 AM (Pacific Time – Los Angeles)")
    html = message.alternatives[0][0]
    assert "7:00 AM (Pacific Time – Los Angeles)" in html and "10:00 AM (Eastern Time – New York)" in html


def test_a_zone_without_a_letter_abbreviation_is_named(clinical_type, patient) -> None:
    # %Z gives "+04" for Dubai: the email names the zone instead.
    patient.time_zone = "Asia/Dubai"
    patient.save()
    body = send("confirmation", AppointmentFactory(patient=patient, appointment_type=clinical_type, start=START)).body
    assert "When: Monday, March 9, 2026 at 6:00 PM (Gulf Standard Time – Dubai)" in body
    assert "+04" not in body


def test_no_clinic_time_when_the_clocks_agree(clinical_type, patient) -> None:
    # Detroit is another zone, but its clock shows the clinic's time: one line is enough.
    patient.time_zone = "America/Detroit"
    patient.save()
    body = send("confirmation", AppointmentFactory(patient=patient, appointment_type=clinical_type, start=START)).body
    assert "When: Monday, March 9, 2026 at 10:00 AM (Eastern Time – Detroit)" in body
    assert "Clinic time" not in body


def test_an_alias_stored_long_ago_is_named_as_its_zone(clinical_type, patient) -> None:
    patient.time_zone = "US/Pacific"
    patient.save()
    body = send("confirmation", AppointmentFactory(patient=patient, appointment_type=clinical_type, start=START)).body
    assert "7:00 AM (Pacific Time – Los Angeles)" in body


@pytest.mark.parametrize("kind", ["confirmation", "booking_added", "rescheduled", "cancelled"])
def test_calendar_file(kind, clinical_type, patient) -> None:
    appointment = AppointmentFactory(patient=patient, appointment_type=clinical_type, start=START)
    if kind == "cancelled":
        Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancelled_at=NOW)
    (filename, payload, mimetype) = send(kind, appointment).attachments[0]
    assert filename.endswith(".ics")
    assert mimetype == "text/calendar"
    event = Calendar.from_ical(payload).walk("VEVENT")[0]
    assert event.decoded("dtstart") == START
    assert event.decoded("dtend") == START + dt.timedelta(minutes=60)
    assert str(event["location"]) == settings.CLINIC_ADDRESS
    assert str(event["status"]) == ("CANCELLED" if kind == "cancelled" else "CONFIRMED")


def test_reminder_for_a_moved_appointment_is_obsolete(patient) -> None:
    appointment = AppointmentFactory(patient=patient, start=START)
    notification = notification_enqueue(
        kind="scheduling/reminder",
        idempotency_key="test:moved",
        recipient=patient.user,
        context={"appointment_id": appointment.pk, "start": (START - dt.timedelta(days=1)).isoformat()},
    )
    assert notification_send(notification_id=notification.pk).status == "cancelled"
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.CANCELLED


def test_an_email_never_goes_to_someone_else(patient, other_patient) -> None:
    appointment = AppointmentFactory(patient=patient, start=START)
    notification = notification_enqueue(
        kind="scheduling/confirmation",
        idempotency_key="test:other",
        recipient=other_patient.user,
        context={"appointment_id": appointment.pk},
    )
    assert notification_send(notification_id=notification.pk).status == "cancelled"


TREATMENT_CLINIC_NAME = "Riverside Ketamine Infusion Center"


@pytest.mark.parametrize("kind", ["confirmation", "rescheduled", "cancelled"])
def test_a_clinic_name_that_names_the_treatment_stays_out_of_every_part(kind, settings, patient) -> None:
    # The site may say what the clinic does; its emails (and the calendar file a calendar app keeps) may not.
    settings.CLINIC_NAME = TREATMENT_CLINIC_NAME
    settings.CLINIC_EMAIL_NAME = "Riverside Wellness"
    appointment = AppointmentFactory(patient=patient, start=START)
    context: dict[str, object] = {}
    if kind == "cancelled":
        Appointment.objects.filter(pk=appointment.pk).update(status="cancelled", cancelled_at=NOW)
    if kind == "rescheduled":
        context["old_start"] = (START - dt.timedelta(days=1)).isoformat()
    message = send(kind, appointment, **context)
    (_, payload, _) = message.attachments[0]
    calendar = Calendar.from_ical(payload)
    assert str(calendar["prodid"]) == "-//Riverside Wellness//Appointments//EN"
    assert str(calendar.walk("VEVENT")[0]["summary"]) == "Appointment with Riverside Wellness"
    for text in [*texts(message), message.from_email]:
        assert not re.search(r"ketamine|infusion", text, re.IGNORECASE), text


def test_text_part_shows_names_as_typed_and_the_html_part_escapes_them(clinical_type, patient) -> None:
    patient.preferred_name = "D'Arcy"
    patient.save()
    provider = ProviderFactory(types=[clinical_type], display_name="Dr O'Neil & Partners")
    appointment = AppointmentFactory(patient=patient, provider=provider, appointment_type=clinical_type, start=START)
    message = send("confirmation", appointment)
    assert "Hello D'Arcy," in message.body and "With: Dr O'Neil & Partners" in message.body
    assert "&#x27;" not in message.body + message.subject and "&amp;" not in message.body
    assert "Dr O&#x27;Neil &amp; Partners" in message.alternatives[0][0]
