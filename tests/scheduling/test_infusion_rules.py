"""The infusion-rules contract (scheduling/infusion_rules.py): dose and cap, the gate, outcomes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling.infusion_rules import (
    DEFAULT_HOLD_THRESHOLDS,
    GATE_REASONS,
    INFUSION_HOLD_THRESHOLDS,
    GateResult,
    OutcomeResult,
    infusion_dose_mg,
    infusion_gate,
    outcome,
)

D = Decimal

# --- Dose -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight_kg", "mg_per_kg", "max_mg", "dose"),
    [
        (D("70"), D("0.5"), D("100"), D("35.0")),
        (D("70.1"), D("0.5"), D("100"), D("35.1")),  # 35.05: half up
        (D("30.1"), D("0.5"), D("100"), D("15.1")),  # 15.05: half up, where half-even would give 15.0
        (D("70.09"), D("0.5"), D("100"), D("35.0")),  # 35.045: down
        (D("70.11"), D("0.5"), D("100"), D("35.1")),  # 35.055: up
        (D("82.3"), D("0.75"), D("100"), D("61.7")),  # 61.725
        (D("30"), D("0.5"), D("100"), D("15.0")),  # lightest weight
        (D("300"), D("2"), D("1000"), D("600.0")),  # heaviest weight, highest dose per kg
        (D("100"), D("1"), D("80"), D("80")),  # capped
        (D("100"), D("0.8"), D("80"), D("80.0")),  # exactly at the cap
        (D("100"), D("0.801"), D("80"), D("80")),  # 80.1 would pass the cap
        (D("100"), D("0.799"), D("80"), D("79.9")),  # one step under the cap
        (70, D("0.5"), 100, D("35.0")),  # ints
        (70.1, 0.5, 100, D("35.1")),  # floats keep their decimal meaning
    ],
)
def test_dose_rounds_half_up_to_a_tenth_and_never_passes_the_cap(
    weight_kg: Any, mg_per_kg: Any, max_mg: Any, dose: Decimal
) -> None:
    result = infusion_dose_mg(weight_kg=weight_kg, mg_per_kg=mg_per_kg, max_mg=max_mg)
    assert isinstance(result, Decimal)
    assert result == dose


@pytest.mark.parametrize(
    ("weight_kg", "mg_per_kg", "max_mg"),
    [
        (D("29.9"), D("0.5"), D("100")),
        (D("300.1"), D("0.5"), D("100")),
        (D("70"), D("0"), D("100")),
        (D("70"), D("-0.5"), D("100")),
        (D("70"), D("2.01"), D("100")),
        (D("70"), D("0.5"), D("0")),
        (D("70"), D("0.5"), D("-1")),
        (True, D("0.5"), D("100")),
        ("70", D("0.5"), D("100")),
        (D("70"), None, D("100")),
        (D("70"), D("0.5"), "100"),
        (D("NaN"), D("0.5"), D("100")),
        (float("inf"), D("0.5"), D("100")),
        (D("70"), D("0.5"), D("Infinity")),
    ],
)
def test_bad_dose_inputs_raise(weight_kg: Any, mg_per_kg: Any, max_mg: Any) -> None:
    with pytest.raises(ValueError):
        infusion_dose_mg(weight_kg=weight_kg, mg_per_kg=mg_per_kg, max_mg=max_mg)


def test_dose_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        infusion_dose_mg(70, D("0.5"), 100)  # type: ignore[misc]


weights = st.decimals(min_value=30, max_value=300, places=2)
per_kg = st.decimals(min_value=D("0.01"), max_value=2, places=2)
caps = st.decimals(min_value=D("0.1"), max_value=700, places=1)


@given(weights, per_kg, caps)
def test_dose_is_never_above_the_cap_and_within_half_a_step_otherwise(
    weight_kg: Decimal, mg_per_kg: Decimal, max_mg: Decimal
) -> None:
    dose = infusion_dose_mg(weight_kg=weight_kg, mg_per_kg=mg_per_kg, max_mg=max_mg)
    exact = weight_kg * mg_per_kg
    assert dose <= max_mg
    assert dose % D("0.1") == 0
    if dose < max_mg:
        assert -D("0.05") < dose - exact <= D("0.05")
    else:
        assert exact >= max_mg - D("0.05")


# --- Gate -------------------------------------------------------------------------------------------------

CALM = {"systolic": 120, "diastolic": 80, "heart_rate": 70, "spo2": 98}


@pytest.mark.parametrize(
    ("change", "reasons"),
    [
        ({}, set()),
        ({"systolic": 159}, set()),
        ({"systolic": 160}, {"bp_systolic"}),
        ({"systolic": 161}, {"bp_systolic"}),
        ({"diastolic": 99}, set()),
        ({"diastolic": 100}, {"bp_diastolic"}),
        ({"diastolic": 101}, {"bp_diastolic"}),
        ({"heart_rate": 110}, set()),
        ({"heart_rate": 111}, {"heart_rate"}),
        ({"spo2": 95}, set()),
        ({"spo2": 94}, {"spo2"}),
        ({"spo2": 100}, set()),
        ({"systolic": 200, "diastolic": 110, "heart_rate": 130, "spo2": 90}, set(GATE_REASONS)),
    ],
)
def test_gate_holds_at_each_default_threshold(change: dict[str, int], reasons: set[str]) -> None:
    result = infusion_gate(**(CALM | change))
    assert result == GateResult(hold=bool(reasons), reasons=frozenset(reasons))


@pytest.mark.parametrize(
    ("thresholds", "change", "hold"),
    [
        ({"hold_systolic": 150}, {"systolic": 149}, False),
        ({"hold_systolic": 150}, {"systolic": 150}, True),
        ({"hold_diastolic": 95}, {"diastolic": 95}, True),
        ({"hold_heart_rate": 100}, {"heart_rate": 100}, False),
        ({"hold_heart_rate": 100}, {"heart_rate": 101}, True),
        ({"hold_spo2": 92}, {"spo2": 94}, False),
        ({"hold_spo2": 92}, {"spo2": 91}, True),
        ({"hold_systolic": 170}, {"systolic": 165}, False),  # a clinic may raise a limit too
    ],
)
def test_gate_thresholds_override_by_key(thresholds: dict[str, int], change: dict[str, int], hold: bool) -> None:
    assert infusion_gate(**(CALM | change), thresholds=thresholds).hold is hold


def test_default_hold_thresholds_and_their_sources() -> None:
    assert dict(DEFAULT_HOLD_THRESHOLDS) == {
        "hold_systolic": 160,
        "hold_diastolic": 100,
        "hold_heart_rate": 110,
        "hold_spo2": 95,
    }
    assert [t.key for t in INFUSION_HOLD_THRESHOLDS] == list(DEFAULT_HOLD_THRESHOLDS)
    for threshold in INFUSION_HOLD_THRESHOLDS:
        assert threshold.source and threshold.label and threshold.unit


@pytest.mark.parametrize(
    "change",
    [
        {"systolic": 301},
        {"systolic": 49, "diastolic": 30},
        {"diastolic": 19},
        {"diastolic": 120},  # not below systolic
        {"heart_rate": 19},
        {"heart_rate": 251},
        {"spo2": 49},
        {"spo2": 101},
        {"spo2": 97.5},
        {"heart_rate": True},
        {"systolic": "120"},
        {"spo2": None},
    ],
)
def test_implausible_vitals_raise(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        infusion_gate(**(CALM | change))


@pytest.mark.parametrize(
    "thresholds",
    [
        {"hold_sys": 160},
        {"bp_review_systolic": 140},
        {"hold_spo2": 101},
        {"hold_heart_rate": 19},
        {"hold_systolic": "160"},
        {"hold_diastolic": False},
        [("hold_spo2", 95)],
    ],
)
def test_bad_hold_thresholds_raise(thresholds: Any) -> None:
    with pytest.raises(ValueError):
        infusion_gate(**CALM, thresholds=thresholds)


vitals = st.fixed_dictionaries(
    {
        "systolic": st.integers(50, 300),
        "diastolic": st.integers(20, 200),
        "heart_rate": st.integers(20, 250),
        "spo2": st.integers(50, 100),
    }
).filter(lambda v: v["diastolic"] < v["systolic"])


@given(vitals)
def test_hold_exactly_when_there_is_a_reason(reading: dict[str, int]) -> None:
    result = infusion_gate(**reading)
    assert result.hold is bool(result.reasons)
    assert result.reasons <= set(GATE_REASONS)
    assert ("spo2" in result.reasons) is (reading["spo2"] < 95)
    assert ("heart_rate" in result.reasons) is (reading["heart_rate"] > 110)


# --- Outcome ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current", "instrument", "expected"),
    [
        (20, 10, "phq9", OutcomeResult(change=-10, response=True, remission=False)),  # exactly half
        (20, 11, "phq9", OutcomeResult(change=-9, response=False, remission=False)),
        (21, 10, "phq9", OutcomeResult(change=-11, response=True, remission=False)),
        (21, 11, "phq9", OutcomeResult(change=-10, response=False, remission=False)),  # 10.5 is the half
        (20, 5, "phq9", OutcomeResult(change=-15, response=True, remission=False)),  # remission is under 5
        (20, 4, "phq9", OutcomeResult(change=-16, response=True, remission=True)),
        (6, 4, "phq9", OutcomeResult(change=-2, response=False, remission=True)),  # remission without response
        (10, 14, "phq9", OutcomeResult(change=4, response=False, remission=False)),
        (0, 0, "phq9", OutcomeResult(change=0, response=False, remission=True)),  # no fall from 0
        (1, 0, "phq9", OutcomeResult(change=-1, response=True, remission=True)),
        (14, 7, "gad7", OutcomeResult(change=-7, response=True, remission=False)),  # PHQ-9 only
        (14, 0, "gad7", OutcomeResult(change=-14, response=True, remission=False)),
        (14, 8, "gad7", OutcomeResult(change=-6, response=False, remission=False)),
        (50, 25, "pcl5", OutcomeResult(change=-25, response=True, remission=False)),
        (50, 26, "pcl5", OutcomeResult(change=-24, response=False, remission=False)),
        (80, 0, "pcl5", OutcomeResult(change=-80, response=True, remission=False)),
    ],
)
def test_response_and_remission_edges(baseline: int, current: int, instrument: str, expected: OutcomeResult) -> None:
    assert outcome(baseline=baseline, current=current, instrument=instrument) == expected


@pytest.mark.parametrize(
    ("baseline", "current", "instrument"),
    [
        (28, 10, "phq9"),
        (20, -1, "phq9"),
        (22, 10, "gad7"),
        (81, 10, "pcl5"),
        (20, 10, "madrs"),
        (20, 10, "PHQ9"),
        (20, 10, None),
        (True, 0, "phq9"),
        (20, 10.0, "phq9"),
        ("20", 10, "phq9"),
    ],
)
def test_bad_outcome_inputs_raise(baseline: Any, current: Any, instrument: Any) -> None:
    with pytest.raises(ValueError):
        outcome(baseline=baseline, current=current, instrument=instrument)


@given(st.sampled_from(("phq9", "gad7", "pcl5")), st.data())
def test_response_is_a_fall_of_half_or_more(instrument: str, data: st.DataObject) -> None:
    high = {"phq9": 27, "gad7": 21, "pcl5": 80}[instrument]
    baseline = data.draw(st.integers(0, high))
    current = data.draw(st.integers(0, high))
    result = outcome(baseline=baseline, current=current, instrument=instrument)
    assert result.change == current - baseline
    assert result.response is (baseline > 0 and current <= baseline / 2)
    assert result.remission is (instrument == "phq9" and current < 5)
