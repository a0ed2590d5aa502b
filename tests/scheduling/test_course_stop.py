"""Stopping a course: its sessions not yet started go through the session status machine (history, reminders
withdrawn, one cancellation email with calendar files, chairs freed) in a fixed number of queries, and a course with
a session under way is not stopped until that session is finished."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from clinic.models import Notification
from clinic.notifications import forbidden_words_in
from clinic.services import notifications_send_due
from scheduling.exceptions import CourseError
from scheduling.models import InfusionCourse, InfusionSession
from scheduling.services import courses as course_services
from scheduling.services import sessions as session_services
from tests.factories import PatientFactory
from tests.scheduling import course_fixtures
from tests.scheduling.course_fixtures import approve, at, checked_in, pre_vitals

frozen = course_fixtures.frozen
room = course_fixtures.room
protocol = course_fixtures.protocol
course = course_fixtures.course
session = course_fixtures.session

pytestmark = pytest.mark.django_db
UNDER_WAY = "Session 1 is under way"


def _book(course: InfusionCourse, room, by, days: list[int]) -> list[InfusionSession]:
    return [course_services.session_schedule(course=course, chair=room[0], start=at(d, 9), by=by) for d in days]


def test_stopping_cancels_each_session_through_the_status_machine(course, room, front_desk, clinician) -> None:
    sessions = _book(course, room, front_desk, [1, 3, 5])
    course_services.course_stop(course=course, reason="Side effects", by=clinician)
    for session in sessions:
        session.refresh_from_db()
        assert (session.status, session.calendar_sequence) == ("cancelled", 1)
        latest = session.history.first()
        assert (latest.status, latest.history_user, latest.history_type) == ("cancelled", clinician, "~")
    course.refresh_from_db()
    assert course.history.first().history_user == clinician
    assert course.history.first().status == "stopped"
    # The chair is free again: another patient's session takes the same chair at the same time.
    other = PatientFactory()
    approve(other)
    second = course_services.course_create(
        patient=other, protocol=course.protocol, indication="depression", clinician=clinician, by=clinician
    )
    assert course_services.session_schedule(course=second, chair=room[0], start=at(1, 9), by=front_desk).pk


def test_the_patient_gets_one_email_that_removes_the_visits_from_their_calendar(
    course, room, front_desk, clinician
) -> None:
    sessions = _book(course, room, front_desk, [1, 3])
    mail.outbox.clear()
    course_services.course_stop(course=course, reason="Side effects", by=clinician)
    notification = Notification.objects.get(kind=session_services.KIND_SESSIONS_CANCELLED)
    assert notification.context == {"session_ids": [s.pk for s in sessions]}  # ids only
    assert notifications_send_due() == 1
    (message,) = mail.outbox
    assert message.to == [course.patient.user.email]
    assert "2 upcoming visits are cancelled" in message.subject
    assert len(message.attachments) == 2
    for (name, payload, mimetype), session in zip(message.attachments, sessions, strict=True):
        assert (name, mimetype) == (f"visit-{session.pk}.ics", "text/calendar")
        calendar = Calendar.from_ical(payload)
        event = calendar.walk("VEVENT")[0]
        assert str(calendar["METHOD"]) == "CANCEL"
        assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 1)
        assert str(event["UID"]).startswith(f"visit-{session.pk}@")
    files = [p.decode() if isinstance(p, bytes) else p for _, p, _ in message.attachments]
    texts = [message.subject, message.body, message.alternatives[0][0], *files]
    assert not forbidden_words_in("\n".join(texts))
    assert "course" not in "\n".join(texts).lower()


def test_a_pending_reminder_is_withdrawn(course, room, front_desk, clinician, frozen) -> None:
    (session,) = _book(course, room, front_desk, [2])
    frozen.move_to(session.start - dt.timedelta(hours=24))
    assert session_services.session_reminders_enqueue_due() == 1
    course_services.course_stop(course=course, reason="Side effects", by=clinician)
    reminder = Notification.objects.get(kind=session_services.KIND_SESSION_REMINDER)
    assert reminder.status == Notification.Status.CANCELLED


def test_a_checked_in_or_running_session_must_finish_first(session, course, clinician, nurse) -> None:
    checked_in(session, nurse)
    assert UNDER_WAY in course_services.course_stop_refusal(course)
    with pytest.raises(CourseError, match=UNDER_WAY):
        course_services.course_stop(course=course, reason="Side effects", by=clinician)
    course.refresh_from_db()
    session.refresh_from_db()
    assert (course.status, session.status) == ("active", "checked_in")
    pre_vitals(session, nurse)
    session_services.session_dose_set(session=session, weight_kg=Decimal("70"), by=nurse)
    session_services.session_start(session=session, by=nurse)
    session.refresh_from_db()
    assert UNDER_WAY in course_services.course_stop_refusal(course)
    session_services.session_abort(session=session, reason="Nausea", by=nurse)
    assert course_services.course_stop_refusal(course) is None
    course_services.course_stop(course=course, reason="Side effects", by=clinician)
    session.refresh_from_db()
    assert session.status == "aborted"  # a finished session keeps what happened


def test_the_course_page_says_why_it_cannot_be_stopped(session, course, clinician, nurse, staff_client_for) -> None:
    checked_in(session, nurse)
    client = staff_client_for(clinician)
    page = client.get(reverse("scheduling:staff-course-detail", args=[course.pk])).content.decode()
    assert UNDER_WAY in page
    assert reverse("scheduling:staff-course-stop", args=[course.pk]) not in page
    response = client.post(reverse("scheduling:staff-course-stop", args=[course.pk]), {"reason": "Side effects"})
    assert response.status_code == 302
    assert UNDER_WAY in client.get(response["Location"]).content.decode()
    course.refresh_from_db()
    assert course.status != "stopped"


def test_the_course_page_says_what_stopping_will_cancel(course, room, front_desk, clinician, staff_client_for):
    url = reverse("scheduling:staff-course-detail", args=[course.pk])
    client = staff_client_for(clinician)
    assert "stopping it cancels nothing and sends no email" in client.get(url).content.decode()
    for day in (1, 3):
        course_services.session_schedule(course=course, chair=room[0], start=at(day, 9), by=front_desk)
    page = client.get(url).content.decode()
    assert "cancels the 2 booked sessions and emails the patient one notice listing them" in page


def test_stopping_takes_the_same_queries_for_two_sessions_or_six(
    course, room, front_desk, clinician, patient, protocol
) -> None:
    _book(course, room, front_desk, [1, 3])
    with CaptureQueriesContext(connection) as two:
        course_services.course_stop(course=course, reason="Side effects", by=clinician)
    again = course_services.course_create(
        patient=patient, protocol=protocol, indication="depression", clinician=clinician, by=clinician
    )
    _book(again, room, front_desk, [1, 3, 5, 7, 9, 11])
    with CaptureQueriesContext(connection) as six:
        course_services.course_stop(course=again, reason="Side effects", by=clinician)
    assert InfusionSession.objects.filter(course=again, status="cancelled").count() == 6
    assert len(six) == len(two)
