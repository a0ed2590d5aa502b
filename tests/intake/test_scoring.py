"""The scoring contract (docs/architecture.md, intake/scoring.py): table tests at every edge, and properties."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intake.scoring import (
    BP_CATEGORIES,
    CSSRS_OPTIONAL,
    CSSRS_RISKS,
    DAST10_CREDIT,
    GAD7_BANDS,
    PHQ9_BANDS,
    CssrsResult,
    ScoreResult,
    classify_blood_pressure,
    score_audit_c,
    score_cssrs,
    score_dast10,
    score_gad7,
    score_pcl5,
    score_phq9,
)

ROOT = Path(__file__).resolve().parents[2]


def answers_for(total: int, *, count: int, high: int) -> list[int]:
    """``count`` answers from 0 to ``high`` that add up to ``total``, the larger ones first."""
    assert 0 <= total <= count * high
    answers = []
    for _ in range(count):
        answer = min(high, total)
        answers.append(answer)
        total -= answer
    return answers


def dast_answers(total: int) -> list[bool]:
    """Literal yes/no answers that score ``total``: item 3 ("always able to stop?") scores for a "no"."""
    scored = [index < total for index in range(10)]  # which items score, in order
    answers = list(scored)
    answers[2] = not scored[2]
    return answers


# --- Blood pressure ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("systolic", "diastolic", "category"),
    [
        (119, 79, "normal"),
        (50, 20, "normal"),
        (120, 79, "elevated"),
        (129, 79, "elevated"),
        (130, 79, "stage_1"),
        (119, 80, "stage_1"),
        (139, 89, "stage_1"),
        (129, 80, "stage_1"),
        (140, 89, "stage_2"),
        (139, 90, "stage_2"),
        (140, 70, "stage_2"),
        (110, 90, "stage_2"),
        (180, 120, "stage_2"),
        (181, 120, "crisis"),
        (180, 121, "crisis"),
        (181, 70, "crisis"),
        (150, 121, "crisis"),
        (300, 199, "crisis"),
    ],
)
def test_blood_pressure_categories_at_each_edge(systolic: int, diastolic: int, category: str) -> None:
    assert classify_blood_pressure(systolic, diastolic) == category


@pytest.mark.parametrize(
    ("systolic", "diastolic"),
    [
        (49, 30),
        (301, 90),
        (120, 19),
        (250, 201),
        (120, 120),  # diastolic not below systolic
        (100, 110),
        (True, 80),
        (120, False),
        ("120", 80),
        (120.0, 80),
        (None, 80),
    ],
)
def test_implausible_blood_pressure_raises(systolic: Any, diastolic: Any) -> None:
    with pytest.raises(ValueError):
        classify_blood_pressure(systolic, diastolic)


def test_blood_pressure_range_edges_are_plausible() -> None:
    assert classify_blood_pressure(50, 20) == "normal"
    assert classify_blood_pressure(300, 200) == "crisis"
    assert classify_blood_pressure(121, 120) == "stage_2"


plausible_bp = st.tuples(st.integers(50, 300), st.integers(20, 200)).filter(lambda bp: bp[1] < bp[0])


@given(plausible_bp, st.integers(0, 20), st.integers(0, 20))
def test_blood_pressure_category_never_falls_as_a_reading_rises(bp: tuple[int, int], up_sys: int, up_dia: int) -> None:
    systolic, diastolic = bp
    higher_sys, higher_dia = min(systolic + up_sys, 300), min(diastolic + up_dia, 200)
    if higher_dia >= higher_sys:
        return
    before = BP_CATEGORIES.index(classify_blood_pressure(systolic, diastolic))
    after = BP_CATEGORIES.index(classify_blood_pressure(higher_sys, higher_dia))
    assert after >= before


@given(st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_blood_pressure_out_of_range_always_raises(systolic: int, diastolic: int) -> None:
    plausible = 50 <= systolic <= 300 and 20 <= diastolic <= 200 and diastolic < systolic
    if plausible:
        assert classify_blood_pressure(systolic, diastolic) in BP_CATEGORIES
    else:
        with pytest.raises(ValueError):
            classify_blood_pressure(systolic, diastolic)


# --- PHQ-9 and GAD-7 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "moderately_severe", True),
        (19, "moderately_severe", True),
        (20, "severe", True),
        (27, "severe", True),
    ],
)
def test_phq9_bands(total: int, band: str, positive: bool) -> None:
    result = score_phq9(answers_for(total, count=9, high=3))
    assert (result.total, result.band, result.positive) == (total, band, positive)


def test_phq9_item_9_adds_the_suicidal_ideation_flag() -> None:
    assert score_phq9([0] * 9).flags == set()
    assert score_phq9([0] * 8 + [1]).flags == {"suicidal_ideation"}
    assert score_phq9([0] * 8 + [3]).flags == {"suicidal_ideation"}
    # Other items at their highest never flag it.
    assert score_phq9([3] * 8 + [0]).flags == set()


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "severe", True),
        (21, "severe", True),
    ],
)
def test_gad7_bands(total: int, band: str, positive: bool) -> None:
    result = score_gad7(answers_for(total, count=7, high=3))
    assert (result.total, result.band, result.positive, result.flags) == (total, band, positive, set())


# --- AUDIT-C ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "sex", "positive"),
    [
        (0, "male", False),
        (3, "male", False),
        (4, "male", True),
        (12, "male", True),
        (2, "female", False),
        (3, "female", True),
        (2, "unknown", False),
        (3, "unknown", True),
        (0, "female", False),
    ],
)
def test_audit_c_cut_offs_by_sex(total: int, sex: str, positive: bool) -> None:
    result = score_audit_c(answers_for(total, count=3, high=4), sex)
    assert result.total == total
    assert result.positive is positive
    assert result.band == ("positive" if positive else "negative")


@pytest.mark.parametrize("sex", ["Male", "other", "", None, 1, True])
def test_audit_c_unknown_sex_raises(sex: Any) -> None:
    with pytest.raises(ValueError):
        score_audit_c([1, 1, 1], sex)


# --- DAST-10 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "none", False),
        (1, "low", False),
        (2, "low", False),
        (3, "moderate", True),
        (5, "moderate", True),
        (6, "substantial", True),
        (8, "substantial", True),
        (9, "severe", True),
        (10, "severe", True),
    ],
)
def test_dast10_bands(total: int, band: str, positive: bool) -> None:
    result = score_dast10(dast_answers(total))
    assert (result.total, result.band, result.positive) == (total, band, positive)


def test_dast10_item_3_is_reverse_scored() -> None:
    all_no = [False] * 10
    assert score_dast10(all_no).total == 1  # "no, I am not always able to stop" scores
    assert score_dast10(all_no).items[2] == 1
    only_item_3_yes = [False, False, True] + [False] * 7
    assert score_dast10(only_item_3_yes).total == 0
    assert score_dast10(only_item_3_yes).band == "none"
    all_yes = [True] * 10
    assert score_dast10(all_yes).total == 9
    assert score_dast10(all_yes).items[2] == 0
    assert score_dast10([True, True, False] + [False] * 7).total == 3  # two yeses plus item 3 "no"
    assert score_dast10([True, True, True] + [False] * 7).total == 2


def test_dast10_credit_names_the_copyright_holders() -> None:
    assert "1982" in DAST10_CREDIT
    assert "Harvey A. Skinner" in DAST10_CREDIT
    assert "Centre for Addiction and Mental Health" in DAST10_CREDIT
    assert "non-commercial" in DAST10_CREDIT


# --- PCL-5 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "below_threshold", False),
        (32, "below_threshold", False),
        (33, "probable_ptsd", True),
        (80, "probable_ptsd", True),
    ],
)
def test_pcl5_cut_off(total: int, band: str, positive: bool) -> None:
    result = score_pcl5(answers_for(total, count=20, high=4))
    assert (result.total, result.band, result.positive) == (total, band, positive)


# --- C-SSRS screener --------------------------------------------------------------------------------------

NO_TO_ALL = {
    "wish_dead": False,
    "thoughts": False,
    "method": False,
    "intent": False,
    "plan": False,
    "behaviour_lifetime": False,
    "behaviour_past_3_months": False,
}


@pytest.mark.parametrize(
    ("yes", "risk"),
    [
        ((), "none"),
        (("wish_dead",), "low"),
        (("thoughts",), "low"),
        (("wish_dead", "thoughts"), "low"),
        (("thoughts", "method"), "moderate"),
        (("behaviour_lifetime",), "moderate"),
        (("thoughts", "intent"), "high"),
        (("thoughts", "plan"), "high"),
        (("behaviour_lifetime", "behaviour_past_3_months"), "high"),
        (
            ("wish_dead", "thoughts", "method", "intent", "plan", "behaviour_lifetime", "behaviour_past_3_months"),
            "high",
        ),
    ],
)
def test_cssrs_risk(yes: tuple[str, ...], risk: str) -> None:
    answers = NO_TO_ALL | dict.fromkeys(yes, True)
    assert score_cssrs(answers) == CssrsResult(risk)


def test_cssrs_skipped_questions_may_be_absent_or_none() -> None:
    assert score_cssrs({"wish_dead": False, "thoughts": False}).risk == "none"
    assert score_cssrs({"wish_dead": True, "thoughts": False, "behaviour_lifetime": False}).risk == "low"
    assert score_cssrs({"wish_dead": True, "thoughts": True, "intent": True}).risk == "high"
    assert score_cssrs({"wish_dead": False, "thoughts": False, "method": None, "behaviour_lifetime": True}).risk == (
        "moderate"
    )


@pytest.mark.parametrize(
    "answers",
    [
        {"thoughts": False},  # wish_dead is always asked
        {"wish_dead": False},
        {"wish_dead": None, "thoughts": False},
        {"wish_dead": "yes", "thoughts": False},
        {"wish_dead": 1, "thoughts": False},
        {"wish_dead": False, "thoughts": False, "method": 0},
        {"wish_dead": False, "thoughts": False, "suicide_note": True},
        [True, False],
        "wish_dead",
        None,
    ],
)
def test_cssrs_invalid_answers_raise(answers: Any) -> None:
    with pytest.raises(ValueError):
        score_cssrs(answers)


cssrs_answers = st.fixed_dictionaries(
    {"wish_dead": st.booleans(), "thoughts": st.booleans()},
    optional={key: st.one_of(st.booleans(), st.none()) for key in CSSRS_OPTIONAL},
)


@given(cssrs_answers, st.sampled_from(("wish_dead", "thoughts", *CSSRS_OPTIONAL)))
def test_cssrs_a_further_yes_never_lowers_the_risk(answers: dict[str, bool | None], question: str) -> None:
    before = CSSRS_RISKS.index(score_cssrs(answers).risk)
    after = CSSRS_RISKS.index(score_cssrs(answers | {question: True}).risk)
    assert after >= before


# --- Properties shared by the summed instruments ----------------------------------------------------------

INT_INSTRUMENTS: dict[str, tuple[Callable[[list[int]], ScoreResult], int, int, tuple[str, ...]]] = {
    "phq9": (score_phq9, 9, 3, tuple(band for _, band in reversed(PHQ9_BANDS))),
    "gad7": (score_gad7, 7, 3, tuple(band for _, band in reversed(GAD7_BANDS))),
    "pcl5": (score_pcl5, 20, 4, ("below_threshold", "probable_ptsd")),
    "audit_c_male": (lambda a: score_audit_c(a, "male"), 3, 4, ("negative", "positive")),
    "audit_c_female": (lambda a: score_audit_c(a, "female"), 3, 4, ("negative", "positive")),
    "audit_c_unknown": (lambda a: score_audit_c(a, "unknown"), 3, 4, ("negative", "positive")),
}


@st.composite
def instrument_and_answers(draw: st.DrawFn) -> tuple[str, list[int]]:
    name = draw(st.sampled_from(sorted(INT_INSTRUMENTS)))
    _, count, high, _ = INT_INSTRUMENTS[name]
    return name, draw(st.lists(st.integers(0, high), min_size=count, max_size=count))


@given(instrument_and_answers(), st.data())
def test_band_never_falls_when_an_answer_moves_toward_more_symptoms(
    case: tuple[str, list[int]], data: st.DataObject
) -> None:
    name, answers = case
    score, _, high, bands = INT_INSTRUMENTS[name]
    index = data.draw(st.integers(0, len(answers) - 1))
    worse = list(answers)
    worse[index] = data.draw(st.integers(answers[index], high))
    before, after = score(answers), score(worse)
    assert bands.index(after.band) >= bands.index(before.band)
    assert after.positive >= before.positive
    assert after.flags >= before.flags


@given(instrument_and_answers())
def test_totals_match_the_items(case: tuple[str, list[int]]) -> None:
    name, answers = case
    score, _, _, bands = INT_INSTRUMENTS[name]
    result = score(answers)
    assert result.items == tuple(answers)
    assert result.total == sum(answers)
    assert result.band in bands


DAST_BANDS = ("none", "low", "moderate", "substantial", "severe")


@given(st.lists(st.booleans(), min_size=10, max_size=10), st.integers(0, 9))
def test_dast10_band_never_falls_when_an_answer_moves_toward_more_symptoms(answers: list[bool], index: int) -> None:
    worse = list(answers)
    worse[index] = index != 2  # toward "yes", except item 3 where "no" is the symptom
    before, after = score_dast10(answers), score_dast10(worse)
    assert DAST_BANDS.index(after.band) >= DAST_BANDS.index(before.band)
    assert after.total >= before.total


@given(st.lists(st.booleans(), min_size=10, max_size=10))
def test_dast10_total_matches_the_items(answers: list[bool]) -> None:
    result = score_dast10(answers)
    expected = [int(not answer) if number == 3 else int(answer) for number, answer in enumerate(answers, start=1)]
    assert result.items == tuple(expected)
    assert result.total == sum(expected)
    assert result.positive is (result.total >= 3)


# --- Invalid input always raises ValueError ---------------------------------------------------------------

not_an_int = st.one_of(
    st.booleans(), st.text(max_size=3), st.floats(allow_nan=True), st.none(), st.lists(st.integers(0, 3), max_size=2)
)


@st.composite
def invalid_int_answers(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(sorted(INT_INSTRUMENTS)))
    _, count, high, _ = INT_INSTRUMENTS[name]
    kind = draw(st.sampled_from(("count", "range", "type", "container")))
    if kind == "count":
        size = draw(st.integers(0, 25).filter(lambda n: n != count))
        return name, draw(st.lists(st.integers(0, high), min_size=size, max_size=size))
    if kind == "container":
        return name, draw(st.one_of(st.none(), st.integers(), st.text(), st.dictionaries(st.integers(), st.integers())))
    answers = draw(st.lists(st.integers(0, high), min_size=count, max_size=count))
    index = draw(st.integers(0, count - 1))
    if kind == "range":
        answers[index] = draw(st.one_of(st.integers(max_value=-1), st.integers(min_value=high + 1)))
    else:
        answers[index] = draw(not_an_int)
    return name, answers


@given(invalid_int_answers())
def test_invalid_answers_always_raise_value_error(case: tuple[str, Any]) -> None:
    name, answers = case
    score = INT_INSTRUMENTS[name][0]
    with pytest.raises(ValueError):
        score(answers)


@st.composite
def invalid_dast_answers(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(("count", "type", "container")))
    if kind == "count":
        size = draw(st.integers(0, 25).filter(lambda n: n != 10))
        return draw(st.lists(st.booleans(), min_size=size, max_size=size))
    if kind == "container":
        return draw(st.one_of(st.none(), st.booleans(), st.text(), st.sets(st.booleans())))
    answers: list[Any] = draw(st.lists(st.booleans(), min_size=10, max_size=10))
    answers[draw(st.integers(0, 9))] = draw(st.one_of(st.integers(), st.text(max_size=3), st.none()))
    return answers


@given(invalid_dast_answers())
def test_invalid_dast10_answers_always_raise_value_error(answers: Any) -> None:
    with pytest.raises(ValueError):
        score_dast10(answers)


def test_tuples_are_accepted_as_answers() -> None:
    assert score_phq9((1,) * 9).total == 9
    assert score_dast10((False,) * 10).total == 1


def test_results_are_immutable() -> None:
    result = score_phq9([1] * 9)
    with pytest.raises(AttributeError):
        result.total = 0  # type: ignore[misc]


def test_the_clinical_cores_import_nothing_from_django() -> None:
    """Checks outside the app import these modules without Django settings, so they must stay pure."""
    code = (
        "import sys; import intake.scoring, intake.rules, scheduling.infusion_rules; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"
