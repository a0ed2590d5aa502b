"""One form per questionnaire step, plus the staff forms. Forms validate; the services decide what it means."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from clinic.lib.time import validate_datetime_range
from intake import instruments, scoring
from intake.models import Decision

YES_NO = (("yes", "Yes"), ("no", "No"))
BP_MESSAGE = (
    f"Check this reading: systolic (top number) must be {scoring.SYSTOLIC_RANGE[0]} to {scoring.SYSTOLIC_RANGE[1]}, "
    f"diastolic (bottom number) {scoring.DIASTOLIC_RANGE[0]} to {scoring.DIASTOLIC_RANGE[1]}, "
    "and the bottom number below the top one."
)


def yes_no(label: str, *, required: bool = True, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        required=required,
        help_text=help_text,
        empty_value=None,
    )


def scale(label: str, choices: tuple[tuple[int, str], ...]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose one answer."},
    )


def json_safe(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def as_initial(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


class StepForm(forms.Form):
    """A step's form. ``sex`` (scoring's sex) lets a step leave out the questions that do not apply."""

    # Field names whose "yes" makes another field apply: {dependent: parent}.
    depends_on: ClassVar[dict[str, str]] = {}
    # (legend, intro, field-name prefixes, note below); fields no group claims come last, ungrouped.
    groups: ClassVar[tuple[tuple[str, str, tuple[str, ...], str], ...]] = ()

    def __init__(self, *args: Any, sex: str = "unknown", saved: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if saved is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: as_initial(value) for name, value in saved.items()}
        super().__init__(*args, **kwargs)
        self.sex = sex

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for child, parent in self.depends_on.items():
            if cleaned.get(parent) is True:
                if cleaned.get(child) is None and child not in self.errors:
                    self.add_error(child, "Please answer this question.")
            else:
                cleaned[child] = None
                self.errors.pop(child, None)
        return cleaned

    def fieldsets(self) -> list[tuple[str, str, list[forms.BoundField], str]]:
        claimed: set[str] = set()
        result = []
        for legend, intro, prefixes, note in self.groups:
            names = [name for name in self.fields if name.startswith(prefixes) and name not in claimed]
            claimed.update(names)
            if names:
                result.append((legend, intro, [self[name] for name in names], note))
        rest = [self[name] for name in self.fields if name not in claimed]
        if rest:
            result.append(("", "", rest, ""))
        return result

    def to_data(self) -> dict[str, Any]:
        return {name: json_safe(value) for name, value in self.cleaned_data.items() if value not in (None, "", [])}


class AboutForm(StepForm):
    REASONS = (
        ("depression", "Depression"),
        ("anxiety", "Anxiety"),
        ("ptsd", "Post-traumatic stress (PTSD)"),
        ("chronic_pain", "Chronic pain"),
        ("other", "Something else"),
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)",
        min_value=30,
        max_value=300,
        decimal_places=1,
        error_messages={
            "min_value": "Enter a weight between 30 and 300 kg.",
            "max_value": "Enter a weight between 30 and 300 kg.",
        },
    )
    height_cm = forms.DecimalField(
        label="Height (cm)",
        min_value=100,
        max_value=250,
        decimal_places=1,
        error_messages={
            "min_value": "Enter a height between 100 and 250 cm.",
            "max_value": "Enter a height between 100 and 250 cm.",
        },
    )
    reasons = forms.MultipleChoiceField(
        label="What would you like treatment for?",
        choices=REASONS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one reason."},
    )
    pregnant = yes_no("Are you pregnant, or could you be pregnant?")
    breastfeeding = yes_no("Are you breastfeeding?")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.sex == "male":
            del self.fields["pregnant"], self.fields["breastfeeding"]


class BloodPressureForm(StepForm):
    groups: ClassVar = (("Recent readings (optional)", "", ("reading_",), ""),)
    hypertension = yes_no("Have you ever been told you have high blood pressure?")
    bp_medicines = forms.CharField(
        label="Blood-pressure medicines you take (if any)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in (1, 2, 3):
            self.fields[f"reading_{n}_date"] = forms.DateField(
                label=f"Reading {n}: date", required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
            self.fields[f"reading_{n}_systolic"] = forms.IntegerField(
                label=f"Reading {n}: top number (systolic)", required=False
            )
            self.fields[f"reading_{n}_diastolic"] = forms.IntegerField(
                label=f"Reading {n}: bottom number (diastolic)", required=False
            )
        self.order_fields([*(f"reading_{n}_{p}" for n in (1, 2, 3) for p in ("date", "systolic", "diastolic"))])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        today = timezone.localdate()
        for n in (1, 2, 3):
            date, sys_, dia = (cleaned.get(f"reading_{n}_{p}") for p in ("date", "systolic", "diastolic"))
            if date is None and sys_ is None and dia is None:
                continue
            if sys_ is None or dia is None:
                self.add_error(f"reading_{n}_systolic", "Enter both numbers of the reading, or neither.")
                continue
            if not _plausible_bp(sys_, dia):
                self.add_error(f"reading_{n}_systolic", BP_MESSAGE)
            if date is None:
                self.add_error(f"reading_{n}_date", "Enter the date of this reading.")
            elif date > today:
                self.add_error(f"reading_{n}_date", "The date cannot be in the future.")
        return cleaned


class HistoryForm(StepForm):
    HEART = (
        ("none", "No"),
        ("controlled", "Yes, and it is under control"),
        ("uncontrolled", "Yes, and it is not under control"),
    )
    aneurysm_or_avm = yes_no("Have you ever had an aneurysm or an arteriovenous malformation (AVM)?")
    intracerebral_haemorrhage = yes_no("Have you ever had bleeding in the brain (intracerebral haemorrhage)?")
    heart_disease = forms.ChoiceField(label="Do you have heart disease?", choices=HEART, widget=forms.RadioSelect)
    arrhythmia = yes_no("Do you have an irregular heartbeat (arrhythmia)?")
    stroke = yes_no("Have you ever had a stroke?")
    seizures = yes_no("Have you ever had seizures or epilepsy?")
    raised_intracranial_pressure = yes_no("Have you been told you have raised pressure inside the skull?")
    glaucoma = yes_no("Do you have glaucoma or raised pressure in the eye?")
    liver_disease = yes_no("Do you have liver disease?")
    bladder_problems = yes_no("Do you have bladder problems?")
    interstitial_cystitis = yes_no("Have you been diagnosed with interstitial cystitis?")


class MentalHealthForm(StepForm):
    depends_on: ClassVar = {"mood_stabiliser": "bipolar", "prior_ketamine_outcome": "prior_ketamine"}
    psychosis = yes_no("Have you ever had psychosis or been diagnosed with schizophrenia?")
    bipolar = yes_no("Have you ever been diagnosed with bipolar disorder or had mania?")
    mood_stabiliser = yes_no("Do you take a mood stabiliser now?", required=False)
    prior_ketamine = yes_no("Have you had ketamine or esketamine treatment before?")
    prior_ketamine_outcome = forms.CharField(
        label="How did it go?", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("prior_ketamine") is not True:
            cleaned["prior_ketamine_outcome"] = ""
        return cleaned


def _numbered(form: forms.Form, prefix: str, items: tuple[str, ...], choices: tuple[tuple[int, str], ...]) -> None:
    for n, text in enumerate(items, start=1):
        form.fields[f"{prefix}_{n}"] = scale(f"{n}. {text}", choices)


class MoodForm(StepForm):
    groups: ClassVar = (
        ("Mood (PHQ-9)", instruments.PHQ9_STEM, ("phq9_",), ""),
        ("Anxiety (GAD-7)", instruments.GAD7_STEM, ("gad7_",), ""),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _numbered(self, "phq9", instruments.PHQ9_ITEMS, instruments.FREQUENCY)
        _numbered(self, "gad7", instruments.GAD7_ITEMS, instruments.FREQUENCY)


class PtsdForm(StepForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _numbered(self, "pcl5", instruments.PCL5_ITEMS, instruments.PCL5_SCALE)


class SafetyForm(StepForm):
    depends_on: ClassVar = {key: parent for key, _, parent in instruments.CSSRS_ITEMS if parent}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, text, parent in instruments.CSSRS_ITEMS:
            self.fields[key] = yes_no(text, required=parent is None)


class SubstancesForm(StepForm):
    depends_on: ClassVar = {"dissociative_past_year": "dissociative_ever"}
    groups: ClassVar = (
        ("Alcohol (AUDIT-C)", "", ("audit_c_",), ""),
        ("Drugs (DAST-10)", instruments.DAST10_STEM, ("dast10_",), scoring.DAST10_CREDIT),
        ("Other substance use", "", ("dissociative_", "current_", "sud_"), ""),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n, (text, choices) in enumerate(instruments.AUDIT_C_ITEMS, start=1):
            self.fields[f"audit_c_{n}"] = scale(f"{n}. {text}", choices)
        for n, text in enumerate(instruments.DAST10_ITEMS, start=1):
            self.fields[f"dast10_{n}"] = yes_no(f"{n}. {text}")
        extra = {
            "dissociative_ever": yes_no(
                "Have you ever used ketamine, PCP or another dissociative drug other than as prescribed?"
            ),
            "dissociative_past_year": yes_no("Was that in the past 12 months?", required=False),
            "current_benzodiazepine": yes_no(
                "Do you currently use benzodiazepines (for example diazepam, alprazolam)?"
            ),
            "current_opioid": yes_no("Do you currently use opioids (for example oxycodone, morphine, heroin)?"),
            "current_stimulant": yes_no("Do you currently use stimulants (for example amphetamine, cocaine)?"),
            "sud_treatment": yes_no("Have you ever been treated for a substance use problem?"),
        }
        self.fields.update(extra)


class MedicationsForm(StepForm):
    medication_list = forms.CharField(
        label="Every medicine and supplement you take, with the dose if you know it",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    med_benzodiazepine = yes_no("Do you take a benzodiazepine (for example lorazepam, clonazepam)?")
    med_lamotrigine = yes_no("Do you take lamotrigine?")
    med_maoi = yes_no("Do you take an MAOI antidepressant (for example phenelzine, tranylcypromine, selegiline)?")
    med_stimulant = yes_no("Do you take a prescribed stimulant (for example methylphenidate, amphetamine)?")
    med_opioid = yes_no("Do you take a prescribed opioid pain medicine?")


class ConsentForm(StepForm):
    consent_contact = forms.BooleanField(
        label="I agree that the clinic may contact me about this questionnaire.",
        error_messages={"required": "Please agree to be contacted, or call us to talk it through."},
    )
    consent_share = forms.BooleanField(
        label="I agree to share my answers with the clinic's care team.",
        error_messages={"required": "The care team needs your answers to review them."},
    )


# ---- Staff --------------------------------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label="Decision", choices=Decision.Kind.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Conditions, message to the patient, or reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional conditions for an approval. A request for more information needs a message for the "
        "patient; a decline or referral needs a reason.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") and cleaned["kind"] != Decision.Kind.APPROVED and not cleaned.get("note", "").strip():
            self.add_error("note", "Write the message for the patient, or the reason.")
        return cleaned


READING_MAX_AGE = dt.timedelta(days=30)


def _plausible_bp(systolic: Any, diastolic: Any) -> bool:
    """The scoring contract's plausibility rule, for a form's message (home readings and in-clinic ones)."""
    try:
        scoring.validate_blood_pressure(systolic, diastolic)
    except ValueError:
        return False
    return True


class BloodPressureReadingForm(forms.Form):
    systolic = forms.IntegerField(label="Systolic (top number)")
    diastolic = forms.IntegerField(label="Diastolic (bottom number)")
    taken_at = forms.DateTimeField(
        label="Taken at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        validators=[validate_datetime_range],
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        systolic, diastolic = cleaned.get("systolic"), cleaned.get("diastolic")
        if systolic is not None and diastolic is not None and not _plausible_bp(systolic, diastolic):
            self.add_error("systolic", BP_MESSAGE)
        taken_at = cleaned.get("taken_at")
        if taken_at and taken_at > timezone.now():
            self.add_error("taken_at", "The time cannot be in the future.")
        elif taken_at and taken_at < timezone.now() - READING_MAX_AGE:
            # Every in-clinic reading feeds the flags of later versions: an old one would describe someone else.
            self.add_error("taken_at", "Record a reading from the last 30 days.")
        return cleaned


class QueueFilterForm(forms.Form):
    STATUS = (
        ("", "Awaiting review, and drafts with an urgent alert"),
        ("all", "All"),
        *(
            (v, label)
            for v, label in [
                ("in_progress", "In progress"),
                ("more_info", "More information requested"),
                ("approved", "Approved"),
                ("declined", "Declined"),
                ("referred", "Referred elsewhere"),
            ]
        ),
    )
    SEVERITY = (
        ("", "Any"),
        ("urgent", "Urgent"),
        ("exclusion", "Exclusion or worse"),
        ("review", "Needs review or worse"),
    )
    status = forms.ChoiceField(choices=STATUS, required=False, widget=forms.Select(attrs={"class": "form-select"}))
    severity = forms.ChoiceField(
        label="Flags", choices=SEVERITY, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def values(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", ""
        return self.cleaned_data["status"], self.cleaned_data["severity"]
