"""The infusion screens: a nurse documents a session end to end, a clinician creates, plans and stops a course, the
front desk schedules without seeing clinical values; bad input, tampered ids, exports and query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AccessLog
from scheduling.exports import csv_cell
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


def step_url(session: InfusionSession, step: str) -> str:
    return reverse("scheduling:staff-session-step", args=[session.pk, step])


def detail_url(session: InfusionSession) -> str:
    return reverse("scheduling:staff-session-detail", args=[session.pk])


VITALS = {
    "vitals-phase": "pre",
    "vitals-systolic": "128",
    "vitals-diastolic": "80",
    "vitals-heart_rate": "72",
    "vitals-spo2": "98",
    "vitals-respiratory_rate": "14",
}


def test_tomorrows_session_offers_no_check_in_and_refuses_one(
    course, room, front_desk, nurse, staff_client_for, frozen
) -> None:
    tomorrow = course_services.session_schedule(course=course, chair=room[0], start=at(1, 9), by=front_desk)
    client = staff_client_for(nurse)
    page = client.get(detail_url(tomorrow)).content.decode()
    assert "Check-in opens on the day of the session" in page
    assert step_url(tomorrow, "check-in") not in page and step_url(tomorrow, "no-show") not in page
    assert client.post(step_url(tomorrow, "check-in")).status_code == 400
    tomorrow.refresh_from_db()
    assert tomorrow.status == InfusionSession.Status.SCHEDULED


def test_the_course_page_offers_move_where_the_move_rule_allows_it(
    session, course, room, front_desk, nurse, staff_client_for
) -> None:
    later = course_services.session_schedule(course=course, chair=room[0], start=at(2, 9), by=front_desk)
    checked_in(session, nurse)
    page = staff_client_for(front_desk).get(reverse("scheduling:staff-course-detail", args=[course.pk])).content
    assert reverse("scheduling:staff-session-move", args=[later.pk]).encode() in page
    assert reverse("scheduling:staff-session-move", args=[session.pk]).encode() not in page


def test_documenting_without_the_clinical_permission_is_refused(session, staff_client_for) -> None:
    """A refused step answers with the session screen and its values, so a custom role that may document but not
    see clinical values gets 403, not the page."""
    from django.contrib.auth.models import Permission

    from tests.factories import StaffFactory

    user = StaffFactory()
    user.user_permissions.add(Permission.objects.get(codename="document_infusionsession"))
    response = staff_client_for(user).post(step_url(session, "vitals"), VITALS | {"vitals-systolic": "999"})
    assert response.status_code == 403


def test_a_nurse_documents_a_session_end_to_end(session, nurse, staff_client_for, frozen) -> None:
    client = staff_client_for(nurse)
    assert client.post(step_url(session, "check-in")).status_code == 302
    blocked = VITALS | {"vitals-systolic": "172"}
    assert client.post(step_url(session, "vitals"), blocked).status_code == 302
    page = client.get(detail_url(session)).content.decode()
    assert "in the hold range" in page
    response = client.post(step_url(session, "dose"), {"dose-weight_kg": "80", "dose-lot_number": "LOT-7"})
    assert response.status_code == 302
    refused = client.post(step_url(session, "start"))
    assert refused.status_code == 400
    assert "hold range" in refused.content.decode()
    client.post(step_url(session, "vitals"), VITALS)  # the re-check clears the gate
    assert client.post(step_url(session, "start")).status_code == 302
    frozen.shift(600)
    client.post(step_url(session, "vitals"), VITALS | {"vitals-phase": "intra"})
    assert client.post(step_url(session, "stop-infusion")).status_code == 302
    checklist = {f"checklist-{name}": "on" for name in session_services.CHECKLIST} | {"checklist-escort_name": "Sam"}
    assert client.post(step_url(session, "checklist"), checklist).status_code == 302
    client.post(step_url(session, "vitals"), VITALS | {"vitals-phase": "post"})
    early = client.post(step_url(session, "discharge"))
    assert early.status_code == 400 and "Observation lasts 60 minutes" in early.content.decode()
    frozen.shift(3600)
    client = staff_client_for(nurse)  # the staff idle limit ended the session meanwhile
    assert client.post(step_url(session, "discharge")).status_code == 302
    session.refresh_from_db()
    assert (session.status, session.dose_mg, session.lot_number) == ("completed", 40, "LOT-7")
    assert session.vitals.count() == 4


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        ("vitals", VITALS | {"vitals-systolic": "400"}, "not possible"),
        ("vitals", VITALS | {"vitals-spo2": "abc"}, "correct the fields"),
        ("dose", {"dose-weight_kg": "20"}, "Weight must be from 30 to 300"),
        ("dose", {"dose-weight_kg": "301"}, "Weight must be from 30 to 300"),
        ("dose", {"dose-weight_kg": "150", "dose-dose_mg": "90"}, "above the protocol"),
        ("discharge", {}, "cannot become completed"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_entered(
    session, nurse, staff_client_for, step, data, message
) -> None:
    checked_in(session, nurse)
    response = staff_client_for(nurse).post(step_url(session, step), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    for value in data.values():
        assert f'value="{value}"' in page or value in ("pre",)


def test_starting_a_session_of_a_stopped_course(session, course, nurse, clinician, staff_client_for) -> None:
    checked_in(session, nurse)
    session_services.session_dose_set(session=session, weight_kg=80, by=nurse)
    pre_vitals(session, nurse)
    # course_stop waits for a session under way (test_course_stop); a course stopped before that rule still holds.
    InfusionCourse.objects.filter(pk=course.pk).update(
        status="stopped", stop_reason="Side effects", stopped_at=at(0, 8)
    )
    response = staff_client_for(nurse).post(step_url(session, "start"))
    assert response.status_code == 400
    assert "This course is stopped" in response.content.decode()


def test_tampered_ids_and_steps(session, nurse, staff_client_for) -> None:
    client = staff_client_for(nurse)
    assert client.get(reverse("scheduling:staff-session-detail", args=[session.pk + 99])).status_code == 404
    assert client.post(reverse("scheduling:staff-session-step", args=[session.pk + 99, "check-in"])).status_code == 404
    assert client.post(step_url(session, "delete-everything")).status_code == 404
    assert client.get(reverse("scheduling:staff-course-detail", args=[9999])).status_code == 404
    assert client.get(step_url(session, "check-in")).status_code == 405


def test_a_nurse_cannot_override_a_clinician_can(session, nurse, clinician, staff_client_for) -> None:
    checked_in(session, nurse)
    pre_vitals(session, nurse, systolic=170)
    assert staff_client_for(nurse).post(step_url(session, "override"), {"override-reason": "x"}).status_code == 403
    response = staff_client_for(clinician).post(step_url(session, "override"), {"override-reason": "White coat"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.gate_override_by == clinician


def test_front_desk_schedules_but_sees_no_clinical_values(session, nurse, front_desk, staff_client_for) -> None:
    checked_in(session, nurse)
    session_services.session_dose_set(session=session, weight_kg=80, by=nurse)
    pre_vitals(session, nurse, systolic=171)
    client = staff_client_for(front_desk)
    page = client.get(reverse("scheduling:staff-course-detail", args=[session.course_id])).content.decode()
    assert "40.0 mg" not in page and "171" not in page and "Baseline" not in page
    assert "Schedule sessions" in page
    board = client.get(reverse("scheduling:staff-chair-board"), {"date": at(0, 9).date().isoformat()}).content.decode()
    assert session.course.patient.full_name in board
    assert "out of range" not in board
    assert client.get(detail_url(session)).status_code == 403


def test_the_board_flags_vitals_out_of_range_for_nurses(session, nurse, staff_client_for) -> None:
    checked_in(session, nurse)
    pre_vitals(session, nurse, systolic=171)
    url = reverse("scheduling:staff-chair-board")
    response = staff_client_for(nurse).get(url, {"date": at(0, 9).date().isoformat()}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "Latest vitals out of range" in page
    assert "<html" not in page  # the htmx partial


def test_a_clinician_creates_and_plans_a_course(frozen, patient, clinician, protocol, room, staff_client_for) -> None:
    approve(patient, exclusions=("pregnant",))
    client = staff_client_for(clinician)
    assert patient.full_name in client.get(reverse("scheduling:staff-course-list")).content.decode()
    url = reverse("scheduling:staff-course-new", args=[patient.pk])
    refused = client.post(url, {"protocol": protocol.pk, "indication": "depression"})
    assert refused.status_code == 400 and "Acknowledge" in refused.content.decode()
    data = {"protocol": protocol.pk, "indication": "depression", "acknowledge_exclusions": "on"}
    response = client.post(url, data)
    course = InfusionCourse.objects.get(patient=patient)
    assert response["Location"] == reverse("scheduling:staff-course-plan", args=[course.pk])
    plan = client.get(response["Location"], {"first_day": at(0, 9).date().isoformat()})
    rows = plan.context["formset"].initial
    assert len(rows) == 6
    post = {"form-TOTAL_FORMS": "6", "form-INITIAL_FORMS": "6"}
    for n, row in enumerate(rows):
        post |= {f"form-{n}-start": row["start"].strftime("%Y-%m-%dT%H:%M"), f"form-{n}-chair": row["chair"].pk}
    post["form-5-start"] = post["form-4-start"]  # two sessions on one day: nothing is booked
    refused = client.post(response["Location"], post)
    assert refused.status_code == 400 and "at least 1 day" in refused.content.decode()
    assert not course.sessions.exists()
    post["form-5-start"] = rows[5]["start"].strftime("%Y-%m-%dT%H:%M")
    assert client.post(response["Location"], post).status_code == 302
    assert course.sessions.count() == 6


@pytest.mark.parametrize("total", ["0", "1"])
def test_a_plan_with_no_session_is_refused_not_reported_as_booked(course, front_desk, staff_client_for, total):
    post = {"form-TOTAL_FORMS": total, "form-INITIAL_FORMS": "0", "form-0-start": "", "form-0-chair": ""}
    response = staff_client_for(front_desk).post(reverse("scheduling:staff-course-plan", args=[course.pk]), post)
    assert response.status_code == 400
    assert "Add at least one session" in response.content.decode()
    assert not course.sessions.exists()


def test_a_double_booked_chair_is_refused_on_the_plan(course, room, clinician, front_desk, staff_client_for) -> None:
    other = PatientFactory()
    approve(other)
    taken = course_services.course_create(
        patient=other, protocol=course.protocol, indication="depression", clinician=clinician, by=clinician
    )
    course_services.session_schedule(course=taken, chair=room[0], start=at(1, 9), by=front_desk)
    post = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-start": "2026-03-03T09:30",
        "form-0-chair": room[0].pk,
    }
    response = staff_client_for(front_desk).post(reverse("scheduling:staff-course-plan", args=[course.pk]), post)
    assert response.status_code == 400
    assert "chair is already taken" in response.content.decode()
    assert 'value="2026-03-03T09:30"' in response.content.decode()


def test_only_a_clinician_stops_a_course_with_a_reason(course, nurse, clinician, staff_client_for) -> None:
    url = reverse("scheduling:staff-course-stop", args=[course.pk])
    assert staff_client_for(nurse).post(url, {"reason": "x"}).status_code == 403
    staff_client_for(clinician).post(url, {"reason": ""})
    course.refresh_from_db()
    assert course.status == "planned"
    staff_client_for(clinician).post(url, {"reason": "Patient asked to stop"})
    course.refresh_from_db()
    assert course.status == "stopped"


def test_a_stop_reason_is_validated_by_its_form(course, clinician, staff_client_for) -> None:
    """Found by the tester: the view read the raw POST, so a NUL byte (a 500 on PostgreSQL) or 100,000 characters
    (the form allows 2,000) stopped the course."""
    url = reverse("scheduling:staff-course-stop", args=[course.pk])
    client = staff_client_for(clinician)
    for bad in ("Side\x00effects", "x" * 100_000):
        response = client.post(url, {"reason": bad}, follow=True)
        course.refresh_from_db()
        assert course.status == "planned"
        assert "reason" in response.content.decode().lower()


def test_exports_escape_formulas_and_are_logged(session, nurse, clinician, staff_client_for) -> None:
    checked_in(session, nurse)
    session_services.session_notes_save(
        session=session, adverse_events="=HYPERLINK(1)", interventions="", notes="@x", by=nurse
    )
    client = staff_client_for(clinician)
    response = client.get(reverse("scheduling:staff-course-export", args=[session.course_id]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][-1] == "'=HYPERLINK(1); @x"
    listing = client.get(reverse("scheduling:staff-course-list-export"))
    assert listing["Content-Disposition"] == 'attachment; filename="courses.csv"'
    assert AccessLog.objects.filter(action="export", user=clinician).count() == 2
    assert [csv_cell(v) for v in ("=1", "+1", "-1", "@a", "ok", None)] == ["'=1", "'+1", "'-1", "'@a", "ok", ""]


def test_every_page_that_shows_the_patient_is_access_logged(session, clinician, staff_client_for) -> None:
    """The course list, the chair board, the plan, moving a session and the screening queue each write a row
    naming the patient (found missing by a tester)."""
    from intake.models import Screening

    patient = session.course.patient
    client = staff_client_for(clinician)
    pages = {
        "scheduling:staff-course-list": reverse("scheduling:staff-course-list"),
        "scheduling:staff-chair-board": reverse("scheduling:staff-chair-board") + f"?date={at(0, 9).date()}",
        "scheduling:staff-course-plan": reverse("scheduling:staff-course-plan", args=[session.course_id]),
        "scheduling:staff-session-move": reverse("scheduling:staff-session-move", args=[session.pk]),
        "intake:staff-queue": reverse("intake:staff-queue") + "?status=all",
    }
    assert Screening.objects.filter(patient=patient).exists()
    for view_name, url in pages.items():
        assert client.get(url).status_code == 200, url
        logged = AccessLog.objects.filter(user=clinician, patient=patient, page=view_name)
        assert logged.exists(), f"{view_name} wrote no access-log row"


def _courses(n: int, protocol, clinician, room) -> None:
    for index in range(n):
        patient = PatientFactory()
        approve(patient)
        course = course_services.course_create(
            patient=patient, protocol=protocol, indication="depression", clinician=clinician, by=clinician
        )
        course_services.session_schedule(
            course=course, chair=room[index % 3], start=at(index // 3, 8 + 2 * (index % 3)), by=clinician
        )


@pytest.mark.parametrize("url_name", ["scheduling:staff-course-list", "scheduling:staff-chair-board"])
def test_list_pages_keep_a_fixed_query_count(
    frozen, protocol, clinician, nurse, room, staff_client_for, url_name
) -> None:
    client = staff_client_for(nurse)
    counts = []
    for n in (1, 3):
        InfusionSession.objects.all().delete()
        InfusionCourse.objects.all().delete()
        _courses(n, protocol, clinician, room)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(url_name), {"date": at(0, 9).date().isoformat()}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_staff_calendar_shows_sessions_beside_consultations(session, front_desk, staff_client_for) -> None:
    day = at(0, 9).date().isoformat()
    page = staff_client_for(front_desk).get(reverse("scheduling:staff-calendar"), {"date": day, "view": "day"})
    html = page.content.decode()
    assert f">{session.chair.name}</h3>" in html  # a column for the chair in use, beside the providers'
    assert reverse("scheduling:staff-session-detail", args=[session.pk]) in html
    assert f"{session.course.patient.full_name}<span" in html and "Session 1" in html and "Scheduled" in html


def test_front_desk_moves_a_session_within_the_rules(course, room, front_desk, nurse, staff_client_for) -> None:
    first = course_services.session_schedule(course=course, chair=room[0], start=at(1, 9), by=front_desk)
    second = course_services.session_schedule(course=course, chair=room[0], start=at(3, 9), by=front_desk)
    url = reverse("scheduling:staff-session-move", args=[second.pk])
    client = staff_client_for(front_desk)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"start": "2026-03-03T14:00", "chair": room[1].pk})  # the same day as the first
    assert refused.status_code == 400 and "at least 1 day" in refused.content.decode()
    assert client.post(url, {"start": "2026-03-06T11:00", "chair": room[1].pk}).status_code == 302
    second.refresh_from_db()
    assert (second.chair, second.start.hour) == (room[1], 16)  # 11:00 in New York is 16:00 UTC
    assert staff_client_for(nurse).get(url).status_code == 403
    assert first.pk != second.pk
