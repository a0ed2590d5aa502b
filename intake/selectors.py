"""Reads for the screening. A patient's reads go through the ``*_for_patient`` selectors, scoped to them (404)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from clinic.models import Patient
from intake import questionnaire, rules
from intake.models import (
    BloodPressureReading,
    ClinicSettings,
    Decision,
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


STATE_LABELS = {"missing": "Not started", **dict(Screening.Status.choices)}


def screening_state(*, patient: Patient) -> ScreeningState:
    screening = screening_for_patient(patient=patient)
    if screening is None:
        return ScreeningState("missing", STATE_LABELS["missing"], "missing", None)
    return ScreeningState(screening.status, STATE_LABELS[screening.status], screening.summary_status, screening.pk)


# ---- Staff ---------------------------------------------------------------------------------------------------


def urgent_exists() -> Exists:
    return Exists(UrgentAlert.objects.filter(screening=OuterRef("pk"), acknowledged_at__isnull=True))


def screening_queue(*, status: str = "", severity: str = "") -> QuerySet[Screening]:
    """Urgent first (an open alert, then an urgent flag), then the oldest submission."""
    screenings = Screening.objects.select_related("patient").annotate(open_alert=urgent_exists())
    if status == "":
        screenings = screenings.filter(status=Screening.Status.SUBMITTED)
    elif status != "all":
        screenings = screenings.filter(status=status)
    if severity:
        screenings = screenings.filter(severity_rank__gte=SEVERITY_RANK[severity])
    return screenings.order_by("-open_alert", "-severity_rank", "submitted_at", "created_at", "pk")


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
