"""The screening's safety rules, as one pure function over plain facts: no database, no Django.

The public contract is in DESIGN.md ("Public contracts: intake/rules.py"). The screening's service turns a
screening (and any in-clinic reading) into facts, calls ``screening_flags`` once and stores what it returns.
Each rule is listed once in ``RULES`` with its severity, plain message for staff and source; the citations
and how far each was checked are in docs/instruments.md. These are screening aids, not medical advice: a
clinician decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final

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

SEVERITIES: Final = ("info", "review", "exclusion", "urgent")  # lowest to highest

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

# --- Sources (full citations in docs/instruments.md) --------------------------------------------------------

SPRAVATO_LABEL: Final = (
    "SPRAVATO (esketamine) nasal spray prescribing information, Janssen (DailyMed set ID "
    "d81a6a79-a74a-44b7-822c-0dfa3036eaed)"
)
KETALAR_LABEL: Final = (
    "KETALAR (ketamine hydrochloride) injection prescribing information, Par Pharmaceutical (DailyMed set ID "
    "14e8f864-8b8a-4e7e-8439-e510d3107063)"
)
ACC_AHA_2017: Final = (
    "Whelton PK, et al. 2017 ACC/AHA guideline for the prevention, detection, evaluation, and management of high "
    "blood pressure in adults. Hypertension. 2018;71(6):e13-e115. doi:10.1161/HYP.0000000000000065"
)
ASRA_2018: Final = (
    "Cohen SP, et al. Consensus guidelines on the use of intravenous ketamine infusions for chronic pain "
    "(ASRA/AAPM/ASA). Reg Anesth Pain Med. 2018;43(5):521-546. doi:10.1097/AAP.0000000000000808"
)
APA_2017: Final = (
    "Sanacora G, et al. A consensus statement on the use of ketamine in the treatment of mood disorders "
    "(APA Council of Research task force). JAMA Psychiatry. 2017;74(4):399-405. doi:10.1001/jamapsychiatry.2017.0080"
)
PHQ9_SOURCE: Final = (
    "PHQ-9 item 9 (thoughts of being better off dead or of self-harm): Kroenke K, Spitzer RL, Williams JB. "
    "J Gen Intern Med. 2001;16(9):606-613. doi:10.1046/j.1525-1497.2001.016009606.x"
)
DAST10_SOURCE: Final = (
    "DAST-10 cut-off of 3 or more (moderate level or above): Skinner HA. The drug abuse screening test. "
    "Addict Behav. 1982;7(4):363-371. doi:10.1016/0306-4603(82)90005-3"
)
AUDIT_C_SOURCE: Final = (
    "AUDIT-C cut-offs, 4 or more for men and 3 or more for women: Bush K, et al. Arch Intern Med. "
    "1998;158(16):1789-1795. doi:10.1001/archinte.158.16.1789; Bradley KA, et al. Arch Intern Med. "
    "2003;163(7):821-829"
)
CSSRS_SOURCE: Final = (
    "C-SSRS screener triage (Columbia Lighthouse Project): Posner K, et al. Am J Psychiatry. "
    "2011;168(12):1266-1277. doi:10.1176/appi.ajp.2011.10111704"
)
CLINIC_POLICY: Final = (
    "Clinic screening policy: history shown to staff for the clinician's assessment; not a listed contraindication "
    "in the SPRAVATO or KETALAR labels"
)


@dataclass(frozen=True, slots=True)
class Flag:
    """One safety flag: what staff see on the screening and in the review queue."""

    code: str
    severity: str
    message: str
    source: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule's fixed wording; ``screening_flags`` decides when it fires."""

    code: str
    severity: str
    message: str
    source: str

    def flag(self) -> Flag:
        return Flag(self.code, self.severity, self.message, self.source)


@dataclass(frozen=True, slots=True)
class Threshold:
    """A default a clinic can change in admin, with where it comes from (seeds the clinic-settings record)."""

    key: str
    default: int
    label: str
    unit: str
    source: str


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


def _rules(*rules: Rule) -> Mapping[str, Rule]:
    return MappingProxyType({rule.code: rule for rule in rules})


RULES: Final[Mapping[str, Rule]] = _rules(
    # Blood pressure
    Rule(
        "bp_high",
        "review",
        "A blood-pressure reading is at or above the clinic's review level. Recheck it before treatment is planned.",
        f"{SPRAVATO_LABEL}, blood pressure before dosing (elevated: as a general guide above 140/90 mmHg); "
        f"{ACC_AHA_2017}, stage 2 hypertension from 140/90",
    ),
    Rule(
        "bp_crisis",
        "urgent",
        "A blood-pressure reading is in the hypertensive crisis range (above 180 systolic or above 120 diastolic). "
        "Contact the patient today.",
        f"{ACC_AHA_2017}, hypertensive crisis: above 180 and/or above 120 mmHg",
    ),
    # Absolute contraindications: excluded until a clinician decides
    Rule(
        "aneurysm_or_avm",
        "exclusion",
        "Reports aneurysmal vascular disease or an arteriovenous malformation. This is a listed contraindication: "
        "a clinician must decide.",
        f"{SPRAVATO_LABEL}, Contraindications: aneurysmal vascular disease or arteriovenous malformation",
    ),
    Rule(
        "intracerebral_haemorrhage",
        "exclusion",
        "Reports a past bleed in the brain (intracerebral haemorrhage). This is a listed contraindication: "
        "a clinician must decide.",
        f"{SPRAVATO_LABEL}, Contraindications: history of intracerebral hemorrhage",
    ),
    Rule(
        "pregnant",
        "exclusion",
        "Reports being pregnant. Treatment is not recommended in pregnancy: a clinician must decide.",
        f"{SPRAVATO_LABEL}, Embryo-fetal toxicity and Use in pregnancy (not recommended); {ASRA_2018}, "
        "contraindications (pregnancy)",
    ),
    # Relative contraindications: review
    Rule(
        "breastfeeding",
        "review",
        "Reports breastfeeding. Breastfeeding is not recommended during treatment: discuss with the patient.",
        f"{SPRAVATO_LABEL}, Lactation: breastfeeding not recommended during treatment",
    ),
    Rule(
        "psychosis",
        "review",
        "Reports a history of psychosis or schizophrenia. Ketamine can worsen psychotic symptoms: review.",
        f"{APA_2017}, patient selection (history of psychosis); {ASRA_2018}, contraindications (psychosis)",
    ),
    Rule(
        "liver_disease",
        "review",
        "Reports liver disease. Repeated ketamine has been linked to liver injury: review, and consider liver tests.",
        f"{KETALAR_LABEL}, Warnings: drug-induced liver injury; {ASRA_2018}, contraindications (severe hepatic "
        "disease)",
    ),
    Rule(
        "interstitial_cystitis",
        "review",
        "Reports interstitial cystitis. Ketamine use is linked to bladder inflammation: review.",
        f"{SPRAVATO_LABEL}, Warnings and Precautions: ulcerative or interstitial cystitis",
    ),
    Rule(
        "raised_intracranial_pressure",
        "review",
        "Reports raised pressure inside the skull. Ketamine can raise it further: review.",
        f"{KETALAR_LABEL}, Warnings: increased cerebrospinal fluid pressure; {ASRA_2018}, contraindications "
        "(elevated intracranial pressure)",
    ),
    Rule(
        "glaucoma",
        "review",
        "Reports glaucoma or raised eye pressure. Ketamine can raise eye pressure: review.",
        f"{ASRA_2018}, contraindications (elevated intraocular pressure)",
    ),
    Rule(
        "heart_disease_uncontrolled",
        "review",
        "Reports heart disease that is not under control. A rise in blood pressure could be dangerous: review.",
        f"{KETALAR_LABEL}, Contraindications: where a significant rise in blood pressure would be a serious hazard; "
        f"{ASRA_2018}, contraindications (poorly controlled cardiovascular disease)",
    ),
    # Shown to staff as information
    Rule(
        "heart_disease_controlled",
        "info",
        "Reports heart disease that is under control. Monitor blood pressure closely.",
        f"{SPRAVATO_LABEL}, Warnings and Precautions: increases in blood pressure (cardiovascular conditions)",
    ),
    Rule(
        "arrhythmia",
        "info",
        "Reports an irregular heartbeat. Note it before the first infusion.",
        f"{SPRAVATO_LABEL}, Warnings and Precautions: increases in blood pressure (cardiovascular conditions)",
    ),
    Rule(
        "stroke",
        "info",
        "Reports a past stroke. Note it before the first infusion.",
        f"{SPRAVATO_LABEL}, Warnings and Precautions: increases in blood pressure (cerebrovascular conditions)",
    ),
    Rule("seizures", "info", "Reports seizures or epilepsy. Note it before the first infusion.", CLINIC_POLICY),
    Rule(
        "bladder_problems",
        "info",
        "Reports bladder problems. Ask about bladder symptoms during the course.",
        f"{SPRAVATO_LABEL}, Warnings and Precautions: ulcerative or interstitial cystitis",
    ),
    # Medications
    Rule(
        "medication_maoi",
        "review",
        "Takes an MAOI antidepressant, which can raise blood pressure with ketamine: review.",
        f"{SPRAVATO_LABEL}, Drug interactions: monoamine oxidase inhibitors (may increase blood pressure)",
    ),
    Rule(
        "medication_stimulant",
        "review",
        "Takes a stimulant, which can raise blood pressure with ketamine: review.",
        f"{SPRAVATO_LABEL}, Drug interactions: psychostimulants (may increase blood pressure)",
    ),
    Rule(
        "medication_benzodiazepine",
        "info",
        "Takes a benzodiazepine, which may blunt the response and adds sedation.",
        f"{APA_2017}, concomitant medications; {SPRAVATO_LABEL}, Drug interactions: CNS depressants (sedation)",
    ),
    Rule(
        "medication_lamotrigine",
        "info",
        "Takes lamotrigine, which may blunt the response.",
        f"{APA_2017}, concomitant medications",
    ),
    Rule(
        "medication_opioid",
        "info",
        "Takes an opioid, which adds sedation and slowed breathing.",
        f"{SPRAVATO_LABEL}, Drug interactions: CNS depressants (sedation); boxed warning: respiratory depression",
    ),
    # Mental health and substance use
    Rule(
        "bipolar_without_stabiliser",
        "review",
        "Reports bipolar disorder or mania and no mood stabiliser. Ketamine could trigger mania: review.",
        f"{APA_2017}, patient selection (bipolar disorder)",
    ),
    Rule(
        "dast10_positive",
        "review",
        "The drug-use screen (DAST-10) is 3 or more. Review substance use before treatment.",
        f"{DAST10_SOURCE}; {SPRAVATO_LABEL}, boxed warning: abuse and misuse",
    ),
    Rule(
        "audit_c_positive",
        "review",
        "The alcohol screen (AUDIT-C) is positive. Review alcohol use before treatment.",
        f"{AUDIT_C_SOURCE}; {SPRAVATO_LABEL}, boxed warning: abuse and misuse",
    ),
    Rule(
        "dissociative_misuse",
        "review",
        "Reports non-medical use of ketamine, PCP or another dissociative in the past year: review.",
        f"{SPRAVATO_LABEL}, boxed warning: abuse and misuse; {APA_2017}, patient selection (substance use)",
    ),
    # Suicide risk
    Rule(
        "suicidal_ideation",
        "review",
        "Answered above 0 on the PHQ-9 question about being better off dead or self-harm. Review the C-SSRS "
        "answers and contact the patient.",
        f"{PHQ9_SOURCE}; {SPRAVATO_LABEL}, boxed warning: suicidal thoughts and behaviors",
    ),
    Rule(
        "cssrs_moderate",
        "review",
        "The suicide-risk screen (C-SSRS) shows moderate risk. A clinician should assess the patient.",
        CSSRS_SOURCE,
    ),
    Rule(
        "cssrs_high",
        "urgent",
        "The suicide-risk screen (C-SSRS) shows high risk. Contact the patient now.",
        CSSRS_SOURCE,
    ),
)

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
