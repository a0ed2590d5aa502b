"""Moving a session and booking a plan: the patient gets one email with the calendar file(s), a move keeps the course's
order, and the patient's move form names its zone and reads skipped or offset times plainly."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from clinic.lib.timezones import zone_label
from clinic.models import Notification
from clinic.notifications import forbidden_words_in
from clinic.services import notifications_send_due
from scheduling.exceptions import CourseError
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
NEW_YORK = zone_label("America/New_York")


def _book(course, room, by, days: list[int]) -> list[InfusionSession]:
    return [course_services.session_schedule(course=course, chair=room[0], start=at(d, 9), by=by) for d in days]


def _texts(message) -> str:
    files = [p.decode() if isinstance(p, bytes) else p for _, p, _ in message.attachments]
    return "\n".join([message.subject, message.body, message.alternatives[0][0], *files])


def _moved() -> list[Notification]:
    return list(Notification.objects.filter(kind=course_services.KIND_SESSION_MOVED))


def test_a_patient_move_emails_the_new_time_with_the_updated_calendar_file(course, room, front_desk, patient_client):
    (_, second) = _book(course, room, front_desk, [1, 3])
    url = reverse("scheduling:my-session-move", args=[second.pk])
    assert patient_client.post(url, {"start": "2026-03-06T10:00"}).status_code == 302
    assert patient_client.post(url, {"start": "2026-03-06T10:00"}).status_code == 302  # a double submission
    (notification,) = _moved()
    second.refresh_from_db()
    assert notification.context == {  # ids and times only
        "session_id": second.pk,
        "start": second.start.isoformat(),
        "old_start": at(3, 9).astimezone(dt.UTC).isoformat(),
    }
    mail.outbox.clear()
    assert notifications_send_due() == 1
    (message,) = mail.outbox
    assert message.to == [course.patient.user.email]
    assert message.subject == f"Your visit has moved to Friday, March 6, 2026 at 10:00 AM ({NEW_YORK})"
    assert f"It was Thursday, March 5, 2026 at 9:00 AM ({NEW_YORK})" in message.body
    ((name, payload, mimetype),) = message.attachments
    assert (name, mimetype) == (f"visit-{second.pk}.ics", "text/calendar")
    event = Calendar.from_ical(payload).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == at(4, 10)
    assert int(event["SEQUENCE"]) >= 1
    assert not forbidden_words_in(_texts(message))


def test_a_staff_move_emails_the_patient_once_and_a_chair_change_alone_does_not(
    course, room, front_desk, staff_client_for
) -> None:
    (session,) = _book(course, room, front_desk, [2])
    url = reverse("scheduling:staff-session-move", args=[session.pk])
    client = staff_client_for(front_desk)
    assert client.post(url, {"start": "2026-03-04T09:00", "chair": room[1].pk}).status_code == 302
    assert not _moved()  # the same time on another chair: nothing the patient needs to know
    assert client.post(url, {"start": "2026-03-05T11:00", "chair": room[1].pk}).status_code == 302
    (notification,) = _moved()
    assert notification.recipient == course.patient.user
    assert notifications_send_due() == 1
    assert "moved to Thursday, March 5, 2026 at 11:00 AM" in mail.outbox[-1].subject


def test_two_racing_moves_to_the_same_time_queue_one_email(course, room, front_desk) -> None:
    (session,) = _book(course, room, front_desk, [2])
    stale = InfusionSession.objects.get(pk=session.pk)
    course_services.session_reschedule(session=session, chair=room[0], start=at(3, 10), by=front_desk)
    course_services.session_reschedule(session=stale, chair=room[0], start=at(3, 10), by=front_desk)
    assert len(_moved()) == 1


def test_an_earlier_move_email_is_obsolete_once_the_visit_moves_again(course, room, front_desk) -> None:
    (session,) = _book(course, room, front_desk, [2])
    course_services.session_reschedule(session=session, chair=room[0], start=at(3, 10), by=front_desk)
    course_services.session_reschedule(session=session, chair=room[0], start=at(4, 10), by=front_desk)
    mail.outbox.clear()
    notifications_send_due()
    (message,) = mail.outbox
    assert "Friday, March 6" in message.subject


def test_booking_the_plan_emails_one_list_with_a_calendar_file_each(course, room, front_desk) -> None:
    plan = course_services.plan_suggest(course=course, first_day=at(1, 9).date())
    sessions = course_services.plan_book(course=course, plan=[(p.start, p.chair) for p in plan[:3]], by=front_desk)
    notification = Notification.objects.get(kind=course_services.KIND_SESSIONS_BOOKED)
    assert notification.context == {"session_ids": [s.pk for s in sessions]}
    mail.outbox.clear()
    assert notifications_send_due() == 1
    (message,) = mail.outbox
    assert message.subject == "Your 3 visits are booked"
    assert [name for name, _, _ in message.attachments] == [f"visit-{s.pk}.ics" for s in sessions]
    for (_, payload, _), session in zip(message.attachments, sessions, strict=True):
        calendar = Calendar.from_ical(payload)
        assert str(calendar["METHOD"]) != "CANCEL"
        assert calendar.walk("VEVENT")[0].decoded("DTSTART") == session.start
    assert f"({NEW_YORK})" in message.body
    texts = _texts(message)
    assert not forbidden_words_in(texts) and "course" not in texts.lower()


def test_a_move_keeps_the_course_in_order(course, room, front_desk) -> None:
    first, second, third = _book(course, room, front_desk, [1, 3, 5])
    with pytest.raises(CourseError, match=r"must come before session 3 \(Saturday 7 March 2026 at 9:00 AM\)"):
        course_services.session_reschedule(session=second, chair=room[0], start=at(6, 9), by=front_desk)
    with pytest.raises(CourseError, match=r"must come after session 2 \(Thursday 5 March 2026 at 9:00 AM\)"):
        course_services.session_reschedule(session=third, chair=room[1], start=at(3, 8), by=front_desk)
    assert "must come after session 1" in course_services.session_order_refusal(second, at(1, 9))
    session_services.session_cancel(session=third, by=front_desk)  # a cancelled session holds no place
    course_services.session_reschedule(session=second, chair=room[0], start=at(6, 9), by=front_desk)
    second.refresh_from_db()
    assert second.start == at(6, 9)
    assert first.number < second.number


def test_the_patient_is_told_the_order_in_their_own_zone(course, room, front_desk, patient_client) -> None:
    course.patient.time_zone = "Europe/London"
    course.patient.save()
    _, second, _ = _book(course, room, front_desk, [1, 3, 5])
    url = reverse("scheduling:my-session-move", args=[second.pk])
    refused = patient_client.post(url, {"start": "2026-03-08T15:00"})  # 10:00 in New York, after session 3
    assert refused.status_code == 400
    assert "must come before session 3 (Saturday 7 March 2026 at 2:00 PM)" in refused.content.decode()


def test_the_move_form_names_the_zone(course, room, front_desk, patient_client) -> None:
    (session,) = _book(course, room, front_desk, [3])
    page = patient_client.get(reverse("scheduling:my-session-move", args=[session.pk])).content.decode()
    assert f"in your time zone, {NEW_YORK}" in page
    assert f"New date and time ({NEW_YORK})" in page


def test_a_time_the_clocks_skip_is_refused_in_plain_words(course, room, front_desk, patient_client) -> None:
    (session,) = _book(course, room, front_desk, [3])
    url = reverse("scheduling:my-session-move", args=[session.pk])
    refused = patient_client.post(url, {"start": "2027-03-14T02:30"})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert f"2:30 AM on Sunday, March 14, 2027 does not exist in {NEW_YORK}" in html
    assert "interpreted" not in html and "ambiguous" not in html


def test_the_skipped_hour_is_the_patients_not_the_servers(course, room, front_desk, patient_client) -> None:
    course.patient.time_zone = "Europe/London"
    course.patient.save()
    (session,) = _book(course, room, front_desk, [3])
    url = reverse("scheduling:my-session-move", args=[session.pk])
    html = patient_client.post(url, {"start": "2027-03-14T02:30"}).content.decode()  # New York's gap, not London's
    assert "does not exist" not in html
    html = patient_client.post(url, {"start": "2027-03-28T01:30"}).content.decode()
    assert f"1:30 AM on Sunday, March 28, 2027 does not exist in {zone_label('Europe/London')}" in html


def test_a_time_with_its_own_offset_is_taken_at_that_offset(course, room, front_desk, patient_client) -> None:
    (session,) = _book(course, room, front_desk, [3])
    url = reverse("scheduling:my-session-move", args=[session.pk])
    assert patient_client.post(url, {"start": "2026-03-06T15:00+00:00"}).status_code == 302
    session.refresh_from_db()
    assert session.start == dt.datetime(2026, 3, 6, 15, tzinfo=dt.UTC)  # 10:00 in New York, not 15:00


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("next Tuesday", "Enter a valid date/time."),
        ("2026-02-30T10:00", "Enter a valid date/time."),
        ("2026-03-06T10:00+23:00", "Enter a time with a real time zone offset."),
        ("9999-12-31T23:59", "Enter a date between"),
    ],
)
def test_bad_times_get_a_clear_message(value, message, course, room, front_desk, patient_client) -> None:
    (session,) = _book(course, room, front_desk, [3])
    response = patient_client.post(reverse("scheduling:my-session-move", args=[session.pk]), {"start": value})
    assert response.status_code == 400 and message in response.content.decode()


def test_other_input_formats_are_still_read_in_the_patients_zone(course, room, front_desk, patient_client) -> None:
    (session,) = _book(course, room, front_desk, [3])
    url = reverse("scheduling:my-session-move", args=[session.pk])
    assert patient_client.post(url, {"start": "03/06/2026 10:00"}).status_code == 302
    session.refresh_from_db()
    assert session.start == at(4, 10)
