"""The send-time guard reads every part of an email that a mail client shows or stores."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from icalendar import Calendar, Event

from clinic import services
from clinic.models import Notification
from clinic.notifications import ContentRuleViolation, email_texts, forbidden_words_in
from tests.factories import UserFactory

TREATMENT_CLINIC_NAME = "Riverside Ketamine Infusion Center"


def _ics(name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{name}//Appointments//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("summary", f"Appointment with {name}, a long enough summary that the line folds")
    calendar.add_component(event)
    return calendar.to_ical()


def _message(**overrides: object) -> EmailMultiAlternatives:
    parts = {"subject": "Your appointment", "body": "Hello", "from_email": "Riverside Wellness <no-reply@x.example>"}
    message = EmailMultiAlternatives(to=["p@example.com"], **{**parts, **overrides})
    message.attach_alternative("<p>Hello</p>", "text/html")
    return message


def _flagged(message: EmailMultiAlternatives) -> bool:
    return bool(forbidden_words_in("\n".join(email_texts(message))))


def test_a_clean_email_passes() -> None:
    message = _message()
    message.attach("appointment-1.ics", _ics("Riverside Wellness"), "text/calendar")
    assert not _flagged(message)


def test_the_calendar_file_is_read_even_when_its_lines_are_folded() -> None:
    payload = _ics("Riverside Wellness Center for Ketamine Infusion Therapy of New England")
    assert b"\r\n " in payload  # folded: a plain search of the raw text could miss a split word
    message = _message()
    message.attach("appointment-1.ics", payload, "text/calendar")
    assert _flagged(message)


@pytest.mark.parametrize(
    "overrides",
    [
        {"subject": "Your infusion"},
        {"body": "Before your ketamine session"},
        {"from_email": f"{TREATMENT_CLINIC_NAME} <no-reply@x.example>"},
        {"reply_to": ["Ketamine desk <desk@x.example>"]},
        {"headers": {"X-Clinic": "Infusion center"}},
    ],
)
def test_every_header_and_text_part_is_read(overrides) -> None:
    assert _flagged(_message(**overrides))


def test_the_html_is_read_as_sent_and_as_shown() -> None:
    message = _message()
    message.attach_alternative("<p>Ket<b></b>amine &amp; more</p>", "text/html")
    assert _flagged(message)


def test_an_attachment_file_name_is_read() -> None:
    message = _message()
    message.attach("infusion-plan.txt", "nothing here", "text/plain")
    assert _flagged(message)


def test_an_attachment_that_cannot_be_read_is_refused() -> None:
    message = _message()
    message.attach("leaflet.pdf", b"%PDF-1.7 binary", "application/pdf")
    with pytest.raises(ContentRuleViolation):
        email_texts(message)


@pytest.mark.django_db
def test_a_treatment_word_in_the_sender_name_stops_the_send(settings) -> None:
    settings.DEFAULT_FROM_EMAIL = f"{TREATMENT_CLINIC_NAME} <no-reply@clinic.example>"
    notification = services.notification_enqueue(
        kind="clinic/set_password", idempotency_key="sender", recipient=UserFactory()
    )
    assert services.notification_send(notification_id=notification.pk).status == "failed"
    assert Notification.objects.get(pk=notification.pk).last_error == "content_rule"
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_treatment_word_in_the_calendar_file_stops_the_send(settings, patient) -> None:
    from tests.scheduling.factories import AppointmentFactory

    appointment = AppointmentFactory(patient=patient)
    with mock.patch("scheduling.emails.appointment_ics", return_value=_ics(TREATMENT_CLINIC_NAME)):
        notification = services.notification_enqueue(
            kind="scheduling/confirmation",
            idempotency_key="ics",
            recipient=patient.user,
            context={"appointment_id": appointment.pk},
        )
        assert services.notification_send(notification_id=notification.pk).status == "failed"
    assert Notification.objects.get(pk=notification.pk).last_error == "content_rule"
    assert mail.outbox == []


def test_system_check_refuses_a_treatment_word_in_the_sender(settings) -> None:
    from clinic.checks import check_email_name

    settings.DEFAULT_FROM_EMAIL = f"{TREATMENT_CLINIC_NAME} <no-reply@clinic.example>"
    assert [e.id for e in check_email_name()] == ["clinic.E002"]


@pytest.mark.parametrize(
    "text",
    [
        "Spravato visit",
        "Your esketamine appointment",
        "K e t a m i n e",
        "K-E-T-A-M-I-N-E",
        "Ketamin-Klinik",
        "KETAMINE",
        "Ke\u200btamine",  # a zero-width space inside the word
        "Két\u0061mine",
        "I n f u s i o n",
    ],
)
def test_the_guard_catches_brand_names_and_disguised_spellings(text: str) -> None:
    assert forbidden_words_in(text), text


@pytest.mark.parametrize("text", ["Riverside Wellness Clinic", "Your appointment on Monday", "a basket and a map"])
def test_the_guard_lets_ordinary_words_through(text: str) -> None:
    assert forbidden_words_in(text) == []


@pytest.mark.parametrize("name", ["Riverside Spravato Center", "Riverside K e t a m i n e", "Esketamine Care"])
def test_system_check_uses_the_same_rule(settings, name: str) -> None:
    from clinic.checks import check_email_name

    settings.CLINIC_EMAIL_NAME = name
    assert "clinic.E001" in [e.id for e in check_email_name()]


def test_the_send_time_guard_refuses_a_spaced_spelling() -> None:
    assert _flagged(_message(subject="Your K e t a m i n e visit"))
    assert _flagged(_message(body="Bring your Spravato card"))
