"""Writes for the screening: save a step, submit, decide, ask for more, record a reading, acknowledge an alert.

Each evaluation turns the answers (and the in-clinic readings) into the facts of ``intake.rules``, calls it once, and
stores the flags and scores it gets back. An urgent flag queues the on-call alert in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from clinic.lib.roles import CLINICIAN
from clinic.models import Patient, User
from clinic.services.notifications import notification_enqueue
from education.selectors import required_reading_status
from intake import questionnaire, rules, scoring
from intake.exceptions import AlreadyDecided, NotEditable, NotReady
from intake.models import (
    BloodPressureReading,
    Decision,
    Flag,
    Score,
    Screening,
    ScreeningVersion,
    StepAnswer,
    UrgentAlert,
)
from intake.models.screening import SEVERITY_RANK
from intake.selectors import clinic_settings, version_answers

logger = logging.getLogger(__name__)

OPEN_STATUSES = (Screening.Status.IN_PROGRESS, Screening.Status.MORE_INFO)


@transaction.atomic
def screening_start(*, patient: Patient) -> Screening:
    """The patient's screening, opened with a first draft if they have none. Safe to call twice."""
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one start at a time per patient
    screening = Screening.objects.filter(patient=patient).order_by("-created_at", "-pk").first()
    if screening is None:
        screening = Screening.objects.create(patient=patient)
        ScreeningVersion.objects.create(screening=screening, number=1)
    return screening


@transaction.atomic
def step_save(*, version: ScreeningVersion, step: str, data: dict[str, Any]) -> list[rules.Flag]:
    """Store one step's valid answers in the draft and evaluate everything answered so far."""
    version = ScreeningVersion.objects.select_for_update().select_related("screening__patient").get(pk=version.pk)
    if not version.is_draft:
        raise NotEditable(NotEditable.MESSAGE)
    StepAnswer.objects.update_or_create(version=version, step=step, defaults={"data": data})
    return screening_evaluate(version=version)


@transaction.atomic
def screening_submit(*, version: ScreeningVersion, by: User) -> bool:
    """Submit the draft. Returns False when it was already submitted (a double click or a second tab)."""
    version = ScreeningVersion.objects.select_for_update().select_related("screening__patient").get(pk=version.pk)
    if not version.is_draft:
        return False
    screening = version.screening
    patient = screening.patient
    answers = version_answers(version)
    missing = questionnaire.first_incomplete(answers, patient.sex_at_birth)
    if missing is not None:
        raise NotReady(f"Please complete the step “{missing.title}” first.")
    if not all(item.done for item in required_reading_status(patient)):
        raise NotReady("Please finish your required reading (and read again any article that has changed) first.")
    now = timezone.now()
    updated = ScreeningVersion.objects.filter(pk=version.pk, status=ScreeningVersion.Status.DRAFT).update(
        status=ScreeningVersion.Status.SUBMITTED, submitted_at=now, submitted_by=by
    )
    if not updated:
        return False
    Screening.objects.filter(pk=screening.pk).update(status=Screening.Status.SUBMITTED, submitted_at=now)
    version.refresh_from_db()
    screening_evaluate(version=version)
    return True


@transaction.atomic
def screening_decide(*, screening: Screening, kind: str, note: str, by: User) -> Decision:
    """Record a clinician's decision on the submitted version and tell the patient there is news."""
    version = screening.versions.filter(status=ScreeningVersion.Status.SUBMITTED).order_by("-number").first()
    updated = Screening.objects.filter(Screening.awaiting_decision_q(), pk=screening.pk).update(
        status=kind, updated_at=timezone.now()
    )
    if not updated or version is None:
        raise AlreadyDecided(AlreadyDecided.MESSAGE)
    decision = Decision.objects.create(
        screening=screening, version=version, kind=kind, note=note.strip(), decided_by=by, decided_at=timezone.now()
    )
    if kind == Decision.Kind.MORE_INFO:
        _open_version(screening=screening, previous=version)
    notification_enqueue(
        kind="intake/news",
        idempotency_key=f"intake-news:{decision.pk}",
        recipient=screening.patient.user,
        context={"screening_id": screening.pk},
    )
    logger.info("Screening %s decided by user %s", screening.pk, by.pk)
    return decision


def _open_version(*, screening: Screening, previous: ScreeningVersion) -> ScreeningVersion:
    """A new draft, prefilled with the previous answers; the submitted version stays as it was."""
    draft = ScreeningVersion.objects.create(screening=screening, number=previous.number + 1)
    StepAnswer.objects.bulk_create(
        StepAnswer(version=draft, step=answer.step, data=answer.data)
        for answer in previous.answers.exclude(step="consent")  # consent is given again for what is submitted
    )
    # The carried answers raised their alerts on the version they were given in; only the patient's own saves (or a
    # new in-clinic reading) on this draft raise new ones.
    screening_evaluate(version=draft, raise_alerts=False)
    return draft


@transaction.atomic
def bp_reading_record(
    *, screening: Screening, systolic: int, diastolic: int, taken_at: datetime, by: User
) -> BloodPressureReading:
    scoring.validate_blood_pressure(systolic, diastolic)
    reading = BloodPressureReading.objects.create(
        screening=screening, systolic=systolic, diastolic=diastolic, taken_at=taken_at, taken_by=by
    )
    version = screening.versions.order_by("-number").first()
    if version is not None:
        screening_evaluate(version=version)
    return reading


def alert_acknowledge(*, alert: UrgentAlert, by: User) -> bool:
    """Returns False when someone else acknowledged it first."""
    return bool(
        UrgentAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now(), acknowledged_by=by
        )
    )


# ---- Evaluation --------------------------------------------------------------------------------------------------


def screening_evaluate(*, version: ScreeningVersion, raise_alerts: bool = True) -> list[rules.Flag]:
    """Score and flag the version from its answers and the clinic's readings; raise alerts for urgent flags.

    Called inside the caller's transaction, so an alert's email is queued with the change that caused it.
    """
    screening = version.screening
    sex = screening.patient.sex_at_birth
    answers = version_answers(version)
    readings = list(screening.bp_readings.values_list("systolic", "diastolic"))
    cssrs = questionnaire.cssrs_answers(answers)
    cssrs_risk = scoring.score_cssrs(cssrs).risk if cssrs else None
    settings_row = clinic_settings()
    flags = rules.screening_flags(
        questionnaire.facts(answers, sex=sex, clinic_readings=readings, cssrs_risk=cssrs_risk),
        settings_row.thresholds,
    )
    Flag.objects.filter(version=version).delete()
    Flag.objects.bulk_create(
        Flag(version=version, code=f.code, severity=f.severity, message=f.message, source=f.source) for f in flags
    )
    Score.objects.filter(version=version).delete()
    Score.objects.bulk_create(_scores(version, answers, sex, cssrs_risk))
    rank = max((SEVERITY_RANK[f.severity] for f in flags), default=0)
    if screening.versions.order_by("-number").values_list("pk", flat=True).first() == version.pk:
        Screening.objects.filter(pk=screening.pk).update(severity_rank=rank)
    for flag in flags:
        if raise_alerts and flag.severity == "urgent":
            _alert(version=version, code=flag.code, recipients=settings_row.recipients)
    return flags


def _scores(version: ScreeningVersion, answers: questionnaire.Answers, sex: str, cssrs_risk: str | None) -> list[Score]:
    found = []
    mood, substances, ptsd = answers.get("mood", {}), answers.get("substances", {}), answers.get("ptsd", {})
    for data, prefix, count, scorer in (
        (mood, "phq9", 9, scoring.score_phq9),
        (mood, "gad7", 7, scoring.score_gad7),
        (ptsd, "pcl5", 20, scoring.score_pcl5),
        (substances, "audit_c", 3, lambda items: scoring.score_audit_c(items, sex)),
        (substances, "dast10", 10, scoring.score_dast10),
    ):
        items = questionnaire._items(data, prefix, count)
        if items is not None:
            result = scorer(items)
            found.append(
                Score(
                    version=version, instrument=prefix, total=result.total, band=result.band, positive=result.positive
                )
            )
    if cssrs_risk is not None:
        found.append(
            Score(version=version, instrument="cssrs", band=cssrs_risk, positive=cssrs_risk in ("moderate", "high"))
        )
    return found


def _alert(*, version: ScreeningVersion, code: str, recipients: list[str], review_path: str = "") -> None:
    alert, created = UrgentAlert.objects.get_or_create(
        version=version, code=code, defaults={"screening": version.screening, "review_path": review_path}
    )
    if not created:
        return
    if not recipients:
        # Nobody on call is set in the clinic settings: the clinicians are told rather than nobody.
        clinicians = Group.objects.filter(name=CLINICIAN).first()
        recipients = [u.email for u in clinicians.user_set.filter(is_active=True)] if clinicians else []
    for email in recipients:
        notification_enqueue(
            kind="intake/urgent_alert",
            idempotency_key=f"intake-alert:{alert.pk}:{email.lower()}",
            to_email=email,
            context={"alert_id": alert.pk},
        )
    logger.warning("Urgent screening alert %s raised on screening %s", alert.pk, version.screening_id)


def urgent_alert_raise(*, patient: Patient, code: str, review_path: str = "") -> UrgentAlert | None:
    """Alert staff at once about a patient, from outside the screening (a course's check-in questionnaire).

    The alert hangs on the patient's latest submitted version, so staff see it in the same banner; ``code`` names what
    raised it (60 characters at most) and ``review_path`` the page where staff see it (the session with its answers).
    None when the patient has no submitted screening.
    """
    version = (
        ScreeningVersion.objects.filter(screening__patient=patient, status=ScreeningVersion.Status.SUBMITTED)
        .select_related("screening")
        .order_by("-screening__created_at", "-number")
        .first()
    )
    if version is None:
        return None
    _alert(version=version, code=code, recipients=clinic_settings().recipients, review_path=review_path)
    return UrgentAlert.objects.filter(version=version, code=code).first()
