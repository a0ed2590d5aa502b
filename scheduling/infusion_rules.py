"""The numbers a nurse acts on during an infusion, as pure functions: no database, no Django.

The public contract is in docs/architecture.md (the infusion rules). Blood pressure is
checked exactly as in ``intake.scoring``; every invalid input raises ``ValueError``. These are the clinic's
defaults, not medical advice: a hold needs a clinician's override with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Final

from intake.rule_catalogue import SPRAVATO_LABEL, Threshold
from intake.scoring import DIASTOLIC_RANGE, SYSTOLIC_RANGE, validate_blood_pressure

WEIGHT_RANGE_KG: Final = (Decimal(30), Decimal(300))  # inclusive
MAX_MG_PER_KG: Final = Decimal(2)  # a dose per kg must be above 0 and at most this
DOSE_STEP_MG: Final = Decimal("0.1")
HEART_RATE_RANGE: Final = (20, 250)  # plausible readings, inclusive
SPO2_RANGE: Final = (50, 100)

GATE_REASONS: Final = ("bp_systolic", "bp_diastolic", "heart_rate", "spo2")

# Score ranges of the instruments followed across a course; remission is defined for the PHQ-9 only.
OUTCOME_RANGES: Final = MappingProxyType({"phq9": (0, 27), "gad7": (0, 21), "pcl5": (0, 80)})
PHQ9_REMISSION_BELOW: Final = 5

_HOLD_SOURCE: Final = (
    "Clinic default, not taken from a guideline: the esketamine label gives 140/90 mmHg only as a general guide "
    "for considering a delay, and the ketamine (KETALAR) label contraindicates it where a significant rise in blood "
    "pressure would be a serious hazard. A hold needs a clinician's override with a reason."
)

INFUSION_HOLD_THRESHOLDS: Final = (
    Threshold(
        key="hold_systolic",
        default=160,
        label="Hold the infusion at or above this systolic pressure",
        unit="mmHg",
        source=_HOLD_SOURCE,
    ),
    Threshold(
        key="hold_diastolic",
        default=100,
        label="Hold the infusion at or above this diastolic pressure",
        unit="mmHg",
        source=_HOLD_SOURCE,
    ),
    Threshold(
        key="hold_heart_rate",
        default=110,
        label="Hold the infusion above this heart rate",
        unit="beats per minute",
        source=(
            "Clinic default, not taken from a guideline: ketamine raises heart rate (KETALAR label, haemodynamic "
            "changes), so a patient already fast at rest waits for a clinician."
        ),
    ),
    Threshold(
        key="hold_spo2",
        default=95,
        label="Hold the infusion below this oxygen saturation (SpO2)",
        unit="%",
        source=(
            f"Clinic default, not taken from a guideline: {SPRAVATO_LABEL} asks for respiratory monitoring, including "
            "pulse oximetry, at each session (boxed warning: respiratory depression)."
        ),
    ),
)
DEFAULT_HOLD_THRESHOLDS: Final[Mapping[str, int]] = MappingProxyType(
    {t.key: t.default for t in INFUSION_HOLD_THRESHOLDS}
)
_HOLD_RANGES: Final = {
    "hold_systolic": SYSTOLIC_RANGE,
    "hold_diastolic": DIASTOLIC_RANGE,
    "hold_heart_rate": HEART_RATE_RANGE,
    "hold_spo2": SPO2_RANGE,
}


@dataclass(frozen=True, slots=True)
class GateResult:
    """Whether to hold the infusion, and why (a subset of ``GATE_REASONS``)."""

    hold: bool
    reasons: frozenset[str]


@dataclass(frozen=True, slots=True)
class OutcomeResult:
    """The change from baseline, and whether it is a response (and, for the PHQ-9, a remission)."""

    change: int
    response: bool
    remission: bool


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _decimal(value: Any, name: str) -> Decimal:
    # Floats go through str() so 70.15 stays 70.15 rather than its binary neighbour.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{name} must be a number, got {value!r}.")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation as exc:  # pragma: no cover - str() of an int or float always parses
        raise ValueError(f"{name} must be a number, got {value!r}.") from exc
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    return number


def infusion_dose_mg(
    *, weight_kg: Decimal | int | float, mg_per_kg: Decimal | int | float, max_mg: Decimal | int | float
) -> Decimal:
    """Weight times dose per kg, rounded half up to 0.1 mg, and never above ``max_mg``."""
    weight = _decimal(weight_kg, "weight_kg")
    per_kg = _decimal(mg_per_kg, "mg_per_kg")
    cap = _decimal(max_mg, "max_mg")
    low, high = WEIGHT_RANGE_KG
    if not low <= weight <= high:
        raise ValueError(f"Weight must be from {low} to {high} kg, got {weight}.")
    if not 0 < per_kg <= MAX_MG_PER_KG:
        raise ValueError(f"The dose per kg must be above 0 and at most {MAX_MG_PER_KG} mg/kg, got {per_kg}.")
    if not cap > 0:
        raise ValueError(f"The maximum dose must be above 0 mg, got {cap}.")
    dose = (weight * per_kg).quantize(DOSE_STEP_MG, rounding=ROUND_HALF_UP)
    return min(dose, cap)


def resolve_hold_thresholds(thresholds: Mapping[str, Any] | None = None) -> dict[str, int]:
    """The defaults with the clinic's overrides; an unknown key or an implausible value raises ``ValueError``."""
    resolved = dict(DEFAULT_HOLD_THRESHOLDS)
    if thresholds is None:
        return resolved
    if not isinstance(thresholds, Mapping):
        raise ValueError(f"thresholds must be a mapping, not {type(thresholds).__name__}.")
    for key, value in thresholds.items():
        if key not in resolved:
            raise ValueError(f"Unknown hold threshold {key!r}; known: {', '.join(sorted(resolved))}.")
        low, high = _HOLD_RANGES[key]
        if not _is_int(value) or not low <= value <= high:
            raise ValueError(f"Threshold {key} must be a whole number from {low} to {high}, got {value!r}.")
        resolved[key] = value
    return resolved


def infusion_gate(
    *, systolic: int, diastolic: int, heart_rate: int, spo2: int, thresholds: Mapping[str, Any] | None = None
) -> GateResult:
    """Hold at systolic or diastolic at or above its limit, heart rate above its limit, or SpO2 below its limit."""
    validate_blood_pressure(systolic, diastolic)
    low, high = HEART_RATE_RANGE
    if not _is_int(heart_rate) or not low <= heart_rate <= high:
        raise ValueError(f"Heart rate must be a whole number from {low} to {high} per minute, got {heart_rate!r}.")
    low, high = SPO2_RANGE
    if not _is_int(spo2) or not low <= spo2 <= high:
        raise ValueError(f"SpO2 must be a whole number from {low} to {high} %, got {spo2!r}.")
    limits = resolve_hold_thresholds(thresholds)
    reasons = set()
    if systolic >= limits["hold_systolic"]:
        reasons.add("bp_systolic")
    if diastolic >= limits["hold_diastolic"]:
        reasons.add("bp_diastolic")
    if heart_rate > limits["hold_heart_rate"]:
        reasons.add("heart_rate")
    if spo2 < limits["hold_spo2"]:
        reasons.add("spo2")
    return GateResult(hold=bool(reasons), reasons=frozenset(reasons))


def outcome(*, baseline: int, current: int, instrument: str) -> OutcomeResult:
    """Change from baseline; a response is a fall of 50% or more from a baseline above 0; PHQ-9 remission is under 5."""
    if not isinstance(instrument, str) or instrument not in OUTCOME_RANGES:
        raise ValueError(f"instrument must be one of {', '.join(OUTCOME_RANGES)}, got {instrument!r}.")
    low, high = OUTCOME_RANGES[instrument]
    for name, score in (("baseline", baseline), ("current", current)):
        if not _is_int(score) or not low <= score <= high:
            raise ValueError(
                f"The {name} {instrument} score must be a whole number from {low} to {high}, got {score!r}."
            )
    # current <= baseline / 2, in integers so a half never rounds the wrong way.
    response = baseline > 0 and 2 * current <= baseline
    remission = instrument == "phq9" and current < PHQ9_REMISSION_BELOW
    return OutcomeResult(change=current - baseline, response=response, remission=remission)
