"""Reads for the screening. A patient's reads go through the ``*_for_patient`` selectors, scoped to them (404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Case, CharField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from clinic.models import Patient, User
from intake import questionnaire, rules, scoring
from intake.models import (
    BloodPressureReading,
    ClinicSettings,
    Decision,
    Flag,
    Score,
    Screening,
    ScreeningVersion,
    StepAnswer,
    UrgentAlert,
)
from intake.models.screening import SEVERITY_RANK


def clinic_settings() -> ClinicSettings:
    """The one settings row, made from the rules' defaults the first time it is needed."""
    defaults: dict[str, Any] = {}
    for threshold in rules.SCREENING_THRESHOLDS:
        defaults[threshold.key] = threshold.default
        defaults[f"{threshold.key}_source"] = threshold.source
    row, _ = ClinicSettings.objects.get_or_create(pk=1, defaults=defaults)
    return row


# ---- The patient's own ---------------------------------------------------------------------------------------


def screening_for_patient(*, patient: Patient) -> Screening | None:
    """The patient's current screening (the latest), or None."""
    return Screening.objects.filter(patient=patient).order_by("-created_at", "-pk").first()


def version_for_patient(*, patient: Patient, pk: int) -> ScreeningVersion:
    return get_object_or_404(ScreeningVersion.objects.select_related("screening"), pk=pk, screening__patient=patient)


def draft_for_patient(*, patient: Patient) -> ScreeningVersion | None:
    return (
        ScreeningVersion.objects.filter(screening__patient=patient, status=ScreeningVersion.Status.DRAFT)
        .select_related("screening")
        .order_by("-screening__created_at", "-number")
        .first()
    )


def submitted_for_patient(*, patient: Patient) -> ScreeningVersion | None:
    return (
        ScreeningVersion.objects.filter(screening__patient=patient, status=ScreeningVersion.Status.SUBMITTED)
        .select_related("screening")
        .order_by("-screening__created_at", "-number")
        .first()
    )


def decision_latest_for_patient(*, patient: Patient) -> Decision | None:
    return Decision.objects.filter(screening__patient=patient).order_by("-decided_at", "-pk").first()


def version_answers(version: ScreeningVersion) -> dict[str, dict[str, Any]]:
    return dict(StepAnswer.objects.filter(version=version).values_list("step", "data"))


@dataclass(frozen=True)
class ScreeningState:
    """What other pages (the portal, the booked page, front desk) may show: no answers, no flags."""

    status: str  # missing, in_progress, more_info, submitted, approved, declined, referred
    label: str
    summary: str  # missing, submitted or decided: all that front desk sees
    screening_id: int | None

    @property
    def summary_label(self) -> str:
        """The words front desk sees: missing, submitted or decided, never which way it was decided."""
        return Screening.Summary(self.summary).label


STATE_LABELS = {"missing": "Not started", **dict(Screening.Status.choices)}


def screening_state(*, patient: Patient) -> ScreeningState:
    screening = screening_for_patient(patient=patient)
    if screening is None:
        return ScreeningState("missing", STATE_LABELS["missing"], Screening.Summary.MISSING, None)
    return ScreeningState(screening.status, STATE_LABELS[screening.status], screening.summary_status, screening.pk)


# ---- Staff ---------------------------------------------------------------------------------------------------


# How the queue shows a draft that raised an urgent alert (its status would say only "In progress").
DRAFT_ALERT_OPEN = "Draft — urgent alert open"
DRAFT_ALERT_ACKNOWLEDGED = "Draft — urgent alert acknowledged"


def urgent_exists() -> Exists:
    return Exists(UrgentAlert.objects.filter(screening=OuterRef("pk"), acknowledged_at__isnull=True))


def _draft_alert(*, open_only: bool) -> Exists:
    """An urgent alert raised on a draft: the patient's own saves (the C-SSRS step) or an in-clinic reading."""
    alerts = UrgentAlert.objects.filter(screening=OuterRef("pk"), version__status=ScreeningVersion.Status.DRAFT)
    return Exists(alerts.filter(acknowledged_at__isnull=True) if open_only else alerts)


def screening_queue(*, status: str = "", severity: str = "") -> QuerySet[Screening]:
    """Urgent first (an open alert, then an urgent flag), then the oldest submission; each row has ``queue_label``.

    The default (``status=""``) is what needs staff: screenings awaiting a decision, and drafts that raised an urgent
    alert, which stay (acknowledged or not) until the patient submits and a clinician decides.
    """
    screenings = Screening.objects.select_related("patient").annotate(
        open_alert=urgent_exists(),
        draft_alert=_draft_alert(open_only=False),
        queue_label=Case(
            When(_draft_alert(open_only=True), then=Value(DRAFT_ALERT_OPEN)),
            When(draft_alert=True, then=Value(DRAFT_ALERT_ACKNOWLEDGED)),
            *(When(status=value, then=Value(str(label))) for value, label in Screening.Status.choices),
            output_field=CharField(),
        ),
    )
    if status == "":
        screenings = screenings.filter(Screening.awaiting_decision_q() | Q(draft_alert=True))
    elif status != "all":
        screenings = screenings.filter(status=status)
    if severity:
        screenings = screenings.filter(severity_rank__gte=SEVERITY_RANK[severity])
    # Drafts have no submission time: after the submitted ones of their rank, on every database.
    submitted = F("submitted_at").asc(nulls_last=True)
    return screenings.order_by("-open_alert", "-severity_rank", submitted, "created_at", "pk")


def screening_for_staff(*, pk: int) -> Screening:
    screenings = Screening.objects.select_related("patient").prefetch_related(
        Prefetch("versions", queryset=ScreeningVersion.objects.prefetch_related("answers", "flags", "scores")),
        Prefetch("decisions", queryset=Decision.objects.select_related("decided_by", "version")),
        Prefetch("bp_readings", queryset=BloodPressureReading.objects.select_related("taken_by")),
        Prefetch("alerts", queryset=UrgentAlert.objects.select_related("acknowledged_by", "version")),
    )
    return get_object_or_404(screenings, pk=pk)


def alert_for_staff(*, pk: int) -> UrgentAlert:
    return get_object_or_404(UrgentAlert, pk=pk)


def alerts_open() -> list[UrgentAlert]:
    """Unacknowledged urgent alerts, for the staff home banner. They name no patient."""
    return list(
        UrgentAlert.objects.filter(acknowledged_at__isnull=True).select_related("version").order_by("created_at", "pk")
    )


def staff_version(screening: Screening, number: int | None) -> ScreeningVersion:
    versions = list(screening.versions.all())
    if not versions:
        raise Http404
    if number is None:
        submitted = [v for v in versions if not v.is_draft]
        return (submitted or versions)[-1]
    for version in versions:
        if version.number == number:
            return version
    raise Http404


class ReviewReading(NamedTuple):
    """A blood-pressure reading as the reviewer sees it: the clinic's own first, then the patient's home readings."""

    where: str  # "Clinic" or "Home"
    systolic: int
    diastolic: int
    taken_at: dt.datetime | None  # None for a home reading
    taken_by: User | None
    category: str  # scoring.classify_blood_pressure


@dataclass(frozen=True)
class ScreeningReview:
    """Everything a reviewer sees on a screening's detail page, at one version."""

    screening: Screening
    version: ScreeningVersion
    versions: list[ScreeningVersion]
    previous: ScreeningVersion | None  # the version before ``version``, whose answers it is compared with
    changes: list[tuple[str, str, str]]  # (question, before, after)
    sections: list[tuple[questionnaire.Step, list[questionnaire.AnswerRow]]]
    flags: list[Flag]
    scores: list[Score]
    bmi: Decimal | None
    readings: list[ReviewReading]
    decisions: list[Decision]
    open_alerts: list[UrgentAlert]  # not yet acknowledged: the page offers to acknowledge them
    acknowledged_alerts: list[UrgentAlert]


def screening_review(*, pk: int, version: int | None = None) -> ScreeningReview:
    """The screening's review at version number ``version`` (by default the latest submitted, else the draft); 404
    when either is missing. A fixed number of queries, however many versions, readings, decisions or alerts."""
    screening = screening_for_staff(pk=pk)
    current = staff_version(screening, version)
    sex = screening.patient.sex_at_birth
    versions = list(screening.versions.all())
    previous = next((v for v in reversed(versions) if v.number < current.number), None)
    answers = {answer.step: answer.data for answer in current.answers.all()}
    readings = [
        *(("Clinic", r.systolic, r.diastolic, r.taken_at, r.taken_by) for r in screening.bp_readings.all()),
        *(("Home", systolic, diastolic, None, None) for systolic, diastolic in questionnaire.home_readings(answers)),
    ]
    alerts = list(screening.alerts.all())
    return ScreeningReview(
        screening=screening,
        version=current,
        versions=versions,
        previous=previous,
        changes=answer_changes(previous, current, sex) if previous else [],
        sections=answers_by_step(current, sex),
        flags=list(current.flags.all()),
        scores=list(current.scores.all()),
        bmi=questionnaire.bmi(answers),
        readings=[ReviewReading(*r, category=scoring.classify_blood_pressure(r[1], r[2])) for r in readings],
        decisions=list(screening.decisions.all()),
        open_alerts=[alert for alert in alerts if alert.acknowledged_at is None],
        acknowledged_alerts=[alert for alert in alerts if alert.acknowledged_at is not None],
    )


def answers_by_step(
    version: ScreeningVersion, sex: str
) -> list[tuple[questionnaire.Step, list[questionnaire.AnswerRow]]]:
    answers = {answer.step: answer.data for answer in version.answers.all()}
    return [
        (step, questionnaire.answer_rows(step, answers[step.slug], sex))
        for step in questionnaire.STEPS
        if step.slug in answers
    ]


def answer_changes(previous: ScreeningVersion, current: ScreeningVersion, sex: str) -> list[tuple[str, str, str]]:
    """(question, before, after) for each answer that differs between two versions."""
    before = {row.question: row.answer for _, rows in answers_by_step(previous, sex) for row in rows}
    after = {row.question: row.answer for _, rows in answers_by_step(current, sex) for row in rows}
    return [
        (question, before.get(question, "—"), after.get(question, "—"))
        for question in [*after, *(q for q in before if q not in after)]
        if before.get(question) != after.get(question)
    ]


# ---- For infusion courses (scheduling reads these; intake never imports scheduling) -------------------------


@dataclass(frozen=True)
class CourseBaseline:
    """What a course needs from the patient's latest screening: is it approved, its scores, its exclusion flags."""

    approved: bool
    screening_id: int | None
    scores: dict[str, int]  # instrument -> total, from the latest submitted version
    exclusion_flags: list[tuple[str, str]]  # (code, message)


def course_baseline(*, patient: Patient) -> CourseBaseline | None:
    """None when the patient has no screening; else whether the latest is approved, with its baseline scores."""
    screening = screening_for_patient(patient=patient)
    if screening is None:
        return None
    version = (
        ScreeningVersion.objects.filter(screening=screening, status=ScreeningVersion.Status.SUBMITTED)
        .prefetch_related("scores", "flags")
        .order_by("-number")
        .first()
    )
    scores: dict[str, int] = {}
    exclusions: list[tuple[str, str]] = []
    if version is not None:
        scores = {s.instrument: s.total for s in version.scores.all() if s.total is not None}
        exclusions = [(f.code, f.message) for f in version.flags.all() if f.severity == "exclusion"]
    return CourseBaseline(
        approved=screening.status == Screening.Status.APPROVED,
        screening_id=screening.pk,
        scores=scores,
        exclusion_flags=exclusions,
    )


def approved_patient_ids() -> QuerySet:
    """Ids of patients whose latest screening is approved (a values queryset, for ``pk__in``)."""
    latest = Screening.objects.filter(patient=OuterRef("patient")).order_by("-created_at", "-pk").values("pk")[:1]
    return Screening.objects.filter(pk=Subquery(latest), status=Screening.Status.APPROVED).values("patient_id")
