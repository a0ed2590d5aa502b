"""A session's calendar file is built like an appointment's: a SEQUENCE stored on the session that rises by one on
each move or cancellation, the clinic's email name as ORGANIZER, a display alarm, METHOD:CANCEL once cancelled, and
no clinical word. Read back with the ``icalendar`` library, as a calendar app would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import override_settings
from icalendar import Calendar

from clinic.notifications import forbidden_words_in
from scheduling.ics import session_ics
from scheduling.models import InfusionSession
from scheduling.services import courses as course_services
from scheduling.services import sessions as session_services
from tests.scheduling import course_fixtures
from tests.scheduling.course_fixtures import at

frozen = course_fixtures.frozen
room = course_fixtures.room
protocol = course_fixtures.protocol
course = course_fixtures.course

pytestmark = pytest.mark.django_db
CLINICAL = ("ketamine", "infusion", "dose", "phq", "depress", "ptsd", "course", "session", "treatment", "chair")


@pytest.fixture
def upcoming(course, room, front_desk) -> InfusionSession:
    return course_services.session_schedule(course=course, chair=room[0], start=at(3, 9), by=front_desk)


def _read(session: InfusionSession, *, cancelled: bool = False) -> tuple[Calendar, Calendar]:
    session.refresh_from_db()
    calendar = Calendar.from_ical(session_ics(session, cancelled=cancelled))
    return calendar, calendar.walk("VEVENT")[0]


def test_the_file_names_the_clinic_as_organizer_and_carries_an_alarm(upcoming) -> None:
    calendar, event = _read(upcoming)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["SUMMARY"]) == f"Appointment with {settings.CLINIC_EMAIL_NAME}"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["UID"]).startswith(f"visit-{upcoming.pk}@")
    assert event.decoded("DTSTART") == upcoming.start
    organizer = event["ORGANIZER"]
    assert str(organizer).startswith("mailto:") and organizer.params["CN"] == settings.CLINIC_EMAIL_NAME
    (alarm,) = event.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -dt.timedelta(hours=1)


def test_each_move_or_cancellation_raises_the_sequence(upcoming, front_desk, room) -> None:
    course_services.session_reschedule(session=upcoming, chair=room[1], start=at(3, 11), by=front_desk)
    _, event = _read(upcoming)
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == at(3, 11)
    session_services.session_cancel(session=upcoming, by=front_desk)
    calendar, event = _read(upcoming, cancelled=True)
    assert upcoming.calendar_sequence == 2
    assert (str(calendar["METHOD"]), str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCEL", "CANCELLED", 2)
    assert event.walk("VALARM") == []
    assert upcoming.history.first().history_user == front_desk


@override_settings(CLINIC_NAME="Riverside Ketamine Infusion Center", CLINIC_EMAIL_NAME="Riverside Health")
def test_no_clinical_word_anywhere(upcoming) -> None:
    for cancelled in (False, True):
        text = session_ics(upcoming, cancelled=cancelled).decode()
        assert not forbidden_words_in(text)
        assert "Riverside Health" in text
        lowered = text.lower()
        assert not [word for word in CLINICAL if word in lowered]
