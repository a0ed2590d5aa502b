"""The screening's safety rules, as one pure function over plain facts: no database, no Django.

The public contract is in docs/architecture.md (the safety rules). The screening's service turns a
screening (and any in-clinic reading) into facts, calls ``screening_flags`` once and stores what it returns.
This module decides when each rule fires; ``intake.rule_catalogue`` holds each rule's severity, plain message
for staff and source. These are screening aids, not medical advice: a clinician decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from intake.rule_catalogue import ACC_AHA_2017, RULES, SEVERITIES, SPRAVATO_LABEL, Flag, Rule, Threshold
from intake.scoring import (
    CSSRS_RISKS,
    DAST10_POSITIVE_FROM,
    DIASTOLIC_RANGE,
    SEXES,
    SYSTOLIC_RANGE,
    classify_blood_pressure,
    score_audit_c,
    score_dast10,
    score_gad7,
    score_phq9,
)

__all__ = [
    "CONDITIONS",
    "DEFAULT_THRESHOLDS",
    "FACT_KEYS",
    "MEDICATIONS",
    "RULES",
    "SCREENING_THRESHOLDS",
    "SEVERITIES",
    "Flag",
    "Rule",
    "Threshold",
    "resolve_thresholds",
    "screening_flags",
]


CONDITIONS: Final = frozenset(
    {
        "aneurysm_or_avm",
        "intracerebral_haemorrhage",
        "pregnant",
        "breastfeeding",
        "psychosis",
        "bipolar",
        "liver_disease",
        "interstitial_cystitis",
        "raised_intracranial_pressure",
        "glaucoma",
        "heart_disease_uncontrolled",
        "heart_disease_controlled",
        "arrhythmia",
        "stroke",
        "seizures",
        "bladder_problems",
    }
)
MEDICATIONS: Final = frozenset({"benzodiazepine", "lamotrigine", "maoi", "stimulant", "opioid"})
FACT_KEYS: Final = frozenset(
    {
        "bp_readings",
        "conditions",
        "medications",
        "mood_stabiliser",
        "dissociative_misuse_past_year",
        "phq9",
        "gad7",
        "audit_c",
        "dast10",
        "sex",
        "cssrs_risk",
    }
)

SCREENING_THRESHOLDS: Final = (
    Threshold(
        key="bp_review_systolic",
        default=140,
        label="Flag for review at or above this systolic pressure",
        unit="mmHg",
        source=(
            f"{SPRAVATO_LABEL}: assess blood pressure before dosing; if it is elevated (as a general guide above "
            f"140/90 mmHg), weigh the short-term rise against the benefit and consider delaying. 140 is also where "
            f"stage 2 hypertension starts in {ACC_AHA_2017}."
        ),
    ),
    Threshold(
        key="bp_review_diastolic",
        default=90,
        label="Flag for review at or above this diastolic pressure",
        unit="mmHg",
        source=(
            f"{SPRAVATO_LABEL}: assess blood pressure before dosing; if it is elevated (as a general guide above "
            f"140/90 mmHg), weigh the short-term rise against the benefit and consider delaying. 90 is also where "
            f"stage 2 hypertension starts in {ACC_AHA_2017}."
        ),
    ),
)
DEFAULT_THRESHOLDS: Final[Mapping[str, int]] = MappingProxyType({t.key: t.default for t in SCREENING_THRESHOLDS})
_THRESHOLD_RANGES: Final = {"bp_review_systolic": SYSTOLIC_RANGE, "bp_review_diastolic": DIASTOLIC_RANGE}


# Conditions whose rule has the condition's own code; "bipolar" fires only without a stabiliser.
_CONDITION_RULES: Final = CONDITIONS - {"bipolar"}
_MEDICATION_RULES: Final = {medication: f"medication_{medication}" for medication in MEDICATIONS}


def resolve_thresholds(thresholds: Mapping[str, Any] | None = None) -> dict[str, int]:
    """The defaults with the clinic's overrides; an unknown key or an implausible value raises ``ValueError``."""
    resolved = dict(DEFAULT_THRESHOLDS)
    if thresholds is None:
        return resolved
    if not isinstance(thresholds, Mapping):
        raise ValueError(f"thresholds must be a mapping, not {type(thresholds).__name__}.")
    for key, value in thresholds.items():
        if key not in resolved:
            raise ValueError(f"Unknown screening threshold {key!r}; known: {', '.join(sorted(resolved))}.")
        low, high = _THRESHOLD_RANGES[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"Threshold {key} must be a whole number from {low} to {high}, got {value!r}.")
        resolved[key] = value
    return resolved


def _codes(facts: Mapping[str, Any], key: str, known: frozenset[str]) -> frozenset[str]:
    value = facts.get(key)
    if value is None:
        return frozenset()
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, set | frozenset | list | tuple):
        raise ValueError(f"{key} must be a set of codes, not {type(value).__name__}.")
    codes = frozenset(value)
    unknown = {code for code in codes if not isinstance(code, str) or code not in known}
    if unknown:
        raise ValueError(f"Unknown {key}: {', '.join(sorted(map(repr, unknown)))}.")
    return codes


def _yes(facts: Mapping[str, Any], key: str) -> bool:
    value = facts.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValueError(f"{key} must be yes (True) or no (False), got {value!r}.")
    return value


def _bp_readings(facts: Mapping[str, Any]) -> list[tuple[int, int]]:
    readings = facts.get("bp_readings")
    if readings is None:
        return []
    if isinstance(readings, str | bytes | Mapping) or not isinstance(readings, Sequence):
        raise ValueError(f"bp_readings must be a list of (systolic, diastolic), not {type(readings).__name__}.")
    pairs = []
    for reading in readings:
        if isinstance(reading, str | bytes) or not isinstance(reading, Sequence) or len(reading) != 2:
            raise ValueError(f"Each blood-pressure reading must be a (systolic, diastolic) pair, got {reading!r}.")
        pairs.append((reading[0], reading[1]))
    return pairs


def _bp_codes(readings: Sequence[tuple[int, int]], limits: Mapping[str, int]) -> set[str]:
    categories = [classify_blood_pressure(systolic, diastolic) for systolic, diastolic in readings]  # validates
    if "crisis" in categories:
        return {"bp_crisis"}
    high = any(
        systolic >= limits["bp_review_systolic"] or diastolic >= limits["bp_review_diastolic"]
        for systolic, diastolic in readings
    )
    return {"bp_high"} if high else set()


def _substance_codes(facts: Mapping[str, Any]) -> set[str]:
    codes: set[str] = set()
    if facts.get("dast10") is not None and score_dast10(facts["dast10"]).total >= DAST10_POSITIVE_FROM:
        codes.add("dast10_positive")
    if facts.get("audit_c") is not None:
        sex = facts.get("sex")
        if sex is None:
            sex = "unknown"  # the contract's "unknown" takes the lower, safer cut-off
        if score_audit_c(facts["audit_c"], sex).positive:
            codes.add("audit_c_positive")
    elif facts.get("sex") is not None and facts["sex"] not in SEXES:
        raise ValueError(f"sex must be one of {', '.join(SEXES)}, got {facts['sex']!r}.")
    if _yes(facts, "dissociative_misuse_past_year"):
        codes.add("dissociative_misuse")
    return codes


def _mood_codes(facts: Mapping[str, Any]) -> set[str]:
    codes: set[str] = set()
    if facts.get("phq9") is not None and "suicidal_ideation" in score_phq9(facts["phq9"]).flags:
        codes.add("suicidal_ideation")
    if facts.get("gad7") is not None:
        score_gad7(facts["gad7"])  # no rule of its own, but bad answers must not pass silently
    risk = facts.get("cssrs_risk")
    if risk is not None:
        if not isinstance(risk, str) or risk not in CSSRS_RISKS:
            raise ValueError(f"cssrs_risk must be one of {', '.join(CSSRS_RISKS)}, got {risk!r}.")
        if risk == "moderate":
            codes.add("cssrs_moderate")
        elif risk == "high":
            codes.add("cssrs_high")
    return codes


def screening_flags(facts: Mapping[str, Any], thresholds: Mapping[str, Any] | None = None) -> list[Flag]:
    """Every flag the facts raise, most severe first, each code at most once. No facts give no flags.

    Every fact key is optional; a missing key (or None) means not answered, or no. Unknown keys, unknown codes,
    implausible readings and out-of-range answers raise ``ValueError``.
    """
    if not isinstance(facts, Mapping):
        raise ValueError(f"facts must be a mapping, not {type(facts).__name__}.")
    unknown = set(facts) - FACT_KEYS
    if unknown:
        raise ValueError(f"Unknown screening facts: {', '.join(sorted(map(str, unknown)))}.")
    limits = resolve_thresholds(thresholds)
    conditions = _codes(facts, "conditions", CONDITIONS)
    medications = _codes(facts, "medications", MEDICATIONS)

    codes = _bp_codes(_bp_readings(facts), limits)
    codes |= conditions & _CONDITION_RULES
    codes |= {_MEDICATION_RULES[medication] for medication in medications}
    stabiliser = _yes(facts, "mood_stabiliser")
    if "bipolar" in conditions and not stabiliser:
        codes.add("bipolar_without_stabiliser")
    codes |= _substance_codes(facts)
    codes |= _mood_codes(facts)

    order = list(RULES)
    return sorted(
        (RULES[code].flag() for code in codes),
        key=lambda flag: (-SEVERITIES.index(flag.severity), order.index(flag.code)),
    )
