"""The day-before session reminder: one email with the check-in link and a calendar file, no clinical word."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from clinic.lib.timezones import zone_label
from clinic.models import Notification
from clinic.services import notifications_send_due
from scheduling import emails, tasks
from scheduling.services import courses as course_services
from scheduling.services import sessions as session_services
from tests.scheduling import course_fixtures
from tests.scheduling.course_fixtures import at

frozen = course_fixtures.frozen
room = course_fixtures.room
protocol = course_fixtures.protocol
course = course_fixtures.course

pytestmark = pytest.mark.django_db
CLINICAL = ("ketamine", "infusion", "dose", "phq", "depress", "ptsd", "course", "session", "treatment")


def when(session) -> str:
    return emails._format(session.start, session.course.patient.tzinfo)


@pytest.fixture
def upcoming(course, room, front_desk):
    return course_services.session_schedule(course=course, chair=room[0], start=at(3, 9), by=front_desk)


def test_one_reminder_the_day_before_with_a_calendar_file_and_no_clinical_word(upcoming, frozen) -> None:
    frozen.move_to(upcoming.start - dt.timedelta(hours=25))
    assert session_services.session_reminders_enqueue_due() == 0
    frozen.move_to(upcoming.start - dt.timedelta(hours=24))
    assert tasks.enqueue_due_reminders() == 1
    assert session_services.session_reminders_enqueue_due() == 0  # a second scan queues nothing
    notification = Notification.objects.get(kind="scheduling/session_reminder")
    assert set(notification.context) == {"session_id", "start"}
    mail.outbox.clear()
    assert notifications_send_due() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Reminder: your visit tomorrow" in message.subject
    assert f"({zone_label(upcoming.course.patient.time_zone)})" in message.subject  # the zone is named
    assert f"/portal/sessions/{upcoming.pk}/check-in/" in message.body
    (name, ics, mimetype) = message.attachments[0]
    assert mimetype == "text/calendar" and name == f"visit-{upcoming.pk}.ics"
    everything = " ".join([message.subject, message.body, ics.decode() if isinstance(ics, bytes) else ics])
    everything += " ".join(str(alt[0]) for alt in message.alternatives)
    lowered = everything.lower().replace(f"/portal/sessions/{upcoming.pk}/", "")
    assert not [word for word in CLINICAL if word in lowered]


def test_a_moved_or_cancelled_session_gets_no_stale_reminder(upcoming, frozen, front_desk, nurse, room) -> None:
    frozen.move_to(upcoming.start - dt.timedelta(hours=24))
    session_services.session_reminders_enqueue_due()
    session_services.session_cancel(session=upcoming, by=nurse)
    mail.outbox.clear()
    notifications_send_due()
    # The reminder is withdrawn; the patient hears of the cancellation instead.
    assert [message.subject.split(" is ")[0] for message in mail.outbox] == ["Your visit on " + when(upcoming)]
    assert Notification.objects.get(kind="scheduling/session_reminder").status == Notification.Status.CANCELLED


def test_a_session_booked_within_a_day_gets_none(course, room, front_desk) -> None:
    with time_machine.travel(at(0, 7), tick=False):
        course_services.session_schedule(course=course, chair=room[0], start=at(0, 15), by=front_desk)
        assert session_services.session_reminders_enqueue_due() == 0


def test_the_outbox_key_alone_tracks_reminders_of_a_moved_session(upcoming, frozen, front_desk, room) -> None:
    # The reminder's key carries the start; the session keeps no "reminder sent for" of its own.
    assert "reminder_sent_for" not in {field.name for field in upcoming._meta.get_fields()}
    frozen.move_to(upcoming.start - dt.timedelta(hours=24))
    assert session_services.session_reminders_enqueue_due() == 1
    course_services.session_reschedule(session=upcoming, chair=room[0], start=at(4, 9), by=front_desk)
    frozen.move_to(at(4, 9) - dt.timedelta(hours=24))
    assert session_services.session_reminders_enqueue_due() == 1
    keys = set(
        Notification.objects.filter(kind="scheduling/session_reminder").values_list("idempotency_key", flat=True)
    )
    assert keys == {
        f"session:{upcoming.pk}:reminder:{at(3, 9).astimezone(dt.UTC).isoformat()}",
        session_services.session_reminder_key(upcoming),
    }
