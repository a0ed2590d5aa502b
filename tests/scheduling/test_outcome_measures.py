"""Outcome measures on their schedule: the PHQ-9 before the first session of a week, the GAD-7 or PCL-5 mid-course
and at the end, pain before and after; in the portal, item 9 above 0 shows crisis resources and the C-SSRS, and a
high risk alerts staff through intake's urgent-alert service."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from clinic.models import Notification
from clinic.services import notification_send
from intake.models import UrgentAlert
from scheduling.models import OutcomeMeasure
from scheduling.outcome_schedule import measures_due
from scheduling.services import courses as course_services
from scheduling.services import measures as measure_services
from tests.conftest import verified_client
from tests.scheduling import course_fixtures
from tests.scheduling.course_fixtures import at

frozen = course_fixtures.frozen
room = course_fixtures.room
protocol = course_fixtures.protocol
course = course_fixtures.course
session = course_fixtures.session

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("indication", "maintenance", "number", "first_of_week", "when", "expected"),
    [
        ("depression", False, 1, True, "before", ["phq9"]),
        ("depression", False, 2, False, "before", []),
        ("depression", False, 3, True, "before", ["phq9", "gad7"]),  # mid-course of 6
        ("ptsd", False, 6, False, "before", ["pcl5"]),  # the end
        ("depression", True, 1, False, "before", ["phq9"]),  # every maintenance session
        ("depression", False, 1, True, "after", []),
        ("pain", False, 4, False, "before", ["pain"]),
        ("pain", False, 4, False, "after", ["pain"]),
    ],
)
def test_the_schedule(indication, maintenance, number, first_of_week, when, expected) -> None:
    kwargs = {"indication": indication, "maintenance": maintenance, "session_number": number}
    assert measures_due(**kwargs, planned_sessions=6, first_of_week=first_of_week, when=when) == expected


def test_the_phq9_once_a_week(course, room, front_desk) -> None:
    monday = course_services.session_schedule(course=course, chair=room[0], start=at(0, 9), by=front_desk)
    wednesday = course_services.session_schedule(course=course, chair=room[0], start=at(2, 9), by=front_desk)
    next_monday = course_services.session_schedule(course=course, chair=room[0], start=at(7, 9), by=front_desk)
    assert measure_services.measures_due(monday) == ["phq9"]
    assert measure_services.measures_due(wednesday) == []
    assert measure_services.measures_due(next_monday) == ["phq9", "gad7"]  # session 3 of 6 is mid-course


def _phq9(item9: int = 0) -> dict[str, str]:
    return {f"item_{n}": "1" for n in range(1, 9)} | {"item_9": str(item9)}


def test_the_patient_answers_before_the_session(session, patient_client) -> None:
    url = reverse("scheduling:session-checkin", args=[session.pk])
    page = patient_client.get(url).content.decode()
    assert "Little interest or pleasure" in page
    from intake.instruments import PHQ9_STEM

    assert PHQ9_STEM in page  # the published wording ("bothered by any of"), as the screening asks it
    incomplete = patient_client.post(url, {"item_1": "1"})
    assert incomplete.status_code == 400
    assert patient_client.post(url, _phq9())["Location"] == url
    assert OutcomeMeasure.objects.get(session=session).total == 8
    assert "all set" in patient_client.get(url).content.decode()


def test_item_9_shows_crisis_resources_and_a_high_risk_alerts_staff(session, patient_client, clinician) -> None:
    url = reverse("scheduling:session-checkin", args=[session.pk])
    response = patient_client.post(url, _phq9(item9=2))
    page = response.content.decode()
    assert 'id="crisis-resources"' in page and "988" in page
    assert "wished you were dead" in page
    safety = reverse("scheduling:session-checkin-safety", args=[session.pk])
    answers = {"wish_dead": "yes", "thoughts": "yes", "method": "yes", "intent": "yes", "plan": "no"}
    assert patient_client.post(safety, answers).status_code == 302
    alert = UrgentAlert.objects.get()
    assert alert.code.startswith("course_cssrs_high:")
    assert Notification.objects.filter(kind="intake/urgent_alert").exists()
    # The on-call email goes out (its link names nothing the email guard refuses), and staff land on the session,
    # where the check-in answers are, not on the baseline screening.
    notification = Notification.objects.get(kind="intake/urgent_alert")
    assert notification_send(notification_id=notification.pk).status == "sent"
    assert "infusion" not in mail.outbox[-1].body.lower()
    opened = verified_client(clinician).get(reverse("intake:staff-alert", args=[alert.pk]))
    assert opened["Location"] == reverse("scheduling:staff-session-detail", args=[session.pk])
    assert OutcomeMeasure.objects.get(instrument="cssrs").total == 3


def test_safety_answers_nobody_was_asked_for_or_sent_again_are_refused(session, patient_client) -> None:
    """Unprompted, the post is refused; prompted once, it counts once (a replay raised a second alert, and a
    second post at the same moment hit the one-per-visit constraint as a 500)."""
    safety = reverse("scheduling:session-checkin-safety", args=[session.pk])
    answers = {"wish_dead": "yes", "thoughts": "yes", "method": "yes", "intent": "yes", "plan": "no"}
    unprompted = patient_client.post(safety, answers)
    assert unprompted.status_code == 400 and "no safety questions to answer" in unprompted.content.decode()
    assert not UrgentAlert.objects.exists()
    patient_client.post(reverse("scheduling:session-checkin", args=[session.pk]), _phq9(item9=1))
    assert patient_client.post(safety, answers).status_code == 302
    assert patient_client.post(safety, answers).status_code == 400
    assert UrgentAlert.objects.count() == 1 and OutcomeMeasure.objects.filter(instrument="cssrs").count() == 1


def test_another_patient_gets_404(session, other_patient, client) -> None:
    client.force_login(other_patient.user)
    assert client.get(reverse("scheduling:session-checkin", args=[session.pk])).status_code == 404
    assert client.post(reverse("scheduling:session-checkin-safety", args=[session.pk]), {}).status_code == 404


def test_pain_before_and_after_a_session(frozen, patient, patient_client, clinician, room, staff_client_for) -> None:
    from decimal import Decimal

    from scheduling.models import InfusionSession, Protocol
    from tests.scheduling.course_fixtures import approve

    pain = Protocol.objects.get(slug="chronic-pain")
    values = {"planned_sessions": 5, "min_days_between": 1, "mg_per_kg": Decimal("0.5"), "infusion_minutes": 60}
    Protocol.objects.filter(pk=pain.pk).update(**values, max_dose_mg=Decimal(60), observation_minutes=60)
    pain.refresh_from_db()
    approve(patient)
    course = course_services.course_create(
        patient=patient, protocol=pain, indication="pain", clinician=clinician, by=clinician
    )
    session = course_services.session_schedule(course=course, chair=room[0], start=at(0, 9), by=clinician)
    url = reverse("scheduling:session-checkin", args=[session.pk])
    assert patient_client.post(url, {"item_1": "7"}).status_code == 302
    InfusionSession.objects.filter(pk=session.pk).update(status="completed")
    assert "now that your session is over" in patient_client.get(url).content.decode()
    assert patient_client.post(url, {"item_1": "3"}).status_code == 302
    assert patient_client.post(url, {"item_1": "11"}).status_code in (200, 400)  # nothing more is due
    page = staff_client_for(clinician).get(reverse("scheduling:staff-course-detail", args=[course.pk]))
    assert "<td>Session 1</td><td>7</td><td>3</td>" in page.content.decode()
