"""Infusion course rules: creating and stopping, spacing, chairs and nurse capacity, the status machine, the
pre-infusion gate and its override, the dose and its cap, vitals and discharge."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from scheduling.exceptions import CapacityReached, ChairUnavailable, CourseError
from scheduling.infusion_rules import infusion_dose_mg
from scheduling.models import InfusionCourse, InfusionSession, InfusionSettings, NurseDuty, Protocol
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


# ---- Creating and stopping a course --------------------------------------------------------------------------


def test_course_needs_an_approved_latest_screening(frozen, patient, clinician, protocol) -> None:
    with pytest.raises(CourseError, match="approved"):
        course_services.course_create(
            patient=patient, protocol=protocol, indication="depression", clinician=clinician, by=clinician
        )
    approve(patient, scores={"phq9": 20, "gad7": 14})
    course = course_services.course_create(
        patient=patient, protocol=protocol, indication="depression", clinician=clinician, by=clinician
    )
    assert (course.status, course.baseline_phq9, course.baseline_gad7) == ("planned", 20, 14)


def test_exclusion_flags_need_an_explicit_acknowledgement(frozen, patient, clinician, protocol) -> None:
    approve(patient, exclusions=("pregnant",))
    with pytest.raises(CourseError, match="Acknowledge"):
        course_services.course_create(
            patient=patient, protocol=protocol, indication="depression", clinician=clinician, by=clinician
        )
    course = course_services.course_create(
        patient=patient,
        protocol=protocol,
        indication="depression",
        clinician=clinician,
        by=clinician,
        acknowledge_exclusions=True,
    )
    assert course.acknowledged_flags == "pregnant"


def test_a_protocol_with_empty_values_cannot_be_used(frozen, patient, clinician) -> None:
    approve(patient)
    shipped = Protocol.objects.get(slug="depression-induction")
    assert shipped.missing_values() == ["maximum dose (mg)", "observation after the infusion (minutes)"]
    pain = Protocol.objects.get(slug="chronic-pain")
    assert "dose (mg/kg)" in pain.missing_values()
    with pytest.raises(CourseError, match="maximum dose"):
        course_services.course_create(
            patient=patient, protocol=shipped, indication="depression", clinician=clinician, by=clinician
        )


def test_one_planned_or_active_course_per_patient(course, patient, clinician, protocol) -> None:
    with pytest.raises(CourseError, match="already has"):
        course_services.course_create(
            patient=patient, protocol=protocol, indication="depression", clinician=clinician, by=clinician
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        InfusionCourse.objects.create(patient=patient, protocol=protocol, indication="depression", clinician=clinician)
    course_services.course_stop(course=course, reason="Patient moved away", by=clinician)
    again = course_services.course_create(
        patient=patient, protocol=protocol, indication="depression", clinician=clinician, by=clinician
    )
    assert again.status == "planned"


def test_stopping_needs_a_reason_and_cancels_what_has_not_started(session, course, clinician, nurse) -> None:
    with pytest.raises(CourseError, match="why"):
        course_services.course_stop(course=course, reason="  ", by=clinician)
    course_services.course_stop(course=course, reason="Side effects", by=clinician)
    session.refresh_from_db()
    assert (course.status, session.status) == ("stopped", "cancelled")
    assert course_services.course_stop_refusal(course) == "Only a planned or active course can be stopped."


def test_a_session_of_a_stopped_course_cannot_start(session, course, clinician, nurse) -> None:
    checked_in(session, nurse)
    # Stopping waits for a session under way (test_course_stop); this one was checked in as the course stopped.
    InfusionCourse.objects.filter(pk=course.pk).update(
        status="stopped", stop_reason="Side effects", stopped_at=at(0, 8)
    )
    session.refresh_from_db()
    assert (
        session_services.session_refusal(session, "in_progress")
        == "This course is stopped; its sessions cannot go ahead."
    )
    with pytest.raises(CourseError, match="stopped"):
        session_services.session_start(session=session, by=nurse)


# ---- Scheduling: chairs, capacity, spacing and hours ---------------------------------------------------------


def test_a_chair_cannot_be_double_booked(session, course, room, front_desk, clinician) -> None:
    other = PatientFactory()
    approve(other)
    second = course_services.course_create(
        patient=other, protocol=course.protocol, indication="depression", clinician=clinician, by=clinician
    )
    with pytest.raises(ChairUnavailable):
        course_services.session_schedule(course=second, chair=room[0], start=at(0, 10), by=front_desk)
    assert (
        course_services.session_schedule(course=second, chair=room[1], start=at(0, 10), by=front_desk).chair == room[1]
    )


def test_nurse_capacity_counts_sessions_running_at_once(frozen, room, protocol, clinician, front_desk) -> None:
    InfusionSettings.objects.update_or_create(pk=1, defaults={"sessions_per_nurse": 2, "nurses_on_duty": 1})
    courses = []
    for _ in range(3):
        patient = PatientFactory()
        approve(patient)
        courses.append(
            course_services.course_create(
                patient=patient, protocol=protocol, indication="depression", clinician=clinician, by=clinician
            )
        )
    course_services.session_schedule(course=courses[0], chair=room[0], start=at(0, 9), by=front_desk)
    course_services.session_schedule(course=courses[1], chair=room[1], start=at(0, 9, 30), by=front_desk)
    with pytest.raises(CapacityReached):
        course_services.session_schedule(course=courses[2], chair=room[2], start=at(0, 10), by=front_desk)
    NurseDuty.objects.create(date=at(0, 9).date(), nurses=2)
    assert (
        course_services.session_schedule(course=courses[2], chair=room[2], start=at(0, 10), by=front_desk).number == 1
    )


def test_spacing_and_hours(course, room, front_desk) -> None:
    course_services.session_schedule(course=course, chair=room[0], start=at(1, 9), by=front_desk)
    with pytest.raises(CourseError, match="at least 1 day"):
        course_services.session_schedule(course=course, chair=room[1], start=at(1, 14), by=front_desk)
    with pytest.raises(CourseError, match="at most 7 days"):
        course_services.session_schedule(course=course, chair=room[0], start=at(9, 9), by=front_desk)
    with pytest.raises(CourseError, match="hours"):
        course_services.session_schedule(
            course=course, chair=room[0], start=at(3, 17), by=front_desk
        )  # ends after 18:00
    with pytest.raises(CourseError, match="passed"):
        course_services.session_schedule(course=course, chair=room[0], start=at(-1, 9), by=front_desk)
    assert course_services.session_schedule(course=course, chair=room[0], start=at(3, 9), by=front_desk).number == 2


def test_suggested_plan_books_whole_and_respects_the_rules(course, room, front_desk) -> None:
    plan = course_services.plan_suggest(course=course, first_day=at(0, 9).date())
    assert len(plan) == 6
    assert [p.number for p in plan] == [1, 2, 3, 4, 5, 6]
    days = [p.start.date() for p in plan]
    assert all((b - a).days >= 1 for a, b in itertools.pairwise(days))
    sessions = course_services.plan_book(course=course, plan=[(p.start, p.chair) for p in plan], by=front_desk)
    assert [s.number for s in sessions] == [1, 2, 3, 4, 5, 6]
    assert course_services.plan_suggest(course=course, first_day=at(0, 9).date()) == []


# ---- The status machine, the gate, the dose, discharge -------------------------------------------------------


def test_out_of_order_status_changes_are_refused(session, nurse, frozen) -> None:
    with pytest.raises(CourseError, match="scheduled cannot become completed"):
        session_services.session_discharge(session=session, by=nurse)
    with pytest.raises(CourseError, match="cannot become in progress"):
        session_services.session_start(session=session, by=nurse)
    frozen.move_to(session.start + dt.timedelta(minutes=20))
    session_services.session_no_show(session=session, by=nurse)
    session.refresh_from_db()
    with pytest.raises(CourseError):
        session_services.session_check_in(session=session, by=nurse)


def test_check_in_is_on_the_sessions_day_and_a_no_show_after_its_start(course, room, front_desk, nurse, frozen):
    tomorrow = course_services.session_schedule(course=course, chair=room[0], start=at(1, 9), by=front_desk)
    with pytest.raises(CourseError, match="Check-in opens on the day of the session"):
        session_services.session_check_in(session=tomorrow, by=nurse)
    with pytest.raises(CourseError, match="once its start time has passed"):
        session_services.session_no_show(session=tomorrow, by=nurse)
    frozen.move_to(at(1, 6))  # that morning, before it starts: check-in yes, no-show not yet
    assert session_services.session_refusal(tomorrow, InfusionSession.Status.CHECKED_IN) is None
    assert session_services.session_refusal(tomorrow, InfusionSession.Status.NO_SHOW) is not None
    frozen.move_to(at(1, 9, 30))
    session_services.session_no_show(session=tomorrow, by=nurse)
    tomorrow.refresh_from_db()
    assert tomorrow.status == InfusionSession.Status.NO_SHOW


def test_gate_holds_then_a_recheck_clears_it(session, nurse) -> None:
    session = checked_in(session, nurse)
    session_services.session_dose_set(session=session, weight_kg=Decimal("80"), by=nurse)
    assert session_services.gate_state(session).message == "Record a pre-infusion reading first."
    pre_vitals(session, nurse, systolic=160)
    state = session_services.gate_state(session)
    assert state.blocked and "systolic pressure" in state.message
    with pytest.raises(CourseError, match="hold range"):
        session_services.session_start(session=session, by=nurse)
    pre_vitals(session, nurse, systolic=159)
    assert not session_services.gate_state(session).blocked
    session_services.session_start(session=session, by=nurse)
    session.refresh_from_db()
    assert session.status == "in_progress"
    assert session.course.status == "active"


@pytest.mark.parametrize(
    ("extra", "held"),
    [
        ({"diastolic": 100}, True),
        ({"diastolic": 99}, False),
        ({"heart_rate": 111}, True),
        ({"heart_rate": 110}, False),
        ({"spo2": 94}, True),
        ({"spo2": 95}, False),
    ],
)
def test_gate_thresholds(session, nurse, extra, held) -> None:
    session = checked_in(session, nurse)
    reading = pre_vitals(session, nurse, **extra)
    assert reading.hold is held
    assert session_services.gate_state(session).blocked is held


def test_gate_thresholds_come_from_the_clinic_settings(session, nurse) -> None:
    InfusionSettings.objects.update_or_create(pk=1, defaults={"hold_systolic": 150})
    session = checked_in(session, nurse)
    assert pre_vitals(session, nurse, systolic=150).hold


def test_a_clinicians_override_with_a_reason_lets_a_hold_proceed(session, nurse, clinician) -> None:
    session = checked_in(session, nurse)
    session_services.session_dose_set(session=session, weight_kg=Decimal("70"), by=nurse)
    pre_vitals(session, nurse, systolic=170)
    with pytest.raises(CourseError, match="reason"):
        session_services.gate_override(session=session, reason="", by=clinician)
    session_services.gate_override(session=session, reason="Known white-coat hypertension", by=clinician)
    session.refresh_from_db()
    state = session_services.gate_state(session)
    assert state.overridden and not state.blocked
    assert session.gate_override_by == clinician
    assert session.history.filter(gate_override_reason="Known white-coat hypertension").exists()


def test_impossible_vitals_are_refused(session, nurse) -> None:
    session = checked_in(session, nurse)
    for bad in ({"systolic": 400}, {"diastolic": 130, "systolic": 120}, {"heart_rate": 300}, {"spo2": 40}):
        values = {"systolic": 120, "diastolic": 80, "heart_rate": 70, "spo2": 98, "respiratory_rate": 14} | bad
        with pytest.raises(CourseError, match="not possible"):
            session_services.vitals_record(session=session, phase="pre", by=nurse, **values)
    with pytest.raises(CourseError, match="respiratory"):
        pre_vitals(session, nurse, respiratory_rate=90)
    assert not session.vitals.exists()


def test_dose_from_the_contract_capped_and_manual_changes_need_a_reason(session, nurse) -> None:
    session = checked_in(session, nurse)
    session_services.session_dose_set(session=session, weight_kg=Decimal("80"), by=nurse, lot_number="L1")
    assert session.dose_mg == infusion_dose_mg(weight_kg=80, mg_per_kg=Decimal("0.5"), max_mg=60) == Decimal("40.0")
    session_services.session_dose_set(session=session, weight_kg=Decimal("150"), by=nurse)
    assert session.dose_mg == Decimal("60.0")  # the cap
    with pytest.raises(CourseError, match="above the protocol's maximum"):
        session_services.session_dose_set(session=session, weight_kg=Decimal("150"), dose_mg=Decimal("75"), by=nurse)
    with pytest.raises(CourseError, match="Give a reason"):
        session_services.session_dose_set(session=session, weight_kg=Decimal("80"), dose_mg=Decimal("35"), by=nurse)
    session_services.session_dose_set(
        session=session, weight_kg=Decimal("80"), dose_mg=Decimal("35"), reason="Tolerance", by=nurse
    )
    assert (session.dose_mg, session.computed_dose_mg, session.dose_change_reason) == (35, 40, "Tolerance")
    with pytest.raises(CourseError, match="Weight"):
        session_services.session_dose_set(session=session, weight_kg=Decimal("29.9"), by=nurse)
    with pytest.raises(CourseError, match="Weight"):
        session_services.session_dose_set(session=session, weight_kg=Decimal("301"), by=nurse)


def _running(session: InfusionSession, nurse) -> InfusionSession:
    session = checked_in(session, nurse)
    session_services.session_dose_set(session=session, weight_kg=Decimal("70"), by=nurse)
    pre_vitals(session, nurse)
    session_services.session_start(session=session, by=nurse)
    session.refresh_from_db()
    return session


def test_vitals_due_during_and_after_the_infusion(session, nurse, frozen) -> None:
    session = _running(session, nurse)
    assert session_services.vitals_due_at(session) == session.started_at + dt.timedelta(minutes=10)
    frozen.shift(dt.timedelta(minutes=11))
    assert [a.kind for a in session_services.session_alerts(session)] == ["vitals_due"]
    session_services.vitals_record(
        session=session,
        phase="intra",
        systolic=165,
        diastolic=90,
        heart_rate=80,
        spo2=97,
        respiratory_rate=14,
        by=nurse,
    )
    assert [a.kind for a in session_services.session_alerts(session)] == ["out_of_range"]
    session_services.session_stop_infusion(session=session, by=nurse)
    session.refresh_from_db()
    assert session_services.vitals_due_at(session) == session.stopped_at


def test_discharge_needs_the_checklist_and_a_post_reading_or_a_signoff(session, nurse, clinician) -> None:
    session = _running(session, nurse)
    assert session_services.discharge_refusal(session) == "Stop the infusion before discharge."
    session_services.session_stop_infusion(session=session, by=nurse)
    session.refresh_from_db()
    assert "checklist" in session_services.discharge_refusal(session)
    session_services.discharge_signoff(session=session, reason="Early sign-off", by=clinician)
    assert "checklist" in session_services.discharge_refusal(session)  # a sign-off never replaces the checklist
    session.discharge_signoff_by = None
    checks = dict.fromkeys(session_services.CHECKLIST, True)
    session_services.discharge_checklist_save(session=session, checks=checks, escort_name="Sam", by=nurse)
    assert session_services.discharge_refusal(session) == "Record a post-infusion reading before discharge."
    session_services.vitals_record(
        session=session, phase="post", systolic=170, diastolic=90, heart_rate=80, spo2=97, respiratory_rate=14, by=nurse
    )
    assert "hold range" in session_services.discharge_refusal(session)
    session_services.discharge_signoff(session=session, reason="Stable, baseline hypertension", by=clinician)
    session_services.session_discharge(session=session, by=nurse)
    session.refresh_from_db()
    assert session.status == "completed" and session.discharged_by == nurse


def test_a_reading_must_have_the_phase_the_session_is_in(session, nurse, clinician, frozen) -> None:
    """Found by the tester: a "post" reading entered at check-in let a patient be discharged the moment the infusion
    stopped, with no reading ever taken after it."""
    session = checked_in(session, nurse)
    values = {"systolic": 120, "diastolic": 80, "heart_rate": 70, "spo2": 98, "respiratory_rate": 14}
    for phase in ("post", "intra"):
        with pytest.raises(CourseError, match="Before the infusion"):
            session_services.vitals_record(session=session, phase=phase, by=nurse, **values)
    session_services.session_dose_set(session=session, weight_kg=Decimal("70"), by=nurse)
    pre_vitals(session, nurse)
    session_services.session_start(session=session, by=nurse)
    session.refresh_from_db()
    with pytest.raises(CourseError, match="During the infusion"):
        session_services.vitals_record(session=session, phase="post", by=nurse, **values)
    session_services.session_stop_infusion(session=session, by=nurse)
    session.refresh_from_db()
    with pytest.raises(CourseError, match="After the infusion"):
        session_services.vitals_record(session=session, phase="pre", by=nurse, **values)
    session_services.discharge_checklist_save(
        session=session, checks=dict.fromkeys(session_services.CHECKLIST, True), escort_name="Sam", by=nurse
    )
    assert session_services.discharge_refusal(session) == "Record a post-infusion reading before discharge."
    frozen.shift(dt.timedelta(minutes=60))  # the protocol's observation time
    session_services.vitals_record(session=session, phase="post", by=nurse, **values)
    assert session_services.discharge_refusal(session) is None


def test_discharge_waits_for_the_protocols_observation_time(session, nurse, clinician, frozen) -> None:
    session = _running(session, nurse)
    session_services.session_stop_infusion(session=session, by=nurse)
    session.refresh_from_db()
    checks = dict.fromkeys(session_services.CHECKLIST, True)
    session_services.discharge_checklist_save(session=session, checks=checks, escort_name="Sam", by=nurse)
    session_services.vitals_record(
        session=session, phase="post", systolic=120, diastolic=78, heart_rate=72, spo2=98, respiratory_rate=14, by=nurse
    )
    refusal = session_services.discharge_refusal(session)
    assert refusal.startswith("Observation lasts 60 minutes after the infusion: 60 more minutes")
    frozen.shift(dt.timedelta(minutes=59, seconds=30))
    assert "1 more minute," in session_services.discharge_refusal(session)
    frozen.shift(dt.timedelta(seconds=31))
    assert session_services.discharge_refusal(session) is None


def test_a_clinicians_signoff_can_end_observation_early(session, nurse, clinician) -> None:
    session = _running(session, nurse)
    session_services.session_stop_infusion(session=session, by=nurse)
    session.refresh_from_db()
    checks = dict.fromkeys(session_services.CHECKLIST, True)
    session_services.discharge_checklist_save(session=session, checks=checks, escort_name="Sam", by=nurse)
    session_services.discharge_signoff(session=session, reason="Stable; escort waiting", by=clinician)
    assert session_services.discharge_refusal(session) is None
