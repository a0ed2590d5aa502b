"""Pure scoring of the screening instruments: no database, no Django.

The public contract is in docs/architecture.md; intake, scheduling and checks
outside the app call these functions by name, so their names, arguments and results stay stable. Every
invalid input raises ``ValueError`` (never ``TypeError``), so a caller needs to catch one exception only.
Sources and licences of the instruments: docs/instruments.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

# Shown under the DAST-10 on the form: the instrument is free only for non-commercial clinical use, with credit.
DAST10_CREDIT: Final = (
    "DAST-10 © 1982 Harvey A. Skinner, PhD, and the Centre for Addiction and Mental Health (CAMH), "
    "Toronto, Canada. Reproduced for non-commercial clinical use with credit to the author, Dr. Harvey A. Skinner."
)

# --- Blood pressure: 2017 ACC/AHA categories ----------------------------------------------------------------

BP_CATEGORIES: Final = ("normal", "elevated", "stage_1", "stage_2", "crisis")  # lowest to highest
SYSTOLIC_RANGE: Final = (50, 300)  # plausible readings, inclusive
DIASTOLIC_RANGE: Final = (20, 200)
# Crisis is *above* these (the guideline's ">180 and/or >120"); stage 2 starts *at* 140 or 90.
BP_CRISIS_ABOVE: Final = (180, 120)
BP_STAGE_2_FROM: Final = (140, 90)
BP_STAGE_1_FROM: Final = (130, 80)
BP_ELEVATED_FROM_SYSTOLIC: Final = 120

# --- Instruments -------------------------------------------------------------------------------------------

SEXES: Final = ("female", "male", "unknown")

# (lowest total of the band, band), highest first.
# The instruments' published names, for people (the stored codes are the scoring functions' names).
INSTRUMENT_NAMES: Final = {
    "phq9": "PHQ-9",
    "gad7": "GAD-7",
    "pcl5": "PCL-5",
    "cssrs": "C-SSRS",
    "audit_c": "AUDIT-C",
    "dast10": "DAST-10",
}
PHQ9_BANDS: Final = ((20, "severe"), (15, "moderately_severe"), (10, "moderate"), (5, "mild"), (0, "minimal"))
GAD7_BANDS: Final = ((15, "severe"), (10, "moderate"), (5, "mild"), (0, "minimal"))
DAST10_BANDS: Final = ((9, "severe"), (6, "substantial"), (3, "moderate"), (1, "low"), (0, "none"))

PHQ9_POSITIVE_FROM: Final = 10
GAD7_POSITIVE_FROM: Final = 10
DAST10_POSITIVE_FROM: Final = 3
PCL5_POSITIVE_FROM: Final = 33
AUDIT_C_POSITIVE_FROM: Final = {"male": 4, "female": 3, "unknown": 3}  # unknown takes the lower, female cut-off

# DAST-10 item 3 ("Are you always able to stop using drugs when you want to?") scores a point for "no".
DAST10_REVERSED_ITEM: Final = 3

CSSRS_RISKS: Final = ("none", "low", "moderate", "high")  # lowest to highest
CSSRS_REQUIRED: Final = ("wish_dead", "thoughts")
# The screener's branching may skip these; a skipped (absent or None) answer counts as "no".
CSSRS_OPTIONAL: Final = ("method", "intent", "plan", "behaviour_lifetime", "behaviour_past_3_months")


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """One instrument's score. ``items`` are the scored item values (DAST-10 item 3 already reversed)."""

    instrument: str
    total: int
    band: str
    positive: bool
    flags: frozenset[str]
    items: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CssrsResult:
    """The C-SSRS screener's triage: ``risk`` is one of ``CSSRS_RISKS``."""

    risk: str


def _is_int(value: Any) -> bool:
    # bool is an int subclass; True must not pass for an answer of 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_answers(answers: Any, *, name: str, count: int) -> Sequence[Any]:
    if isinstance(answers, str | bytes | bytearray | Mapping) or not isinstance(answers, Sequence):
        raise ValueError(f"{name} needs a list of {count} answers, not {type(answers).__name__}.")
    if len(answers) != count:
        raise ValueError(f"{name} needs {count} answers, got {len(answers)}.")
    return answers


def _int_answers(answers: Any, *, name: str, count: int, high: int) -> tuple[int, ...]:
    checked = _check_answers(answers, name=name, count=count)
    for number, value in enumerate(checked, start=1):
        if not _is_int(value) or not 0 <= value <= high:
            raise ValueError(f"{name} item {number} must be a whole number from 0 to {high}, got {value!r}.")
    return tuple(checked)


def _band(total: int, bands: Sequence[tuple[int, str]]) -> str:
    return next(band for lowest, band in bands if total >= lowest)


def validate_blood_pressure(systolic: Any, diastolic: Any) -> None:
    """Raise ``ValueError`` unless the reading is a plausible one (whole mmHg, in range, diastolic below systolic)."""
    if not _is_int(systolic) or not _is_int(diastolic):
        raise ValueError("Blood pressure readings must be whole numbers of mmHg.")
    low, high = SYSTOLIC_RANGE
    if not low <= systolic <= high:
        raise ValueError(f"Systolic pressure must be from {low} to {high} mmHg, got {systolic}.")
    low, high = DIASTOLIC_RANGE
    if not low <= diastolic <= high:
        raise ValueError(f"Diastolic pressure must be from {low} to {high} mmHg, got {diastolic}.")
    if diastolic >= systolic:
        raise ValueError(f"Diastolic pressure ({diastolic}) must be below systolic ({systolic}).")


def classify_blood_pressure(systolic: int, diastolic: int) -> str:
    """The 2017 ACC/AHA category of one reading; when the two numbers disagree, the higher category wins."""
    validate_blood_pressure(systolic, diastolic)
    if systolic > BP_CRISIS_ABOVE[0] or diastolic > BP_CRISIS_ABOVE[1]:
        return "crisis"
    if systolic >= BP_STAGE_2_FROM[0] or diastolic >= BP_STAGE_2_FROM[1]:
        return "stage_2"
    if systolic >= BP_STAGE_1_FROM[0] or diastolic >= BP_STAGE_1_FROM[1]:
        return "stage_1"
    if systolic >= BP_ELEVATED_FROM_SYSTOLIC:
        return "elevated"
    return "normal"


def score_phq9(answers: Sequence[int]) -> ScoreResult:
    """PHQ-9: 9 answers from 0 to 3. Any answer above 0 on item 9 adds the ``suicidal_ideation`` flag."""
    items = _int_answers(answers, name="PHQ-9", count=9, high=3)
    total = sum(items)
    flags = frozenset({"suicidal_ideation"}) if items[8] > 0 else frozenset()
    return ScoreResult("phq9", total, _band(total, PHQ9_BANDS), total >= PHQ9_POSITIVE_FROM, flags, items)


def score_gad7(answers: Sequence[int]) -> ScoreResult:
    """GAD-7: 7 answers from 0 to 3."""
    items = _int_answers(answers, name="GAD-7", count=7, high=3)
    total = sum(items)
    return ScoreResult("gad7", total, _band(total, GAD7_BANDS), total >= GAD7_POSITIVE_FROM, frozenset(), items)


def score_audit_c(answers: Sequence[int], sex: str) -> ScoreResult:
    """AUDIT-C: 3 answers from 0 to 4; positive at 4 or more for men, 3 or more for women or an unknown sex."""
    items = _int_answers(answers, name="AUDIT-C", count=3, high=4)
    if not isinstance(sex, str) or sex not in SEXES:
        raise ValueError(f"AUDIT-C sex must be one of {', '.join(SEXES)}, got {sex!r}.")
    total = sum(items)
    positive = total >= AUDIT_C_POSITIVE_FROM[sex]
    return ScoreResult("audit_c", total, "positive" if positive else "negative", positive, frozenset(), items)


def score_dast10(answers: Sequence[bool]) -> ScoreResult:
    """DAST-10: the patient's literal yes (True) or no (False) to items 1-10; item 3 is reverse-scored here."""
    checked = _check_answers(answers, name="DAST-10", count=10)
    for number, value in enumerate(checked, start=1):
        if not isinstance(value, bool):
            raise ValueError(f"DAST-10 item {number} must be yes (True) or no (False), got {value!r}.")
    items = tuple(
        int(not value) if number == DAST10_REVERSED_ITEM else int(value)
        for number, value in enumerate(checked, start=1)
    )
    total = sum(items)
    return ScoreResult("dast10", total, _band(total, DAST10_BANDS), total >= DAST10_POSITIVE_FROM, frozenset(), items)


def score_pcl5(answers: Sequence[int]) -> ScoreResult:
    """PCL-5: 20 answers from 0 to 4; 33 or more is probable PTSD."""
    items = _int_answers(answers, name="PCL-5", count=20, high=4)
    total = sum(items)
    positive = total >= PCL5_POSITIVE_FROM
    return ScoreResult("pcl5", total, "probable_ptsd" if positive else "below_threshold", positive, frozenset(), items)


def score_cssrs(answers: Mapping[str, bool | None]) -> CssrsResult:
    """The C-SSRS screener's triage from its yes/no answers.

    ``wish_dead`` and ``thoughts`` are always asked, so they are required. The other five may be absent (or
    None) when the branching skipped them; a skipped question counts as "no". A "yes" is never discarded, even
    where the branching would not have asked the question: a risk answer must not be lost to an inconsistency.
    """
    if not isinstance(answers, Mapping):
        raise ValueError(f"C-SSRS answers must be a mapping of question to yes/no, not {type(answers).__name__}.")
    unknown = set(answers) - set(CSSRS_REQUIRED) - set(CSSRS_OPTIONAL)
    if unknown:
        raise ValueError(f"Unknown C-SSRS questions: {', '.join(sorted(map(str, unknown)))}.")
    yes: set[str] = set()
    for key in (*CSSRS_REQUIRED, *CSSRS_OPTIONAL):
        value = answers.get(key)
        if value is None and key in CSSRS_OPTIONAL:
            continue
        if not isinstance(value, bool):
            raise ValueError(f"C-SSRS {key} must be yes (True) or no (False), got {value!r}.")
        if value:
            yes.add(key)
    if yes & {"intent", "plan", "behaviour_past_3_months"}:
        return CssrsResult("high")
    if yes & {"method", "behaviour_lifetime"}:
        return CssrsResult("moderate")
    if yes & {"wish_dead", "thoughts"}:
        return CssrsResult("low")
    return CssrsResult("none")
