"""The questionnaire's shape: its steps, when each applies, the answers as rows for people, and as facts for the rules.

No database here: the services load the answers and hand them in as ``{step: data}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from intake import forms, instruments

Answers = Mapping[str, Mapping[str, Any]]


def _always(answers: Answers, sex: str) -> bool:
    return True


def ptsd_applies(answers: Answers, sex: str) -> bool:
    return "ptsd" in answers.get("about", {}).get("reasons", [])


def item9_positive(answers: Answers) -> bool:
    return (answers.get("mood", {}).get("phq9_9") or 0) > 0


def safety_applies(answers: Answers, sex: str) -> bool:
    return item9_positive(answers)


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type[forms.StepForm]
    applies: Callable[[Answers, str], bool] = _always
    intro: str = ""


STEPS: tuple[Step, ...] = (
    Step("about", "About you", forms.AboutForm),
    Step(
        "blood_pressure",
        "Blood pressure",
        forms.BloodPressureForm,
        intro="If you have measured your blood pressure at home or at a pharmacy recently, enter up to three "
        "readings. This is optional; we also measure it in the clinic.",
    ),
    Step("history", "Heart, brain and other history", forms.HistoryForm),
    Step("mental_health", "Mental health history", forms.MentalHealthForm),
    Step("mood", "Mood", forms.MoodForm),
    # The C-SSRS comes straight after the mood step: nothing stands between PHQ-9 item 9 and the safety screen.
    Step("safety", "Your safety", forms.SafetyForm, safety_applies, intro=instruments.CSSRS_STEM),
    Step("ptsd", "Stress after a difficult experience", forms.PtsdForm, ptsd_applies, intro=instruments.PCL5_STEM),
    Step("substances", "Alcohol and drugs", forms.SubstancesForm),
    Step("medications", "Medicines", forms.MedicationsForm),
    Step("consent", "Consent", forms.ConsentForm),
)
BY_SLUG = {step.slug: step for step in STEPS}


def step_get(slug: str) -> Step | None:
    return BY_SLUG.get(slug)


def applicable_steps(answers: Answers, sex: str) -> list[Step]:
    return [step for step in STEPS if step.applies(answers, sex)]


def step_complete(step: Step, answers: Answers, sex: str) -> bool:
    """Whether the saved answers of a step still pass its form (a change elsewhere can add questions)."""
    if step.slug not in answers:
        return False
    data = answers[step.slug]
    form = step.form_class(data={k: _as_post(v) for k, v in data.items()}, sex=sex)
    return form.is_valid()


def first_incomplete(answers: Answers, sex: str) -> Step | None:
    return next((step for step in applicable_steps(answers, sex) if not step_complete(step, answers, sex)), None)


def _as_post(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


# ---- For people: every answer, in the words of the form -------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    name: str
    question: str
    answer: str


def answer_rows(step: Step, data: Mapping[str, Any], sex: str) -> list[AnswerRow]:
    form = step.form_class(sex=sex)
    rows = []
    for name, field in form.fields.items():
        if name not in data:
            continue
        rows.append(AnswerRow(name, str(field.label), _display(field, data[name])))
    return rows


def _display(field: Any, value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if value in choices:
        return str(choices[value])
    if str(value) in choices:
        return str(choices[str(value)])
    return str(value)


def bmi(answers: Answers) -> Decimal | None:
    about = answers.get("about", {})
    if not about.get("weight_kg") or not about.get("height_cm"):
        return None
    metres = Decimal(str(about["height_cm"])) / 100
    return (Decimal(str(about["weight_kg"])) / (metres * metres)).quantize(Decimal("0.1"))


# ---- For the rules: the facts of intake.rules' contract ----------------------------------------------------------

CONDITION_FIELDS = (
    "aneurysm_or_avm",
    "intracerebral_haemorrhage",
    "arrhythmia",
    "stroke",
    "seizures",
    "raised_intracranial_pressure",
    "glaucoma",
    "liver_disease",
    "bladder_problems",
    "interstitial_cystitis",
)
MEDICATIONS = ("benzodiazepine", "lamotrigine", "maoi", "stimulant", "opioid")


def home_readings(answers: Answers) -> list[tuple[int, int]]:
    bp = answers.get("blood_pressure", {})
    readings = []
    for n in (1, 2, 3):
        systolic, diastolic = bp.get(f"reading_{n}_systolic"), bp.get(f"reading_{n}_diastolic")
        if systolic is not None and diastolic is not None:
            readings.append((systolic, diastolic))
    return readings


def _items(data: Mapping[str, Any], prefix: str, count: int) -> list[Any] | None:
    values = [data.get(f"{prefix}_{n}") for n in range(1, count + 1)]
    return None if any(v is None for v in values) else values


def cssrs_answers(answers: Answers) -> dict[str, bool] | None:
    safety = answers.get("safety")
    if not safety:
        return None
    return {key: safety[key] for key, _, _ in instruments.CSSRS_ITEMS if key in safety}


def facts(
    answers: Answers, *, sex: str, clinic_readings: list[tuple[int, int]] = (), cssrs_risk: str | None = None
) -> dict[str, Any]:
    """The facts ``intake.rules.screening_flags`` takes. A missing key means not answered."""
    about, history = answers.get("about", {}), answers.get("history", {})
    mental, substances = answers.get("mental_health", {}), answers.get("substances", {})
    meds, mood = answers.get("medications", {}), answers.get("mood", {})
    result: dict[str, Any] = {"sex": sex}
    readings = [*home_readings(answers), *clinic_readings]
    if readings:
        result["bp_readings"] = readings
    conditions = {name for name in CONDITION_FIELDS if history.get(name) is True}
    if history.get("heart_disease") in ("controlled", "uncontrolled"):
        conditions.add(f"heart_disease_{history['heart_disease']}")
    conditions |= {name for name in ("pregnant", "breastfeeding") if about.get(name) is True}
    conditions |= {name for name in ("psychosis", "bipolar") if mental.get(name) is True}
    result["conditions"] = conditions
    medications = {name for name in MEDICATIONS if meds.get(f"med_{name}") is True}
    medications |= {
        name for name in ("benzodiazepine", "opioid", "stimulant") if substances.get(f"current_{name}") is True
    }
    result["medications"] = medications
    if "mood_stabiliser" in mental:
        result["mood_stabiliser"] = mental["mood_stabiliser"] is True
    if substances.get("dissociative_past_year") is True:
        result["dissociative_misuse_past_year"] = True
    for key, data, prefix, count in (
        ("phq9", mood, "phq9", 9),
        ("gad7", mood, "gad7", 7),
        ("audit_c", substances, "audit_c", 3),
        ("dast10", substances, "dast10", 10),
    ):
        values = _items(data, prefix, count)
        if values is not None:
            result[key] = values
    if cssrs_risk is not None:
        result["cssrs_risk"] = cssrs_risk
    return result
