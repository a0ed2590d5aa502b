"""The patient's own course in the portal: the plan, upcoming sessions, the progress chart, the after-care article."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from scheduling.models import OutcomeMeasure
from tests.scheduling import course_fixtures

frozen = course_fixtures.frozen
room = course_fixtures.room
protocol = course_fixtures.protocol
course = course_fixtures.course
session = course_fixtures.session

pytestmark = pytest.mark.django_db


def url(course) -> str:
    return reverse("scheduling:my-course", args=[course.pk])


def test_the_patient_sees_their_plan_and_progress(session, course, patient_client) -> None:
    OutcomeMeasure.objects.create(course=course, session=session, instrument="phq9", total=8, taken_at=timezone.now())
    home = patient_client.get(reverse("scheduling:portal-home")).content.decode()
    assert "0 of 6 sessions done" in home and url(course) in home
    page = patient_client.get(url(course)).content.decode()
    assert "Session 1:" in page
    assert "<svg" in page and "PHQ-9 scores" in page
    assert "<td>8</td><td>-10</td><td>Yes</td>" in page  # baseline 18: a response
    assert patient_client.get(reverse("scheduling:my-course-latest"))["Location"] == url(course)


def test_another_patient_gets_404_and_visitors_log_in(course, other_patient, anon_client, client) -> None:
    client.force_login(other_patient.user)
    assert client.get(url(course)).status_code == 404
    assert client.get(reverse("scheduling:my-course-latest")).status_code == 404
    assert "/account/login/" in anon_client.get(url(course))["Location"]
    assert client.post(url(course)).status_code == 405


def test_the_portal_query_count_does_not_grow(course, session, patient_client, room, front_desk) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scheduling.services import courses as svc
    from tests.scheduling.course_fixtures import at

    counts = []
    for day in (2, 4):
        svc.session_schedule(course=course, chair=room[1], start=at(day, 9), by=front_desk)
        with CaptureQueriesContext(connection) as queries:
            patient_client.get(url(course))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_patient_moves_a_session_within_the_rules(course, room, front_desk, patient_client, other_patient, client):
    from tests.scheduling.course_fixtures import at

    first = svc_schedule(course, room[0], at(2, 9), front_desk)
    second = svc_schedule(course, room[0], at(4, 9), front_desk)
    url = reverse("scheduling:my-session-move", args=[second.pk])
    assert "Move session 2" in patient_client.get(url).content.decode()
    same_day = patient_client.post(url, {"start": "2026-03-04T13:00"})  # the first session's day
    assert same_day.status_code == 400 and "at least 1 day" in same_day.content.decode()
    assert patient_client.post(url, {"start": "2026-03-05T10:00"})["Location"] == reverse(
        "scheduling:my-course", args=[course.pk]
    )
    second.refresh_from_db()
    assert second.start == at(3, 10)
    too_late = reverse("scheduling:my-session-move", args=[first.pk])
    client.force_login(other_patient.user)
    assert client.get(too_late).status_code == 404


def test_too_late_to_move_online(course, room, front_desk, patient_client) -> None:
    from tests.scheduling.course_fixtures import at

    soon = svc_schedule(course, room[0], at(0, 15), front_desk)
    url = reverse("scheduling:my-session-move", args=[soon.pk])
    assert "too late" in patient_client.get(url).content.decode()
    assert patient_client.post(url, {"start": "2026-03-05T10:00"}).status_code == 400
    soon.refresh_from_db()
    assert soon.start == at(0, 15)


def svc_schedule(course, chair, start, by):
    from scheduling.services import courses as svc

    return svc.session_schedule(course=course, chair=chair, start=start, by=by)


def test_the_portal_lists_the_next_session_beside_consultations(session, course, patient_client) -> None:
    page = patient_client.get(reverse("scheduling:portal-home")).content.decode()
    assert "You have no upcoming appointments" not in page
    assert f"Treatment session {session.number}" in page
