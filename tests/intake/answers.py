"""Valid answers for every step, as a patient's browser would POST them, and helpers that fill a screening."""

from __future__ import annotations

from typing import Any

from intake import questionnaire, selectors, services
from intake.models import Screening

CSSRS_HIGH = {
    "wish_dead": "yes",
    "thoughts": "yes",
    "method": "yes",
    "intent": "yes",
    "plan": "no",
    "behaviour_lifetime": "no",
}


def clean_posts(sex: str = "female") -> dict[str, dict[str, Any]]:
    """A low-risk patient: no flags at all."""
    about: dict[str, Any] = {"weight_kg": "70", "height_cm": "170", "reasons": ["depression"]}
    if sex != "male":
        about |= {"pregnant": "no", "breastfeeding": "no"}
    history = {name: "no" for name in questionnaire.CONDITION_FIELDS} | {"heart_disease": "none"}
    return {
        "about": about,
        "blood_pressure": {
            "hypertension": "no",
            "reading_1_date": "2026-11-01",
            "reading_1_systolic": "118",
            "reading_1_diastolic": "76",
        },
        "history": history,
        "mental_health": {"psychosis": "no", "bipolar": "no", "prior_ketamine": "no"},
        "mood": {**{f"phq9_{n}": "1" for n in range(1, 9)}, "phq9_9": "0", **{f"gad7_{n}": "1" for n in range(1, 8)}},
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
        "medications": {"medication_list": "sertraline 50 mg", **{f"med_{m}": "no" for m in questionnaire.MEDICATIONS}},
        "consent": {"consent_contact": "on", "consent_share": "on"},
    }


def save_step(version, patient, step: str, post: dict[str, Any]) -> None:
    form = questionnaire.BY_SLUG[step].form_class(data=post, sex=patient.sex_at_birth)
    assert form.is_valid(), form.errors
    services.step_save(version=version, step=step, data=form.to_data())


def fill(patient, posts: dict[str, dict[str, Any]] | None = None) -> Screening:
    """Start a screening and save every step in ``posts`` (the clean answers by default)."""
    screening = services.screening_start(patient=patient)
    draft = selectors.draft_for_patient(patient=patient)
    for step, post in (clean_posts(patient.sex_at_birth) if posts is None else posts).items():
        save_step(draft, patient, step, post)
    screening.refresh_from_db()
    return screening


def submitted(patient, posts: dict[str, dict[str, Any]] | None = None) -> Screening:
    screening = fill(patient, posts)
    services.screening_submit(version=selectors.draft_for_patient(patient=patient), by=patient.user)
    screening.refresh_from_db()
    return screening
