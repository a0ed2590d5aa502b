"""Writes for the patient's outcome measures during a course: the check-in questionnaires on their schedule
(``scheduling.outcome_schedule``), scored by ``intake.scoring``; the C-SSRS after PHQ-9 item 9, and intake's urgent
alert for a high risk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clinic.lib.time import clinic_tz
from intake import scoring
from intake import services as intake_services
from scheduling import outcome_schedule
from scheduling.exceptions import CourseError
from scheduling.models import (
    InfusionSession,
    OutcomeMeasure,
    Protocol,
)

logger = logging.getLogger(__name__)

Status = InfusionSession.Status


# ---- Outcome measures ----------------------------------------------------------------------------------------


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
    _ensure_taking_place(session)
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


def _ensure_taking_place(session: InfusionSession) -> None:
    if session.status in (Status.CANCELLED, Status.NO_SHOW, Status.ABORTED) or not session.course.is_open:
        raise CourseError("This visit is no longer taking place.")


CSSRS_RISK_RANK = {"none": 0, "low": 1, "moderate": 2, "high": 3}
PHQ9_ITEM_9 = 8  # its index in the stored answers


@transaction.atomic
def cssrs_record(*, session: InfusionSession, answers: dict[str, bool]) -> str:
    """The C-SSRS screener after PHQ-9 item 9: stored at once; a high risk alerts staff at once (intake's service).

    It answers a PHQ-9 of this visit whose item 9 was above 0, once each: a replayed or unprompted post is refused,
    so it neither fails on the one-per-visit constraint nor raises a second alert.
    """
    _ensure_taking_place(session)
    try:
        risk = scoring.score_cssrs(answers).risk
    except ValueError:
        raise CourseError("Please answer the questions.") from None
    phq9 = session.measures.filter(instrument=OutcomeMeasure.Instrument.PHQ9).values_list("answers", flat=True)
    prompted = sum(1 for items in phq9 if len(items) > PHQ9_ITEM_9 and items[PHQ9_ITEM_9] > 0)
    answered = session.measures.filter(instrument=OutcomeMeasure.Instrument.CSSRS).count()
    if answered >= prompted:
        raise CourseError("There are no safety questions to answer for this visit now.")
    try:
        with transaction.atomic():
            measure = OutcomeMeasure.objects.create(
                course=session.course,
                session=session,
                instrument=OutcomeMeasure.Instrument.CSSRS,
                when=f"c{answered}",
                total=CSSRS_RISK_RANK[risk],
                answers=answers,
                taken_at=timezone.now(),
            )
    except IntegrityError:  # the same answers posted twice at once: the first one counts
        raise CourseError("These questions were answered already.") from None
    if risk == "high":
        intake_services.urgent_alert_raise(
            patient=session.course.patient,
            code=f"course_cssrs_high:{measure.pk}",
            review_path=reverse("scheduling:staff-session-detail", args=[session.pk]),
        )
        logger.warning("Urgent alert raised from course measure %s", measure.pk)
    return risk
