"""Kiosk mode: a nurse hands a tablet to one patient; the tablet shows only that patient's questionnaire, carries no
staff login while it does, and ends when the last questionnaire is submitted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from scheduling.models import OutcomeMeasure
from scheduling.services import courses as course_services
from scheduling.services import sessions as session_services
from tests.scheduling import course_fixtures
from tests.scheduling.course_fixtures import at

frozen = course_fixtures.frozen
room = course_fixtures.room
protocol = course_fixtures.protocol
course = course_fixtures.course
session = course_fixtures.session

pytestmark = pytest.mark.django_db


def _phq9(item9: int = 0) -> dict[str, str]:
    return {f"item_{n}": "1" for n in range(1, 9)} | {"item_9": str(item9)}


def test_kiosk_shows_one_patients_form_and_ends_on_submit(session, nurse, staff_client_for) -> None:
    tablet = staff_client_for(nurse)
    started = tablet.post(reverse("scheduling:staff-session-kiosk", args=[session.pk]))
    assert started["Location"] == reverse("scheduling:kiosk")
    # The staff login is gone from the tablet: staff pages send it to the login page.
    assert "/account/login/" in tablet.get(reverse("scheduling:staff-chair-board"))["Location"]
    page = tablet.get(reverse("scheduling:kiosk")).content.decode()
    assert f"Welcome, {session.course.patient.first_name}" in page
    assert "Little interest or pleasure" in page
    assert reverse("scheduling:staff-home") not in page  # no navigation out
    assert tablet.post(reverse("scheduling:kiosk"), _phq9())["Location"] == reverse("scheduling:kiosk")
    done = tablet.get(reverse("scheduling:kiosk")).content.decode()
    assert "hand the tablet back" in done
    assert OutcomeMeasure.objects.filter(session=session, instrument="phq9").count() == 1
    assert "No check-in is open" in tablet.get(reverse("scheduling:kiosk")).content.decode()


def test_item_9_in_the_kiosk_shows_crisis_resources(session, nurse, staff_client_for) -> None:
    tablet = staff_client_for(nurse)
    tablet.post(reverse("scheduling:staff-session-kiosk", args=[session.pk]))
    page = tablet.post(reverse("scheduling:kiosk"), _phq9(item9=1)).content.decode()
    assert 'id="crisis-resources"' in page
    answers = {"wish_dead": "yes", "thoughts": "no"}
    assert tablet.post(reverse("scheduling:kiosk-safety"), answers)["Location"] == reverse("scheduling:kiosk")
    assert OutcomeMeasure.objects.get(instrument="cssrs").total == 1  # low risk


def test_no_kiosk_without_a_staff_start(client, patient) -> None:
    assert "No check-in is open" in client.get(reverse("scheduling:kiosk")).content.decode()
    client.force_login(patient.user)
    assert client.post(reverse("scheduling:staff-session-kiosk", args=[1])).status_code == 403


# ---- Only on the session's own day (in the clinic's zone) -----------------------------------------------------


def test_kiosk_cannot_start_for_tomorrows_session(course, room, front_desk, nurse, staff_client_for) -> None:
    tomorrow = course_services.session_schedule(course=course, chair=room[0], start=at(1, 9), by=front_desk)
    refusal = session_services.kiosk_refusal(tomorrow)
    assert refusal == "Kiosk mode opens on the day of the session only: this one is on Tuesday 3 March 2026."
    tablet = staff_client_for(nurse)
    page = tablet.get(reverse("scheduling:staff-session-detail", args=[tomorrow.pk])).content.decode()
    assert refusal in page
    assert reverse("scheduling:staff-session-kiosk", args=[tomorrow.pk]) not in page
    response = tablet.post(reverse("scheduling:staff-session-kiosk", args=[tomorrow.pk]))
    assert response["Location"] == reverse("scheduling:staff-session-detail", args=[tomorrow.pk])
    assert refusal in tablet.get(response["Location"]).content.decode()  # still signed in, with the reason
    assert "No check-in is open" in tablet.get(reverse("scheduling:kiosk")).content.decode()


def test_today_is_the_clinics_day_not_utcs(session, frozen) -> None:
    # 22:00 in New York the evening before is already the session's date in UTC: still not its day.
    frozen.move_to(at(-1, 22))
    assert "on the day of the session only" in session_services.kiosk_refusal(session)
    frozen.move_to(at(0, 0, 5))
    assert session_services.kiosk_refusal(session) is None


def test_kiosk_is_for_a_booked_or_checked_in_session_only(session, nurse, frozen) -> None:
    frozen.move_to(session.start + dt.timedelta(minutes=20))
    session_services.session_no_show(session=session, by=nurse)
    session.refresh_from_db()
    assert session_services.kiosk_refusal(session) == "Kiosk mode is only for a session that is booked or checked in."
