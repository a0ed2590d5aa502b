"""The safety-rules contract (docs/architecture.md, intake/rules.py): every rule at its threshold and one past it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.rules import (
    CONDITIONS,
    DEFAULT_THRESHOLDS,
    MEDICATIONS,
    RULES,
    SCREENING_THRESHOLDS,
    SEVERITIES,
    Flag,
    screening_flags,
)


def codes(facts: dict[str, Any], thresholds: dict[str, Any] | None = None) -> set[str]:
    return {flag.code for flag in screening_flags(facts, thresholds)}


def severity(code: str) -> str:
    return RULES[code].severity


# --- The whole set ----------------------------------------------------------------------------------------


def test_no_facts_give_no_flags() -> None:
    assert screening_flags({}) == []


def test_all_clear_answers_give_no_flags() -> None:
    facts = {
        "bp_readings": [(118, 76), (139, 89)],
        "conditions": set(),
        "medications": set(),
        "mood_stabiliser": False,
        "dissociative_misuse_past_year": False,
        "phq9": [3] * 8 + [0],
        "gad7": [3] * 7,
        "audit_c": [1, 1, 0],
        "dast10": [True, True, True] + [False] * 7,
        "sex": "female",
        "cssrs_risk": "none",
    }
    assert screening_flags(facts) == []


def test_none_means_not_answered() -> None:
    facts = dict.fromkeys(
        [
            "bp_readings",
            "conditions",
            "medications",
            "mood_stabiliser",
            "phq9",
            "audit_c",
            "dast10",
            "sex",
            "cssrs_risk",
        ]
    )
    assert screening_flags(facts) == []


def test_every_rule_has_a_known_severity_a_plain_message_and_a_source() -> None:
    for code, rule in RULES.items():
        assert rule.code == code
        assert rule.severity in SEVERITIES
        assert len(rule.message) > 20
        assert rule.message[0].isupper()
        assert "_" not in rule.message, "messages are plain words for staff, not codes"
        assert len(rule.source) > 20


def test_the_contract_codes_and_severities() -> None:
    expected = {
        "bp_high": "review",
        "bp_crisis": "urgent",
        "aneurysm_or_avm": "exclusion",
        "intracerebral_haemorrhage": "exclusion",
        "pregnant": "exclusion",
        "breastfeeding": "review",
        "psychosis": "review",
        "liver_disease": "review",
        "interstitial_cystitis": "review",
        "raised_intracranial_pressure": "review",
        "glaucoma": "review",
        "heart_disease_uncontrolled": "review",
        "heart_disease_controlled": "info",
        "arrhythmia": "info",
        "stroke": "info",
        "seizures": "info",
        "bladder_problems": "info",
        "medication_maoi": "review",
        "medication_stimulant": "review",
        "medication_benzodiazepine": "info",
        "medication_lamotrigine": "info",
        "medication_opioid": "info",
        "bipolar_without_stabiliser": "review",
        "dast10_positive": "review",
        "audit_c_positive": "review",
        "dissociative_misuse": "review",
        "suicidal_ideation": "review",
        "cssrs_moderate": "review",
        "cssrs_high": "urgent",
    }
    assert {code: rule.severity for code, rule in RULES.items()} == expected


def test_flags_come_most_severe_first() -> None:
    flags = screening_flags(
        {"conditions": {"stroke", "pregnant", "psychosis"}, "cssrs_risk": "high", "medications": {"opioid"}}
    )
    assert [flag.severity for flag in flags] == ["urgent", "exclusion", "review", "info", "info"]
    assert all(isinstance(flag, Flag) for flag in flags)


# --- Blood pressure ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("readings", "expected"),
    [
        ([(139, 89)], set()),
        ([(140, 89)], {"bp_high"}),
        ([(139, 90)], {"bp_high"}),
        ([(141, 70)], {"bp_high"}),
        ([(120, 91)], {"bp_high"}),
        ([(118, 70), (140, 80)], {"bp_high"}),  # any reading counts
        ([(180, 120)], {"bp_high"}),
        ([(181, 90)], {"bp_crisis"}),
        ([(170, 121)], {"bp_crisis"}),
        ([(150, 95), (181, 100)], {"bp_crisis"}),  # crisis replaces high
        ([], set()),
    ],
)
def test_blood_pressure_rules(readings: list[tuple[int, int]], expected: set[str]) -> None:
    assert codes({"bp_readings": readings}) == expected


def test_blood_pressure_severities() -> None:
    assert severity("bp_high") == "review"
    assert severity("bp_crisis") == "urgent"


@pytest.mark.parametrize(
    ("thresholds", "reading", "expected"),
    [
        ({"bp_review_systolic": 150}, (149, 85), set()),
        ({"bp_review_systolic": 150}, (150, 85), {"bp_high"}),
        ({"bp_review_systolic": 150}, (145, 90), {"bp_high"}),  # the diastolic default still applies
        ({"bp_review_diastolic": 95}, (130, 94), set()),
        ({"bp_review_diastolic": 95}, (130, 95), {"bp_high"}),
        ({"bp_review_systolic": 130, "bp_review_diastolic": 80}, (130, 70), {"bp_high"}),
        ({"bp_review_systolic": 130, "bp_review_diastolic": 80}, (129, 79), set()),
    ],
)
def test_thresholds_override_the_defaults_by_key(
    thresholds: dict[str, int], reading: tuple[int, int], expected: set[str]
) -> None:
    assert codes({"bp_readings": [reading]}, thresholds) == expected


def test_default_thresholds_and_their_sources() -> None:
    assert dict(DEFAULT_THRESHOLDS) == {"bp_review_systolic": 140, "bp_review_diastolic": 90}
    assert [threshold.key for threshold in SCREENING_THRESHOLDS] == ["bp_review_systolic", "bp_review_diastolic"]
    for threshold in SCREENING_THRESHOLDS:
        assert "SPRAVATO" in threshold.source
        assert "ACC/AHA" in threshold.source
        assert threshold.unit == "mmHg"
        assert threshold.label
    with pytest.raises(TypeError):
        DEFAULT_THRESHOLDS["bp_review_systolic"] = 100  # type: ignore[index]


@pytest.mark.parametrize(
    "thresholds",
    [
        {"bp_review_sys": 140},
        {"hold_systolic": 160},
        {"bp_review_systolic": "140"},
        {"bp_review_systolic": True},
        {"bp_review_systolic": 140.0},
        {"bp_review_systolic": None},
        {"bp_review_systolic": 49},
        {"bp_review_diastolic": 201},
        [("bp_review_systolic", 140)],
    ],
)
def test_bad_thresholds_raise(thresholds: Any) -> None:
    with pytest.raises(ValueError):
        screening_flags({}, thresholds)


@pytest.mark.parametrize(
    "readings",
    [
        [(301, 90)],
        [(120, 19)],
        [(90, 90)],
        [(120, 80), (49, 30)],
        [(True, 80)],
        [("120", 80)],
        [(120, 80, 70)],
        [120, 80],
        (120, 80),
        "120/80",
        {"systolic": 120, "diastolic": 80},
    ],
)
def test_implausible_readings_raise(readings: Any) -> None:
    with pytest.raises(ValueError):
        screening_flags({"bp_readings": readings})


# --- Conditions and medications ---------------------------------------------------------------------------

CONDITION_EXPECTED = {
    "aneurysm_or_avm": "exclusion",
    "intracerebral_haemorrhage": "exclusion",
    "pregnant": "exclusion",
    "breastfeeding": "review",
    "psychosis": "review",
    "liver_disease": "review",
    "interstitial_cystitis": "review",
    "raised_intracranial_pressure": "review",
    "glaucoma": "review",
    "heart_disease_uncontrolled": "review",
    "heart_disease_controlled": "info",
    "arrhythmia": "info",
    "stroke": "info",
    "seizures": "info",
    "bladder_problems": "info",
}


@pytest.mark.parametrize(("condition", "expected_severity"), sorted(CONDITION_EXPECTED.items()))
def test_each_condition_flags_with_its_severity(condition: str, expected_severity: str) -> None:
    flags = screening_flags({"conditions": {condition}})
    assert [(flag.code, flag.severity) for flag in flags] == [(condition, expected_severity)]


def test_the_condition_list_is_the_contract_list() -> None:
    assert set(CONDITION_EXPECTED) | {"bipolar"} == CONDITIONS


@pytest.mark.parametrize(
    ("medication", "code", "expected_severity"),
    [
        ("maoi", "medication_maoi", "review"),
        ("stimulant", "medication_stimulant", "review"),
        ("benzodiazepine", "medication_benzodiazepine", "info"),
        ("lamotrigine", "medication_lamotrigine", "info"),
        ("opioid", "medication_opioid", "info"),
    ],
)
def test_each_medication_flags_with_its_severity(medication: str, code: str, expected_severity: str) -> None:
    flags = screening_flags({"medications": {medication}})
    assert [(flag.code, flag.severity) for flag in flags] == [(code, expected_severity)]


def test_conditions_and_medications_may_be_lists() -> None:
    assert codes({"conditions": ["stroke", "stroke"], "medications": ("opioid",)}) == {"stroke", "medication_opioid"}


@pytest.mark.parametrize(
    "facts",
    [
        {"conditions": {"migraine"}},
        {"conditions": {"Pregnant"}},
        {"conditions": {"stroke", "bipolar", "asthma"}},
        {"conditions": "pregnant"},
        {"conditions": {1}},
        {"medications": {"ssri"}},
        {"medications": "maoi"},
        {"medications": {"maoi": True}},
    ],
)
def test_unknown_codes_raise(facts: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        screening_flags(facts)


@pytest.mark.parametrize(
    ("mood_stabiliser", "expected"),
    [(None, {"bipolar_without_stabiliser"}), (False, {"bipolar_without_stabiliser"}), (True, set())],
)
def test_bipolar_needs_a_mood_stabiliser(mood_stabiliser: bool | None, expected: set[str]) -> None:
    facts: dict[str, Any] = {"conditions": {"bipolar"}}
    if mood_stabiliser is not None:
        facts["mood_stabiliser"] = mood_stabiliser
    assert codes(facts) == expected


def test_a_mood_stabiliser_without_bipolar_flags_nothing() -> None:
    assert codes({"mood_stabiliser": True}) == set()
    assert codes({"mood_stabiliser": False}) == set()


# --- Substance use ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([True, True, True] + [False] * 7, set()),  # total 2: item 3 "yes" scores nothing
        ([True, True, False] + [False] * 7, {"dast10_positive"}),  # total 3: item 3 "no" scores
        ([True, True, True, True] + [False] * 6, {"dast10_positive"}),  # total 3
        ([False] * 10, set()),  # total 1
        ([True] * 10, {"dast10_positive"}),  # total 9
    ],
)
def test_dast10_positive_at_3(answers: list[bool], expected: set[str]) -> None:
    assert codes({"dast10": answers}) == expected


@pytest.mark.parametrize(
    ("answers", "sex", "expected"),
    [
        ([1, 1, 1], "male", set()),
        ([2, 1, 1], "male", {"audit_c_positive"}),
        ([1, 1, 0], "female", set()),
        ([1, 1, 1], "female", {"audit_c_positive"}),
        ([1, 1, 0], "unknown", set()),
        ([1, 1, 1], "unknown", {"audit_c_positive"}),
        ([1, 1, 1], None, {"audit_c_positive"}),  # no sex given: the lower cut-off
        ([1, 1, 0], None, set()),
    ],
)
def test_audit_c_positive_by_sex(answers: list[int], sex: str | None, expected: set[str]) -> None:
    facts: dict[str, Any] = {"audit_c": answers}
    if sex is not None:
        facts["sex"] = sex
    assert codes(facts) == expected


@pytest.mark.parametrize(("misuse", "expected"), [(False, set()), (True, {"dissociative_misuse"})])
def test_dissociative_misuse(misuse: bool, expected: set[str]) -> None:
    assert codes({"dissociative_misuse_past_year": misuse}) == expected


# --- Suicide risk -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("item_9", "expected"), [(0, set()), (1, {"suicidal_ideation"}), (3, {"suicidal_ideation"})])
def test_suicidal_ideation_from_phq9_item_9(item_9: int, expected: set[str]) -> None:
    assert codes({"phq9": [3] * 8 + [item_9]}) == expected


@pytest.mark.parametrize(
    ("risk", "expected"),
    [("none", set()), ("low", set()), ("moderate", {"cssrs_moderate"}), ("high", {"cssrs_high"})],
)
def test_cssrs_risk(risk: str, expected: set[str]) -> None:
    assert codes({"cssrs_risk": risk}) == expected


# --- Invalid facts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts",
    [
        {"phq9": [1] * 8},
        {"phq9": [4] * 9},
        {"gad7": [0] * 6},
        {"gad7": [True] * 7},
        {"audit_c": [5, 0, 0]},
        {"audit_c": [1, 1, 1], "sex": "other"},
        {"sex": "M"},
        {"dast10": [1] * 10},
        {"dast10": [True] * 9},
        {"cssrs_risk": "severe"},
        {"cssrs_risk": 3},
        {"mood_stabiliser": "yes"},
        {"dissociative_misuse_past_year": 1},
        {"bp_reading": [(120, 80)]},  # unknown key: a typo must not silently drop a rule
        {"pcl5": [0] * 20},
        ["conditions"],
        None,
    ],
)
def test_invalid_facts_raise(facts: Any) -> None:
    with pytest.raises(ValueError):
        screening_flags(facts)


# --- Properties -------------------------------------------------------------------------------------------

reading = st.tuples(st.integers(50, 300), st.integers(20, 200)).filter(lambda bp: bp[1] < bp[0])
facts_strategy = st.fixed_dictionaries(
    {},
    optional={
        "bp_readings": st.lists(reading, max_size=3),
        "conditions": st.sets(st.sampled_from(sorted(CONDITIONS))),
        "medications": st.sets(st.sampled_from(sorted(MEDICATIONS))),
        "mood_stabiliser": st.booleans(),
        "dissociative_misuse_past_year": st.booleans(),
        "phq9": st.lists(st.integers(0, 3), min_size=9, max_size=9),
        "gad7": st.lists(st.integers(0, 3), min_size=7, max_size=7),
        "audit_c": st.lists(st.integers(0, 4), min_size=3, max_size=3),
        "dast10": st.lists(st.booleans(), min_size=10, max_size=10),
        "sex": st.sampled_from(("female", "male", "unknown")),
        "cssrs_risk": st.sampled_from(("none", "low", "moderate", "high")),
    },
)


@given(facts_strategy)
def test_each_code_appears_at_most_once_and_comes_from_the_rules(facts: dict[str, Any]) -> None:
    flags = screening_flags(facts)
    flag_codes = [flag.code for flag in flags]
    assert len(flag_codes) == len(set(flag_codes))
    for flag in flags:
        assert flag == RULES[flag.code].flag()
    ranks = [SEVERITIES.index(flag.severity) for flag in flags]
    assert ranks == sorted(ranks, reverse=True)


@given(
    facts_strategy,
    st.sets(st.sampled_from(sorted(CONDITIONS - {"bipolar"}))),
    st.sets(st.sampled_from(sorted(MEDICATIONS))),
)
def test_more_history_never_removes_a_flag(facts: dict[str, Any], conditions: set[str], medications: set[str]) -> None:
    more = facts | {
        "conditions": set(facts.get("conditions", set())) | conditions,
        "medications": set(facts.get("medications", set())) | medications,
    }
    assert codes(more) >= codes(facts)


@given(facts_strategy)
def test_only_bp_crisis_or_bp_high_never_both(facts: dict[str, Any]) -> None:
    assert not {"bp_crisis", "bp_high"} <= codes(facts)
