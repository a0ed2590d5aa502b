"""Writes for infusion courses: creating and stopping a course, and planning, booking and moving its sessions
within the chairs, the nurses' capacity (under a lock), the protocol's spacing and the infusion hours.

Each rule is one function that the views and templates ask (``course_stop_refusal``, ``course_schedule_refusal``,
``patient_move_refusal``). Documenting a session is in ``sessions``; the patient's questionnaires in ``measures``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from clinic.lib.time import clinic_tz
from clinic.models import Patient, User
from clinic.services import notification_enqueue
from intake import selectors as intake_selectors
from scheduling.exceptions import CapacityReached, ChairUnavailable, CourseError
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
    Protocol,
)
from scheduling.selectors.courses import active_chairs
from scheduling.services.sessions import sessions_cancel

logger = logging.getLogger(__name__)

Status = InfusionSession.Status
PLAN_GRID = timedelta(minutes=15)  # suggested start times fall on this grid within the infusion hours


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


UNDER_WAY_STATUSES = (Status.CHECKED_IN, Status.IN_PROGRESS)


def course_stop_refusal(course: InfusionCourse) -> str | None:
    """Why this course cannot be stopped, or None. The one rule the screens ask.

    A session under way (checked in, or running) is finished first: the nurse discharges or aborts it on the session
    screen, and then the course can be stopped. Stopping never decides for the patient in the chair.
    """
    return _stop_refusal(course, list(course.sessions.all()))


def _stop_refusal(course: InfusionCourse, sessions: list[InfusionSession]) -> str | None:
    if not course.is_open:
        return "Only a planned or active course can be stopped."
    under_way = sorted(s.number for s in sessions if s.status in UNDER_WAY_STATUSES)
    if under_way:
        numbers = ", ".join(str(n) for n in under_way)
        return (
            f"Session {numbers} is under way (checked in or running). Finish it first (discharge it, or abort it "
            "with a reason) on its session screen; then the course can be stopped."
        )
    return None


@transaction.atomic
def course_stop(*, course: InfusionCourse, reason: str, by: User) -> None:
    """Stop an open course: its sessions not yet started are cancelled through the session status machine
    (``sessions_cancel``: history, reminders withdrawn, one email with calendar cancellations, chairs freed)."""
    if not reason.strip():
        raise CourseError("Say why the course is stopped.")
    # Lock the course's sessions (PostgreSQL; SQLite's IMMEDIATE transaction serialises anyway), so that none is
    # checked in between the check below and the cancellation.
    sessions = list(
        InfusionSession.objects.filter(course=course)
        .select_for_update(of=("self",))
        .select_related("course__patient__user")
    )
    refusal = _stop_refusal(course, sessions)
    if refusal:
        raise CourseError(refusal)
    updated = InfusionCourse.objects.filter(pk=course.pk, status__in=OPEN_COURSE_STATUSES).update(
        status=InfusionCourse.Status.STOPPED, stop_reason=reason.strip(), stopped_at=timezone.now(), stopped_by=by
    )
    if updated != 1:
        raise CourseError("The course changed meanwhile. Reload the page.")
    # The history keeps who stopped it: the conditional update bypasses save(), so record it explicitly.
    course.refresh_from_db()
    course._history_user = by
    course.save(update_fields=["status"])
    sessions_cancel(sessions=cancelled_by_stop(sessions), by=by)
    logger.info("Course %s stopped", course.pk)


def cancelled_by_stop(sessions: list[InfusionSession]) -> list[InfusionSession]:
    """The sessions stopping their course cancels (and tells the patient about): those booked, not yet started.
    The course page says so before anyone stops it."""
    return [session for session in sessions if session.status == Status.SCHEDULED]


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


KIND_SESSION_MOVED = "scheduling/session_moved"
KIND_SESSIONS_BOOKED = "scheduling/sessions_booked"


def session_order_refusal(session: InfusionSession, start: datetime, tz: ZoneInfo | None = None) -> str | None:
    """Why ``session`` may not move to ``start``, or None: it stays after the course's previous session and before
    its next one (by number, cancelled ones aside), so the plan keeps its order. Times are named in ``tz`` (the
    clinic's zone unless given)."""
    tz = tz or clinic_tz()
    neighbours = InfusionSession.objects.filter(course_id=session.course_id).exclude(status=Status.CANCELLED)
    before = neighbours.filter(number__lt=session.number).order_by("-number").first()
    after = neighbours.filter(number__gt=session.number).order_by("number").first()

    def named(other: InfusionSession) -> str:
        local = other.start.astimezone(tz)
        return f"session {other.number} ({local:%A} {local.day} {local:%B %Y} at {local:%I:%M %p})".replace(" 0", " ")

    if before and start <= before.start:
        return f"Session {session.number} must come after {named(before)}. Choose a later time."
    if after and start >= after.start:
        return f"Session {session.number} must come before {named(after)}. Choose an earlier time."
    return None


def staff_move_refusal(session: InfusionSession) -> str | None:
    """Why staff may not move this session, or None (the one rule the course page and the move ask)."""
    if session.status != Status.SCHEDULED:
        return "Only a scheduled session can be moved."
    return course_schedule_refusal(session.course)


def session_reschedule(
    *, session: InfusionSession, chair: InfusionChair, start: datetime, by: User, tz: ZoneInfo | None = None
) -> None:
    """Move a scheduled session (keeping the course's order, ``session_order_refusal``); when its time changes the
    patient gets one email with the updated calendar file, queued in the same transaction. The outbox key carries
    the new start, so a double-submitted move emails once. ``tz`` names times in a refusal (the clinic's zone)."""
    refusal = staff_move_refusal(session)
    if refusal:
        raise CourseError(refusal)
    old_start = session.start
    try:
        with transaction.atomic():
            _lock_infusion_room()
            # Under the lock, so two moves of neighbouring sessions cannot cross each other.
            aware = isinstance(start, datetime) and timezone.is_aware(start)
            order = session_order_refusal(session, start, tz) if aware else None
            if order:
                raise CourseError(order)
            end = _check_session_time(course=session.course, chair=chair, start=start, exclude_pk=session.pk)
            updated = InfusionSession.objects.filter(pk=session.pk, status=Status.SCHEDULED).update(
                chair=chair, start=start, end=end, calendar_sequence=F("calendar_sequence") + 1
            )
            if updated != 1:
                raise CourseError("The session changed meanwhile. Reload the page.")
            session.refresh_from_db()
            session._history_user = by  # the conditional update bypasses save(): record who moved it
            session.save(update_fields=["updated_at"])
            if session.start != old_start:
                notification_enqueue(
                    kind=KIND_SESSION_MOVED,
                    idempotency_key=f"session:{session.pk}:moved:{session.start.isoformat()}",
                    recipient=session.course.patient.user,
                    context={
                        "session_id": session.pk,
                        "start": session.start.isoformat(),
                        "old_start": old_start.isoformat(),
                    },
                )
    except IntegrityError:
        raise ChairUnavailable from None
    logger.info("Session %s moved", session.pk)


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
    chairs = list(active_chairs())
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
    """Book the (adjusted) plan in one go: all of it, or nothing. The patient gets one email listing the booked
    visits, with a calendar file for each, queued in the same transaction."""
    with transaction.atomic():
        sessions = [session_schedule(course=course, chair=chair, start=start, by=by) for start, chair in plan]
        upcoming = sorted((s for s in sessions if s.start > timezone.now()), key=lambda s: (s.start, s.pk))
        if upcoming:
            notification_enqueue(
                kind=KIND_SESSIONS_BOOKED,
                idempotency_key=f"session:{upcoming[0].pk}:booked",  # a session is booked once: the key is unique
                recipient=course.patient.user,
                context={"session_ids": [s.pk for s in upcoming]},
            )
    return sessions


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
    for chair in active_chairs():
        try:
            session_reschedule(session=session, chair=chair, start=start, by=by, tz=session.course.patient.tzinfo)
        except ChairUnavailable:
            continue
        return
    raise ChairUnavailable("No chair is free at that time. Please choose another time.")
