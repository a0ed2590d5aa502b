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
