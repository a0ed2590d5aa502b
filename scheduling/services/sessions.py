"""Writes for documenting an infusion session: the status machine, vitals and the pre-infusion gate with its
override, the dose and its cap, vitals due, discharge; and the day-before reminder.

Each rule is one function that the views and templates ask (``session_refusal``, ``gate_state``,
``discharge_refusal``, ``vitals_due_at``). The numbers come from ``scheduling.infusion_rules``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clinic.lib.time import clinic_tz
from clinic.models import User
from clinic.selectors import notification_keys_taken
from clinic.services import notification_enqueue, notifications_cancel
from scheduling import infusion_rules
from scheduling.exceptions import CourseError, GateHold
from scheduling.models import (
    InfusionCourse,
    InfusionSession,
    InfusionSettings,
    VitalSignReading,
)

logger = logging.getLogger(__name__)

Status = InfusionSession.Status
RESPIRATORY_RANGE = (4, 60)  # plausible breaths per minute, inclusive

# The status machine: which status a session may move to from which.
TRANSITIONS: dict[str, set[str]] = {
    Status.SCHEDULED: {Status.CHECKED_IN, Status.NO_SHOW, Status.CANCELLED},
    Status.CHECKED_IN: {Status.IN_PROGRESS, Status.ABORTED, Status.CANCELLED},
    Status.IN_PROGRESS: {Status.COMPLETED, Status.ABORTED},
}


# ---- The session's status machine ----------------------------------------------------------------------------


def session_refusal(session: InfusionSession, to: str) -> str | None:
    """Why this session may not move to ``to`` now, or None. The one rule the screens and services ask."""
    if to not in TRANSITIONS.get(session.status, set()):
        return f"A session that is {session.get_status_display().lower()} cannot become {Status(to).label.lower()}."
    course = session.course
    if to in (Status.CHECKED_IN, Status.IN_PROGRESS) and course.status == InfusionCourse.Status.STOPPED:
        return "This course is stopped; its sessions cannot go ahead."
    day = session_day(session)
    if to == Status.CHECKED_IN and day != timezone.localdate(timezone=clinic_tz()):
        return f"Check-in opens on the day of the session: {day:%A} {day.day} {day:%B %Y}."
    if to == Status.NO_SHOW and timezone.now() < session.start:
        return "A session can be marked as a no-show once its start time has passed."
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


KIND_SESSIONS_CANCELLED = "scheduling/sessions_cancelled"


def session_cancel(*, session: InfusionSession, by: User) -> None:
    sessions_cancel(sessions=[session], by=by)
    session.refresh_from_db()


def sessions_cancel(*, sessions: Iterable[InfusionSession], by: User) -> int:
    """Cancel sessions through the status machine, in a fixed number of queries however many there are.

    Each must be allowed by ``session_refusal`` as it was loaded; the conditional updates check that none changed
    meanwhile (all or nothing). Each session gets a history row by ``by`` and a higher calendar SEQUENCE, its pending
    reminder is withdrawn, its chair is free again (a cancelled session holds none), and each patient gets one email
    listing their cancelled future visits, with a calendar file (METHOD:CANCEL) for each.
    """
    sessions = list(sessions)
    for session in sessions:
        refusal = session_refusal(session, Status.CANCELLED)
        if refusal:
            raise CourseError(f"Session {session.number}: {refusal}" if len(sessions) > 1 else refusal)
    if not sessions:
        return 0
    now = timezone.now()
    by_status: dict[str, list[int]] = {}
    for session in sessions:
        by_status.setdefault(session.status, []).append(session.pk)
    with transaction.atomic():
        updated = sum(
            InfusionSession.objects.filter(pk__in=pks, status=status).update(
                status=Status.CANCELLED, calendar_sequence=F("calendar_sequence") + 1, updated_at=now
            )
            for status, pks in by_status.items()
        )
        if updated != len(sessions):
            raise CourseError("A session changed meanwhile. Reload the page.")
        notifications_cancel(idempotency_keys=[session_reminder_key(s) for s in sessions])
        cancelled = list(
            InfusionSession.objects.filter(pk__in=[s.pk for s in sessions])
            .select_related("course__patient__user")
            .order_by("start", "pk")
        )
        InfusionSession.history.bulk_history_create(cancelled, update=True, default_user=by, default_date=now)
        upcoming: dict[int, list[InfusionSession]] = {}
        for session in cancelled:
            if session.start > now:
                upcoming.setdefault(session.course.patient.user_id, []).append(session)
        for patient_sessions in upcoming.values():
            ids = [s.pk for s in patient_sessions]
            notification_enqueue(
                kind=KIND_SESSIONS_CANCELLED,
                idempotency_key=f"session:{ids[0]}:cancelled",  # a session is cancelled once: the key is unique
                recipient=patient_sessions[0].course.patient.user,
                context={"session_ids": ids},
            )
    fresh = {s.pk: s for s in cancelled}
    for session in sessions:
        session.status = Status.CANCELLED
        session.calendar_sequence = fresh[session.pk].calendar_sequence
        session.updated_at = now
    logger.info("Sessions %s cancelled", ",".join(str(s.pk) for s in sessions))
    return len(sessions)


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


def kiosk_refusal(session: InfusionSession) -> str | None:
    """Why the tablet's kiosk mode may not be started for this session now, or None (the one rule the screen and
    the start ask): only for a booked or checked-in session of an open course, on the session's own day in the
    clinic's zone, so a patient never answers tomorrow's check-in questions today."""
    if session.status not in (Status.SCHEDULED, Status.CHECKED_IN) or not session.course.is_open:
        return "Kiosk mode is only for a session that is booked or checked in."
    day = session_day(session)
    if day != timezone.localdate(timezone=clinic_tz()):
        return f"Kiosk mode opens on the day of the session only: this one is on {day:%A} {day.day} {day:%B %Y}."
    return None


def session_day(session: InfusionSession) -> date:
    """The session's date in the clinic's zone: check-in and the kiosk are for that day only."""
    return session.start.astimezone(clinic_tz()).date()


# ---- Vitals and the pre-infusion gate ------------------------------------------------------------------------


def hold_thresholds() -> dict[str, int]:
    return InfusionSettings.load().thresholds


def current_phase(session: InfusionSession) -> str:
    """The only phase a reading taken now can have: before the start, during the infusion, or after it stopped (so a
    "post" reading entered at check-in can never stand in for the observation reading discharge needs)."""
    if session.status == Status.CHECKED_IN:
        return VitalSignReading.Phase.PRE
    return VitalSignReading.Phase.POST if session.stopped_at else VitalSignReading.Phase.INTRA


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
    if phase != current_phase(session):
        labels = dict(VitalSignReading.Phase.choices)
        raise CourseError(f'This session is now at "{labels[current_phase(session)]}"; record the reading as that.')
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
    """Discharge needs the checklist, and a latest post-infusion reading outside the hold range after the protocol's
    observation time, or a clinician's sign-off (which stands in for the reading and the wait, never the checklist)."""
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
    observation = timedelta(minutes=session.course.protocol.observation_minutes or 0)
    remaining = session.stopped_at + observation - timezone.now()
    if remaining > timedelta(0):
        minutes, total = math.ceil(remaining.total_seconds() / 60), int(observation.total_seconds() // 60)
        plural = "s" if minutes != 1 else ""
        wait = f"{minutes} more minute{plural}"
        return f"Observation lasts {total} minutes after the infusion: {wait}, or ask a clinician to sign off."
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


STEP_TARGETS = {
    "check-in": Status.CHECKED_IN,
    "start": Status.IN_PROGRESS,
    "discharge": Status.COMPLETED,
    "abort": Status.ABORTED,
    "no-show": Status.NO_SHOW,
}


KIND_SESSION_REMINDER = "scheduling/session_reminder"
SESSION_REMINDER_BEFORE = timedelta(hours=24)


def session_reminder_key(session: InfusionSession) -> str:
    """The reminder's outbox key carries the start, so a moved session gets a fresh reminder."""
    return f"session:{session.pk}:reminder:{session.start.isoformat()}"


def session_reminders_enqueue_due() -> int:
    """The periodic scan: one reminder a day before each scheduled session (ids only in the outbox's context).

    The key carries the start, so a moved session gets a fresh reminder and a second scan queues nothing twice.
    A session booked less than a day ahead gets none: it was booked with the patient.
    """
    now = timezone.now()
    candidates = InfusionSession.objects.filter(
        status=Status.SCHEDULED, start__gt=now, start__lte=now + SESSION_REMINDER_BEFORE
    ).select_related("course__patient__user")
    due = {session_reminder_key(s): s for s in candidates if s.created_at <= s.start - SESSION_REMINDER_BEFORE}
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
