"""Writes for infusion courses: creating and stopping a course, planning and scheduling its sessions, and
documenting a session (check-in, vitals, the pre-infusion gate, dose, infusion, discharge).

Each rule is one function here; views and templates ask it (``session_refusal``, ``gate_state``,
``discharge_refusal``, ``vitals_due_at``). The numbers come from ``scheduling.infusion_rules``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from clinic.lib.time import clinic_tz
from clinic.models import Patient, User
from clinic.selectors import notification_keys_taken
from clinic.services import notification_enqueue
from intake import scoring
from intake import selectors as intake_selectors
from intake import services as intake_services
from scheduling import infusion_rules, outcome_schedule
from scheduling.exceptions import CapacityReached, ChairUnavailable, CourseError, GateHold
from scheduling.models import (
    CHAIR_HOLDING_STATUSES,
    OPEN_COURSE_STATUSES,
    ClinicClosure,
    InfusionChair,
    InfusionCourse,
    InfusionHours,
    InfusionSession,
    InfusionSettings,
    NurseDuty,
    OutcomeMeasure,
    Protocol,
    VitalSignReading,
)

logger = logging.getLogger(__name__)

Status = InfusionSession.Status
PLAN_GRID = timedelta(minutes=15)  # suggested start times fall on this grid within the infusion hours
RESPIRATORY_RANGE = (4, 60)  # plausible breaths per minute, inclusive

# The status machine: which status a session may move to from which.
TRANSITIONS: dict[str, set[str]] = {
    Status.SCHEDULED: {Status.CHECKED_IN, Status.NO_SHOW, Status.CANCELLED},
    Status.CHECKED_IN: {Status.IN_PROGRESS, Status.ABORTED, Status.CANCELLED},
    Status.IN_PROGRESS: {Status.COMPLETED, Status.ABORTED},
}


# ---- Courses -------------------------------------------------------------------------------------------------


def course_create(
    *,
    patient: Patient,
    protocol: Protocol,
    indication: str,
    clinician: User,
    by: User,
    acknowledge_exclusions: bool = False,
) -> InfusionCourse:
    """A course for a patient whose latest screening is approved; exclusion flags need an explicit acknowledgement."""
    baseline = intake_selectors.course_baseline(patient=patient)
    if baseline is None or not baseline.approved:
        raise CourseError("A course can be created only after the patient's latest screening is approved.")
    if baseline.exclusion_flags and not acknowledge_exclusions:
        raise CourseError(
            "The approved screening has exclusion flags: "
            + "; ".join(message for _, message in baseline.exclusion_flags)
            + ". Acknowledge them to create the course."
        )
    missing = protocol.missing_values()
    if missing or not protocol.active:
        raise CourseError(
            "This protocol cannot be used until an admin fills in: " + ", ".join(missing)
            if missing
            else "This protocol is not active."
        )
    if indication not in protocol.indication_list:
        raise CourseError("This protocol is not for that indication.")
    course = InfusionCourse(
        patient=patient,
        protocol=protocol,
        indication=indication,
        clinician=clinician,
        created_by=by,
        screening_id_at_creation=baseline.screening_id,
        baseline_phq9=baseline.scores.get("phq9"),
        baseline_gad7=baseline.scores.get("gad7"),
        baseline_pcl5=baseline.scores.get("pcl5"),
        acknowledged_flags=", ".join(code for code, _ in baseline.exclusion_flags) if acknowledge_exclusions else "",
    )
    course._history_user = by
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError:
        raise CourseError("This patient already has a planned or active course.") from None
    logger.info("Course %s created for patient %s", course.pk, patient.pk)
    return course


def course_stop_refusal(course: InfusionCourse) -> str | None:
    """Why this course cannot be stopped, or None. The one rule the screens ask."""
    if not course.is_open:
        return "Only a planned or active course can be stopped."
    return None


@transaction.atomic
def course_stop(*, course: InfusionCourse, reason: str, by: User) -> None:
    refusal = course_stop_refusal(course)
    if refusal:
        raise CourseError(refusal)
    if not reason.strip():
        raise CourseError("Say why the course is stopped.")
    now = timezone.now()
    updated = InfusionCourse.objects.filter(pk=course.pk, status__in=OPEN_COURSE_STATUSES).update(
        status=InfusionCourse.Status.STOPPED, stop_reason=reason.strip(), stopped_at=now, stopped_by=by
    )
    if updated != 1:
        raise CourseError("The course changed meanwhile. Reload the page.")
    # Sessions not yet started are cancelled; one under way finishes under the nurse's eyes.
    InfusionSession.objects.filter(course=course, status=Status.SCHEDULED).update(status=Status.CANCELLED)
    course.refresh_from_db()
    logger.info("Course %s stopped", course.pk)


# ---- Capacity, hours and spacing -----------------------------------------------------------------------------


def _capacity(day: date) -> int:
    settings_row = InfusionSettings.load()
    duty = NurseDuty.objects.filter(date=day).values_list("nurses", flat=True).first()
    nurses = settings_row.nurses_on_duty if duty is None else duty
    return nurses * settings_row.sessions_per_nurse


def _session_length(protocol: Protocol) -> timedelta:
    return timedelta(minutes=(protocol.infusion_minutes or 0) + (protocol.observation_minutes or 0))


def _within_hours(start: datetime, end: datetime) -> bool:
    tz = clinic_tz()
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = local_start.date()
    if local_end.date() != day:
        return False
    if ClinicClosure.objects.filter(start_date__lte=day, end_date__gte=day).exists():
        return False
    return InfusionHours.objects.filter(
        weekday=day.weekday(), start_time__lte=local_start.time(), end_time__gte=local_end.time()
    ).exists()


def _overlapping(start: datetime, end: datetime, exclude_pk: int | None = None) -> list[tuple[datetime, datetime]]:
    sessions = InfusionSession.objects.filter(status__in=CHAIR_HOLDING_STATUSES, start__lt=end, end__gt=start)
    if exclude_pk:
        sessions = sessions.exclude(pk=exclude_pk)
    return list(sessions.values_list("start", "end"))


def _peak(start: datetime, end: datetime, others: list[tuple[datetime, datetime]]) -> int:
    """How many of ``others`` run at once at the busiest moment of [start, end)."""
    moments = {start} | {s for s, _ in others if start <= s < end}
    return max((sum(1 for s, e in others if s <= m < e) for m in moments), default=0)


def _spacing_refusal(course: InfusionCourse, start: datetime, exclude_pk: int | None = None) -> str | None:
    protocol = course.protocol
    tz = clinic_tz()
    day = start.astimezone(tz).date()
    others = (
        InfusionSession.objects.filter(course=course)
        .exclude(status__in=[Status.CANCELLED, Status.NO_SHOW])
        .exclude(pk=exclude_pk)
    )
    days = sorted(s.astimezone(tz).date() for s in others.values_list("start", flat=True))
    earlier = [d for d in days if d <= day]
    later = [d for d in days if d > day]
    minimum = protocol.min_days_between or 0
    if earlier and (day - earlier[-1]).days < max(minimum, 1):
        return f"Sessions must be at least {max(minimum, 1)} day(s) apart."
    if later and (later[0] - day).days < max(minimum, 1):
        return f"Sessions must be at least {max(minimum, 1)} day(s) apart."
    if protocol.max_days_between and earlier and (day - earlier[-1]).days > protocol.max_days_between:
        return f"Sessions of this protocol must be at most {protocol.max_days_between} days apart."
    return None


def _check_session_time(
    *, course: InfusionCourse, chair: InfusionChair, start: datetime, exclude_pk: int | None = None
) -> datetime:
    """Raise a ``CourseError`` unless a session may take this chair at this time; return its end."""
    if not isinstance(start, datetime) or timezone.is_naive(start):
        raise CourseError("Choose a date and time.")
    if start <= timezone.now():
        raise CourseError("That time has already passed.")
    if not chair.active:
        raise ChairUnavailable("That chair is not in use.")
    end = start + _session_length(course.protocol)
    if not _within_hours(start, end):
        raise CourseError("That time is outside the infusion room's hours (or the clinic is closed that day).")
    refusal = _spacing_refusal(course, start, exclude_pk)
    if refusal:
        raise CourseError(refusal)
    others = _overlapping(start, end, exclude_pk)
    if (
        InfusionSession.objects.filter(chair=chair, status__in=CHAIR_HOLDING_STATUSES, start__lt=end, end__gt=start)
        .exclude(pk=exclude_pk)
        .exists()
    ):
        raise ChairUnavailable
    if _peak(start, end, others) + 1 > _capacity(start.astimezone(clinic_tz()).date()):
        raise CapacityReached
    return end


def _lock_infusion_room() -> None:
    """Serialise session bookings (chair and nurse capacity) until the transaction ends.

    On PostgreSQL the one settings row is locked, so two bookings cannot both take the last place; the chair's
    exclusion constraint stays the guarantee for chairs. On SQLite the IMMEDIATE transaction holds the write lock.
    """
    InfusionSettings.load()
    list(InfusionSettings.objects.select_for_update().filter(pk=1).values_list("pk", flat=True))


def course_schedule_refusal(course: InfusionCourse) -> str | None:
    if not course.is_open:
        return "Sessions can be scheduled only for a planned or active course."
    missing = course.protocol.missing_values()
    if missing:
        return "The protocol cannot be used until an admin fills in: " + ", ".join(missing)
    return None


def session_schedule(*, course: InfusionCourse, chair: InfusionChair, start: datetime, by: User) -> InfusionSession:
    """Book one session of the course on a chair, re-checked under the lock."""
    refusal = course_schedule_refusal(course)
    if refusal:
        raise CourseError(refusal)
    try:
        with transaction.atomic():
            _lock_infusion_room()
            end = _check_session_time(course=course, chair=chair, start=start)
            number = (course.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
            session = InfusionSession(course=course, number=number, chair=chair, start=start, end=end)
            session._history_user = by
            session.save()
    except IntegrityError:
        logger.info("Session booking lost a race for chair %s", chair.pk)
        raise ChairUnavailable from None
    logger.info("Session %s scheduled", session.pk)
    return session


def session_reschedule(*, session: InfusionSession, chair: InfusionChair, start: datetime, by: User) -> None:
    if session.status != Status.SCHEDULED:
        raise CourseError("Only a scheduled session can be moved.")
    refusal = course_schedule_refusal(session.course)
    if refusal:
        raise CourseError(refusal)
    try:
        with transaction.atomic():
            _lock_infusion_room()
            end = _check_session_time(course=session.course, chair=chair, start=start, exclude_pk=session.pk)
            updated = InfusionSession.objects.filter(pk=session.pk, status=Status.SCHEDULED).update(
                chair=chair, start=start, end=end, reminder_sent_for=None
            )
            if updated != 1:
                raise CourseError("The session changed meanwhile. Reload the page.")
    except IntegrityError:
        raise ChairUnavailable from None
    session.refresh_from_db()


@dataclass(frozen=True)
class PlannedSession:
    number: int
    start: datetime
    chair: InfusionChair


def plan_suggest(*, course: InfusionCourse, first_day: date) -> list[PlannedSession]:
    """Dates for the course's remaining sessions: the earliest free chair within the hours, spaced by the protocol.

    A suggestion only; staff adjust it, and each session is checked again when it is booked.
    """
    refusal = course_schedule_refusal(course)
    if refusal:
        raise CourseError(refusal)
    protocol = course.protocol
    booked = course.sessions.exclude(status__in=[Status.CANCELLED, Status.NO_SHOW]).count()
    remaining = max((protocol.planned_sessions or 0) - booked, 0)
    tz = clinic_tz()
    chairs = list(InfusionChair.objects.filter(active=True))
    gap = max(protocol.min_days_between or 0, 1)
    last = course.sessions.exclude(status__in=[Status.CANCELLED, Status.NO_SHOW]).aggregate(m=Max("start"))["m"]
    day = max(first_day, last.astimezone(tz).date() + timedelta(days=gap)) if last else first_day
    plan: list[PlannedSession] = []
    taken: list[tuple[datetime, datetime, int]] = []  # the plan's own sessions, not yet booked
    number = (course.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
    length = _session_length(protocol)
    tries = 0
    while len(plan) < remaining and tries < 120:
        tries += 1
        found = _first_free(day, length, chairs, taken, tz)
        if found is None:
            day += timedelta(days=1)
            continue
        start, chair = found
        plan.append(PlannedSession(number=number + len(plan), start=start, chair=chair))
        taken.append((start, start + length, chair.pk))
        day += timedelta(days=gap)
    return plan


def _first_free(
    day: date, length: timedelta, chairs: list[InfusionChair], taken: list[tuple[datetime, datetime, int]], tz: Any
) -> tuple[datetime, InfusionChair] | None:
    if ClinicClosure.objects.filter(start_date__lte=day, end_date__gte=day).exists():
        return None
    now = timezone.now()
    capacity = _capacity(day)
    for hours in InfusionHours.objects.filter(weekday=day.weekday()):
        start = datetime.combine(day, hours.start_time, tzinfo=tz)
        close = datetime.combine(day, hours.end_time, tzinfo=tz)
        while start + length <= close:
            end = start + length
            if start > now:
                busy = InfusionSession.objects.filter(
                    status__in=CHAIR_HOLDING_STATUSES, start__lt=end, end__gt=start
                ).values_list("start", "end", "chair_id")
                running = list(busy) + [t for t in taken if t[0] < end and t[1] > start]
                if _peak(start, end, [(s, e) for s, e, _ in running]) + 1 <= capacity:
                    used = {c for _, _, c in running}
                    for chair in chairs:
                        if chair.pk not in used:
                            return start, chair
            start += PLAN_GRID
    return None


def plan_book(*, course: InfusionCourse, plan: list[tuple[datetime, InfusionChair]], by: User) -> list[InfusionSession]:
    """Book the (adjusted) plan in one go: all of it, or nothing."""
    with transaction.atomic():
        return [session_schedule(course=course, chair=chair, start=start, by=by) for start, chair in plan]


# ---- The session's status machine ----------------------------------------------------------------------------


def session_refusal(session: InfusionSession, to: str) -> str | None:
    """Why this session may not move to ``to`` now, or None. The one rule the screens and services ask."""
    if to not in TRANSITIONS.get(session.status, set()):
        return f"A session that is {session.get_status_display().lower()} cannot become {Status(to).label.lower()}."
    course = session.course
    if to in (Status.CHECKED_IN, Status.IN_PROGRESS) and course.status == InfusionCourse.Status.STOPPED:
        return "This course is stopped; its sessions cannot go ahead."
    if to == Status.IN_PROGRESS:
        if session.dose_mg is None:
            return "Record the weight and the dose first."
        gate = gate_state(session)
        if gate.blocked:
            return gate.message
    if to == Status.COMPLETED:
        return discharge_refusal(session)
    return None


def _move(session: InfusionSession, to: str, by: User, **fields: Any) -> None:
    refusal = session_refusal(session, to)
    if refusal:
        raise CourseError(refusal)
    with transaction.atomic():
        updated = InfusionSession.objects.filter(pk=session.pk, status=session.status).update(status=to, **fields)
        if updated != 1:
            raise CourseError("The session changed meanwhile. Reload the page.")
        session.refresh_from_db()
        # The history keeps who did what: the conditional update bypasses save(), so record it explicitly.
        session._history_user = by
        session.save(update_fields=["updated_at"])
        if to == Status.CHECKED_IN:
            InfusionCourse.objects.filter(pk=session.course_id, status=InfusionCourse.Status.PLANNED).update(
                status=InfusionCourse.Status.ACTIVE
            )
        if to == Status.COMPLETED:
            _complete_course_if_done(session.course)
    logger.info("Session %s is now %s", session.pk, to)


def _complete_course_if_done(course: InfusionCourse) -> None:
    done = course.sessions.filter(status=Status.COMPLETED).count()
    planned = course.protocol.planned_sessions or 0
    if planned and done >= planned:
        InfusionCourse.objects.filter(pk=course.pk, status=InfusionCourse.Status.ACTIVE).update(
            status=InfusionCourse.Status.COMPLETED
        )


def session_check_in(*, session: InfusionSession, by: User) -> None:
    _move(session, Status.CHECKED_IN, by, checked_in_at=timezone.now())


def session_start(*, session: InfusionSession, by: User) -> None:
    _move(session, Status.IN_PROGRESS, by, started_at=timezone.now())


def session_no_show(*, session: InfusionSession, by: User) -> None:
    _move(session, Status.NO_SHOW, by)


def session_cancel(*, session: InfusionSession, by: User) -> None:
    _move(session, Status.CANCELLED, by)


def session_abort(*, session: InfusionSession, reason: str, by: User) -> None:
    if not reason.strip():
        raise CourseError("Say why the session is aborted.")
    _move(session, Status.ABORTED, by, abort_reason=reason.strip(), stopped_at=session.stopped_at or timezone.now())


def session_stop_infusion(*, session: InfusionSession, by: User) -> None:
    """The infusion ends; observation (and post-infusion vitals) begins. The session stays in progress."""
    if session.status != Status.IN_PROGRESS or session.stopped_at:
        raise CourseError("Only a running infusion can be stopped.")
    updated = InfusionSession.objects.filter(pk=session.pk, status=Status.IN_PROGRESS, stopped_at__isnull=True).update(
        stopped_at=timezone.now()
    )
    if updated != 1:
        raise CourseError("The session changed meanwhile. Reload the page.")
    session.refresh_from_db()


# ---- Vitals and the pre-infusion gate ------------------------------------------------------------------------


def hold_thresholds() -> dict[str, int]:
    return InfusionSettings.load().thresholds


def vitals_record(
    *,
    session: InfusionSession,
    phase: str,
    systolic: int,
    diastolic: int,
    heart_rate: int,
    spo2: int,
    respiratory_rate: int,
    by: User,
    taken_at: datetime | None = None,
) -> VitalSignReading:
    """Store a reading with what ``infusion_gate`` says of it; impossible readings raise ``CourseError``."""
    if session.status not in (Status.CHECKED_IN, Status.IN_PROGRESS):
        raise CourseError("Vitals are recorded for a checked-in or running session only.")
    if phase not in VitalSignReading.Phase.values:
        raise CourseError("Choose when the reading was taken.")
    try:
        gate = infusion_rules.infusion_gate(
            systolic=systolic, diastolic=diastolic, heart_rate=heart_rate, spo2=spo2, thresholds=hold_thresholds()
        )
    except ValueError as exc:
        raise CourseError(f"That reading is not possible: {exc}") from None
    low, high = RESPIRATORY_RANGE
    if not isinstance(respiratory_rate, int) or not low <= respiratory_rate <= high:
        raise CourseError(f"That reading is not possible: respiratory rate must be from {low} to {high} per minute.")
    return VitalSignReading.objects.create(
        session=session,
        phase=phase,
        taken_at=taken_at or timezone.now(),
        systolic=systolic,
        diastolic=diastolic,
        heart_rate=heart_rate,
        spo2=spo2,
        respiratory_rate=respiratory_rate,
        hold=gate.hold,
        hold_reasons=",".join(sorted(gate.reasons)),
        taken_by=by,
    )


REASON_LABELS = {
    "bp_systolic": "systolic pressure",
    "bp_diastolic": "diastolic pressure",
    "heart_rate": "heart rate",
    "spo2": "oxygen saturation",
}


@dataclass(frozen=True)
class GateState:
    blocked: bool
    overridden: bool
    reading: VitalSignReading | None
    message: str


def _latest(session: InfusionSession, phase: str) -> VitalSignReading | None:
    readings = [r for r in session.vitals.all() if r.phase == phase]
    return max(readings, key=lambda r: (r.taken_at, r.pk)) if readings else None


def gate_state(session: InfusionSession) -> GateState:
    """The pre-infusion gate: the latest pre-infusion reading decides; a clinician's override lets a hold proceed."""
    reading = _latest(session, VitalSignReading.Phase.PRE)
    if reading is None:
        return GateState(True, False, None, "Record a pre-infusion reading first.")
    if not reading.hold:
        return GateState(False, False, reading, "The latest pre-infusion reading is outside the hold range.")
    if session.gate_override_at and session.gate_override_at >= reading.taken_at:
        return GateState(False, True, reading, "A clinician overrode the hold.")
    reasons = ", ".join(REASON_LABELS[r] for r in reading.hold_reasons.split(",") if r)
    return GateState(True, False, reading, f"{GateHold.default_message} (Held for: {reasons}.)")


@transaction.atomic
def gate_override(*, session: InfusionSession, reason: str, by: User) -> None:
    gate = gate_state(session)
    if not gate.blocked or gate.reading is None:
        raise CourseError("There is no hold to override.")
    if session.status != Status.CHECKED_IN:
        raise CourseError("A hold is overridden before the infusion starts.")
    if not reason.strip():
        raise CourseError("An override needs a reason.")
    session.gate_override_by = by
    session.gate_override_reason = reason.strip()
    session.gate_override_at = timezone.now()
    session._history_user = by
    session.save(update_fields=["gate_override_by", "gate_override_reason", "gate_override_at", "updated_at"])
    logger.info("Gate overridden for session %s", session.pk)


# ---- Dose ----------------------------------------------------------------------------------------------------


def session_dose_set(
    *,
    session: InfusionSession,
    weight_kg: Decimal,
    by: User,
    dose_mg: Decimal | None = None,
    reason: str = "",
    lot_number: str = "",
) -> None:
    """Weight, the dose from the protocol (``infusion_dose_mg``), and a manual dose only with a reason."""
    if session.status != Status.CHECKED_IN:
        raise CourseError("The dose is set after check-in and before the infusion starts.")
    protocol = session.course.protocol
    try:
        computed = infusion_rules.infusion_dose_mg(
            weight_kg=weight_kg, mg_per_kg=protocol.mg_per_kg, max_mg=protocol.max_dose_mg
        )
    except ValueError as exc:
        raise CourseError(str(exc)) from None
    dose = computed if dose_mg is None else dose_mg
    if dose <= 0:
        raise CourseError("The dose must be above 0 mg.")
    if dose != computed and not reason.strip():
        over = " It is above the protocol's maximum." if dose > protocol.max_dose_mg else ""
        raise CourseError(f"The dose differs from the computed {computed} mg.{over} Give a reason for the change.")
    session.weight_kg = weight_kg
    session.computed_dose_mg = computed
    session.dose_mg = dose
    session.dose_change_reason = reason.strip() if dose != computed else ""
    session.lot_number = lot_number.strip()
    session._history_user = by
    session.save(
        update_fields=["weight_kg", "computed_dose_mg", "dose_mg", "dose_change_reason", "lot_number", "updated_at"]
    )


# ---- During and after the infusion ---------------------------------------------------------------------------


def vitals_due_at(session: InfusionSession) -> datetime | None:
    """When the next reading is due: every protocol interval during the infusion, then after it until discharge."""
    if session.status != Status.IN_PROGRESS or session.started_at is None:
        return None
    protocol = session.course.protocol
    if session.stopped_at is None:
        last = _latest(session, VitalSignReading.Phase.INTRA)
        since = max(last.taken_at, session.started_at) if last else session.started_at
        return since + timedelta(minutes=protocol.vitals_interval_minutes or 10)
    last = _latest(session, VitalSignReading.Phase.POST)
    since = max(last.taken_at, session.stopped_at) if last else session.stopped_at
    if last is None:
        return session.stopped_at  # a first post-infusion reading is due at once
    return since + timedelta(minutes=protocol.post_vitals_interval_minutes or 15)


@dataclass(frozen=True)
class SessionAlert:
    kind: str  # vitals_due, out_of_range
    message: str


def session_alerts(session: InfusionSession, now: datetime | None = None) -> list[SessionAlert]:
    """What the chair board flags: vitals due, or the latest reading in the hold range."""
    now = now or timezone.now()
    alerts = []
    due = vitals_due_at(session)
    if due is not None and due <= now:
        alerts.append(SessionAlert("vitals_due", "Vitals due"))
    if session.status in (Status.CHECKED_IN, Status.IN_PROGRESS):
        readings = list(session.vitals.all())
        if readings:
            latest = max(readings, key=lambda r: (r.taken_at, r.pk))
            if latest.hold:
                alerts.append(SessionAlert("out_of_range", "Latest vitals out of range"))
    return alerts


CHECKLIST = ("alert_and_oriented", "nausea_controlled", "escort_present", "no_driving_acknowledged")


def discharge_refusal(session: InfusionSession) -> str | None:
    """Discharge needs the checklist, and a latest post-infusion reading outside the hold range or a clinician's
    sign-off (the sign-off stands in for the reading, never for the checklist)."""
    if session.status != Status.IN_PROGRESS or session.stopped_at is None:
        return "Stop the infusion before discharge."
    missing = [InfusionSession._meta.get_field(f).verbose_name for f in CHECKLIST if not getattr(session, f)]
    if missing:
        return "Complete the discharge checklist: " + ", ".join(str(m) for m in missing) + "."
    if session.discharge_signoff_by_id:
        return None  # a clinician signed off the readings
    latest = _latest(session, VitalSignReading.Phase.POST)
    if latest is None:
        return "Record a post-infusion reading before discharge."
    if latest.hold:
        return "The latest post-infusion reading is in the hold range: re-check, or ask a clinician to sign off."
    return None


def discharge_checklist_save(*, session: InfusionSession, checks: dict[str, bool], escort_name: str, by: User) -> None:
    if session.status != Status.IN_PROGRESS:
        raise CourseError("The checklist is completed during observation.")
    for name in CHECKLIST:
        setattr(session, name, bool(checks.get(name)))
    session.escort_name = escort_name.strip()
    session._history_user = by
    session.save(update_fields=[*CHECKLIST, "escort_name", "updated_at"])


def discharge_signoff(*, session: InfusionSession, reason: str, by: User) -> None:
    if session.status != Status.IN_PROGRESS or session.stopped_at is None:
        raise CourseError("A discharge is signed off after the infusion stops.")
    if not reason.strip():
        raise CourseError("A sign-off needs a reason.")
    session.discharge_signoff_by = by
    session.discharge_signoff_reason = reason.strip()
    session._history_user = by
    session.save(update_fields=["discharge_signoff_by", "discharge_signoff_reason", "updated_at"])


def session_discharge(*, session: InfusionSession, by: User) -> None:
    _move(session, Status.COMPLETED, by, discharged_at=timezone.now(), discharged_by=by)


def session_notes_save(
    *, session: InfusionSession, adverse_events: str, interventions: str, notes: str, by: User
) -> None:
    if session.status not in (Status.CHECKED_IN, Status.IN_PROGRESS, Status.COMPLETED, Status.ABORTED):
        raise CourseError("Notes are kept for a session that took place.")
    session.adverse_events = adverse_events.strip()
    session.interventions = interventions.strip()
    session.notes = notes.strip()
    session._history_user = by
    session.save(update_fields=["adverse_events", "interventions", "notes", "updated_at"])


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = clinic_tz()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


# Which status each documentation step moves a session to; the screen asks ``session_refusal`` for each.
STEP_TARGETS = {
    "check-in": Status.CHECKED_IN,
    "start": Status.IN_PROGRESS,
    "discharge": Status.COMPLETED,
    "abort": Status.ABORTED,
    "no-show": Status.NO_SHOW,
}


KIND_SESSION_REMINDER = "scheduling/session_reminder"
SESSION_REMINDER_BEFORE = timedelta(hours=24)


def session_reminders_enqueue_due() -> int:
    """The periodic scan: one reminder a day before each scheduled session (ids only in the outbox's context).

    The key carries the start, so a moved session gets a fresh reminder and a second scan queues nothing twice.
    A session booked less than a day ahead gets none: it was booked with the patient.
    """
    now = timezone.now()
    candidates = InfusionSession.objects.filter(
        status=Status.SCHEDULED, start__gt=now, start__lte=now + SESSION_REMINDER_BEFORE
    ).select_related("course__patient__user")
    due = {
        f"session:{s.pk}:reminder:{s.start.isoformat()}": s
        for s in candidates
        if s.created_at <= s.start - SESSION_REMINDER_BEFORE
    }
    existing = notification_keys_taken(idempotency_keys=due)
    queued = 0
    for key, session in due.items():
        if key in existing:
            continue
        with transaction.atomic():
            notification_enqueue(
                kind=KIND_SESSION_REMINDER,
                idempotency_key=key,
                recipient=session.course.patient.user,
                context={"session_id": session.pk, "start": session.start.isoformat()},
            )
        queued += 1
    return queued


# ---- Outcome measures ----------------------------------------------------------------------------------------

SCORERS = {"phq9": (9, 3), "gad7": (7, 3), "pcl5": (20, 4)}  # item count, highest answer


def measures_due(session: InfusionSession, when: str = "before") -> list[str]:
    """The instruments the patient should answer ``when`` this session and has not answered yet."""
    course = session.course
    tz = clinic_tz()
    day = session.start.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())
    earlier_this_week = (
        course.sessions.filter(start__lt=session.start, start__gte=datetime.combine(monday, time.min, tzinfo=tz))
        .exclude(status__in=[Status.CANCELLED, Status.NO_SHOW])
        .exists()
    )
    due = outcome_schedule.measures_due(
        indication=course.indication,
        maintenance=course.protocol.kind == Protocol.Kind.MAINTENANCE,
        session_number=session.number,
        planned_sessions=course.protocol.planned_sessions or 0,
        first_of_week=not earlier_this_week,
        when=when,
    )
    answered = set(session.measures.filter(when=when).values_list("instrument", flat=True))
    return [instrument for instrument in due if instrument not in answered]


@dataclass(frozen=True)
class MeasureResult:
    total: int
    crisis: bool  # PHQ-9 item 9 above 0: the patient sees crisis resources at once and the C-SSRS screener


def measure_record(*, session: InfusionSession, instrument: str, when: str, answers: list[int]) -> MeasureResult:
    """Score and store one questionnaire (``intake.scoring``), before or after the session."""
    if session.status in (Status.CANCELLED, Status.NO_SHOW, Status.ABORTED) or not session.course.is_open:
        raise CourseError("This visit is no longer taking place.")
    if instrument not in measures_due(session, when):
        raise CourseError("That questionnaire is not due now, or was answered already.")
    crisis = False
    if instrument == "pain":
        low, high = outcome_schedule.PAIN_RANGE
        if len(answers) != 1 or not low <= answers[0] <= high:
            raise CourseError(f"Choose a pain rating from {low} to {high}.")
        total = answers[0]
    else:
        scorer = {"phq9": scoring.score_phq9, "gad7": scoring.score_gad7, "pcl5": scoring.score_pcl5}[instrument]
        try:
            result = scorer(answers)
        except ValueError:
            raise CourseError("Please answer every question.") from None
        total = result.total
        crisis = "suicidal_ideation" in result.flags
    try:
        with transaction.atomic():
            OutcomeMeasure.objects.create(
                course=session.course,
                session=session,
                instrument=instrument,
                when=when,
                total=total,
                answers=answers,
                taken_at=timezone.now(),
            )
    except IntegrityError:
        raise CourseError("That questionnaire was answered already.") from None
    return MeasureResult(total=total, crisis=crisis)


CSSRS_RISK_RANK = {"none": 0, "low": 1, "moderate": 2, "high": 3}


@transaction.atomic
def cssrs_record(*, session: InfusionSession, answers: dict[str, bool]) -> str:
    """The C-SSRS screener after PHQ-9 item 9: stored at once; a high risk alerts staff at once (intake's service)."""
    try:
        risk = scoring.score_cssrs(answers).risk
    except ValueError:
        raise CourseError("Please answer the questions.") from None
    measure = OutcomeMeasure.objects.create(
        course=session.course,
        session=session,
        instrument=OutcomeMeasure.Instrument.CSSRS,
        when=f"c{session.measures.filter(instrument='cssrs').count()}",
        total=CSSRS_RISK_RANK[risk],
        answers=answers,
        taken_at=timezone.now(),
    )
    if risk == "high":
        intake_services.urgent_alert_raise(patient=session.course.patient, code=f"course_cssrs_high:{measure.pk}")
        logger.warning("Urgent alert raised from course measure %s", measure.pk)
    return risk


PATIENT_MOVE_CUTOFF = timedelta(hours=24)


def patient_move_refusal(session: InfusionSession) -> str | None:
    """Why the patient may not move this session online, or None (the one rule the portal asks)."""
    if session.status != Status.SCHEDULED or not session.course.is_open:
        return "This session can no longer be moved."
    if session.start - PATIENT_MOVE_CUTOFF <= timezone.now():
        return "It is too late to move this session online. Please call the clinic."
    return None


def session_move_for_patient(*, session: InfusionSession, start: datetime, by: User) -> None:
    """The patient moves a session within the same rules as staff; any free chair will do."""
    refusal = patient_move_refusal(session)
    if refusal:
        raise CourseError(refusal)
    if start - PATIENT_MOVE_CUTOFF <= timezone.now():
        raise CourseError("Choose a time at least a day from now.")
    for chair in InfusionChair.objects.filter(active=True):
        try:
            session_reschedule(session=session, chair=chair, start=start, by=by)
        except ChairUnavailable:
            continue
        return
    raise ChairUnavailable("No chair is free at that time. Please choose another time.")
