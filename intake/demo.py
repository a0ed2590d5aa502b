"""The screening part of the demo clinic: one screening of each kind, each with its own demo patient.

The main demo patient keeps no screening, so that a visitor to the demo can fill one in. Safe to run again.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any, TextIO

from django.db import transaction

from clinic.demo import DEMO_PASSWORD
from clinic.lib.roles import CLINICIAN
from clinic.models import Patient, User
from education.selectors import required_reading_status
from intake import questionnaire, selectors, services
from intake.models import ClinicSettings

ONCALL = "oncall@riverside.example"


def _answers(**changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    answers: dict[str, dict[str, Any]] = {
        "about": {
            "weight_kg": "72",
            "height_cm": "168",
            "reasons": ["depression"],
            "pregnant": "no",
            "breastfeeding": "no",
        },
        "blood_pressure": {
            "hypertension": "no",
            "reading_1_date": "2026-01-10",
            "reading_1_systolic": "122",
            "reading_1_diastolic": "78",
        },
        "history": {name: "no" for name in questionnaire.CONDITION_FIELDS} | {"heart_disease": "none"},
        "mental_health": {"psychosis": "no", "bipolar": "no", "prior_ketamine": "no"},
        "mood": {**{f"phq9_{n}": "2" for n in range(1, 9)}, "phq9_9": "0", **{f"gad7_{n}": "1" for n in range(1, 8)}},
        "substances": {
            **{f"audit_c_{n}": "0" for n in range(1, 4)},
            **{f"dast10_{n}": "no" for n in range(1, 11)},
            "dast10_3": "yes",
            "dissociative_ever": "no",
            "current_benzodiazepine": "no",
            "current_opioid": "no",
            "current_stimulant": "no",
            "sud_treatment": "no",
        },
        "medications": {
            "medication_list": "sertraline 100 mg",
            **{f"med_{m}": "no" for m in questionnaire.MEDICATIONS},
        },
        "consent": {"consent_contact": "on", "consent_share": "on"},
    }
    for step, change in changes.items():
        answers[step] = answers.get(step, {}) | change
    return answers


KINDS = {
    "clean": ("Casey", "Morgan", _answers()),
    "review": (
        "Jordan",
        "Blake",
        _answers(
            blood_pressure={"reading_1_systolic": "148", "reading_1_diastolic": "92"},
            substances={"audit_c_1": "3", "audit_c_2": "1"},
        ),
    ),
    "urgent": (
        "Riley",
        "Quinn",
        _answers(
            mood={"phq9_9": "2"},
            safety={
                "wish_dead": "yes",
                "thoughts": "yes",
                "method": "yes",
                "intent": "yes",
                "plan": "no",
                "behaviour_lifetime": "no",
            },
        ),
    ),
    "excluded": ("Taylor", "Reed", _answers(history={"aneurysm_or_avm": "yes"})),
    # Approved too: scheduling's demo gives this patient an active infusion course (the clean one has none yet).
    "course": ("Sam", "Lee", _answers()),
}
APPROVED_KINDS = ("clean", "course")


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    # The demo's urgent screening raises its alert on purpose: say so once, instead of a warning in the log.
    services_log = logging.getLogger("intake.services")
    level = services_log.level
    services_log.setLevel(logging.ERROR)
    try:
        _seed(stdout)
    finally:
        services_log.setLevel(level)


def _seed(stdout: TextIO) -> None:
    settings_row = selectors.clinic_settings()
    if not settings_row.oncall_recipients:
        ClinicSettings.objects.filter(pk=settings_row.pk).update(oncall_recipients=ONCALL)
    clinician = User.objects.filter(groups__name=CLINICIAN).order_by("pk").first()
    for kind, (first, last, answers) in KINDS.items():
        patient = _patient(kind, first, last)
        if selectors.screening_for_patient(patient=patient) is not None:
            continue
        _read_required(patient)
        screening = services.screening_start(patient=patient)
        draft = selectors.draft_for_patient(patient=patient)
        for step in questionnaire.STEPS:
            if step.slug in answers and step.applies(selectors.version_answers(draft), patient.sex_at_birth):
                form = step.form_class(data=answers[step.slug], sex=patient.sex_at_birth)
                if not form.is_valid():
                    raise ValueError(f"demo answers for {kind}/{step.slug} are invalid: {form.errors.as_json()}")
                services.step_save(version=draft, step=step.slug, data=form.to_data())
        services.screening_submit(version=draft, by=patient.user)
        if kind in APPROVED_KINDS and clinician is not None:
            services.screening_decide(screening=screening, kind="approved", note="", by=clinician)
    stdout.write(
        f"Screenings: clean and approved (two), needing review, urgent (its alert is on the staff home page),"
        f" excluded ({len(KINDS)})."
    )


def _read_required(patient: Patient) -> None:
    # Only the demo writes to education: demo patients have done their reading, as a real one would have.
    from education.services import article_acknowledge

    for item in required_reading_status(patient):
        if not item.done:
            article_acknowledge(patient=patient, article=item.article)


def _patient(kind: str, first: str, last: str) -> Patient:
    user, created = User.objects.get_or_create(email=f"screening-{kind}@riverside.example")
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    patient, _ = Patient.objects.get_or_create(
        user=user,
        defaults={
            "legal_first_name": first,
            "legal_last_name": last,
            "date_of_birth": date(1980, 3, 3),
            "sex_at_birth": Patient.SexAtBirth.FEMALE,
            "phone": "+16175550170",
            "time_zone": "America/New_York",
        },
    )
    return patient
