"""Forms of the infusion course screens. They parse and label; the rules live in ``scheduling.services.courses``."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime

from clinic.lib.time import clamp_url_date, clinic_tz, validate_datetime_range
from clinic.lib.timezones import zone_label
from intake import instruments
from scheduling.models import InfusionCourse, Protocol, VitalSignReading
from scheduling.models.courses import Indication
from scheduling.selectors.courses import active_chairs


class WallDateTimeField(forms.DateTimeField):
    """A date and time as a clock in ``zone`` shows it (set by the form; the clinic's zone by default), made aware in
    that zone rather than the server's.

    A time the clocks skip (the hour lost when daylight saving starts) is refused in plain words; a value that carries
    its own UTC offset is taken at that offset.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    zone: zoneinfo.ZoneInfo | None = None

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            result = value
        else:
            try:
                result = parse_datetime(str(value).strip())
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            if result is None:
                result = super(forms.DateTimeField, self).to_python(str(value))  # the input formats
        aware = result if result.tzinfo else result.replace(tzinfo=self.zone or clinic_tz())
        validate_datetime_range(aware)  # year 1 or 9999 would overflow the session's arithmetic
        if result.tzinfo is None:
            self._check_exists(result, aware.tzinfo)
        return aware

    @staticmethod
    def _check_exists(wall: dt.datetime, zone: Any) -> None:
        if wall.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != wall:
            when = f"{wall:%I:%M %p} on {wall:%A, %B} {wall.day}, {wall.year}".lstrip("0")
            raise ValidationError(
                "%(when)s does not exist in %(zone)s: the clocks go forward an hour that night. Choose another time.",
                code="nonexistent",
                params={"when": when, "zone": zone_label(zone.key)},
            )


class CourseFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *InfusionCourse.Status.choices], required=False)
    protocol = forms.ModelChoiceField(queryset=Protocol.objects.all(), required=False, empty_label="Any protocol")
    q = forms.CharField(label="Patient name", required=False, max_length=100)

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"status": "", "protocol": None, "query": ""}
        data = self.cleaned_data
        return {"status": data["status"], "protocol": data["protocol"], "query": data["q"].strip()}


class CourseCreateForm(forms.Form):
    protocol = forms.ModelChoiceField(queryset=Protocol.objects.filter(active=True))
    indication = forms.ChoiceField(choices=Indication.choices)
    acknowledge_exclusions = forms.BooleanField(
        label="I have read the screening's exclusion flags and accept them for this course", required=False
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class VitalsForm(forms.Form):
    phase = forms.ChoiceField(choices=VitalSignReading.Phase.choices)
    systolic = forms.IntegerField(label="Systolic (mmHg)")
    diastolic = forms.IntegerField(label="Diastolic (mmHg)")
    heart_rate = forms.IntegerField(label="Heart rate (/min)")
    spo2 = forms.IntegerField(label="SpO2 (%)")
    respiratory_rate = forms.IntegerField(label="Respiratory rate (/min)")


class DoseForm(forms.Form):
    weight_kg = forms.DecimalField(label="Weight today (kg)", max_digits=5, decimal_places=1)
    dose_mg = forms.DecimalField(
        label="Dose (mg), only to change the computed dose", max_digits=6, decimal_places=1, required=False
    )
    reason = forms.CharField(label="Reason for a changed dose", required=False, max_length=2000)
    lot_number = forms.CharField(label="Lot number", required=False, max_length=60)


class ChecklistForm(forms.Form):
    alert_and_oriented = forms.BooleanField(label="Alert and oriented", required=False)
    nausea_controlled = forms.BooleanField(label="Nausea controlled", required=False)
    escort_present = forms.BooleanField(label="Escort present", required=False)
    no_driving_acknowledged = forms.BooleanField(label="No driving today acknowledged", required=False)
    escort_name = forms.CharField(label="Escort's name", required=False, max_length=120)


class NotesForm(forms.Form):
    adverse_events = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)
    interventions = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)


class PlanRowForm(forms.Form):
    """One session of a plan: a local date and time in the clinic's zone, and a chair."""

    start = WallDateTimeField(label="Date and time")
    chair = forms.ModelChoiceField(queryset=active_chairs())


PlanFormSet = forms.formset_factory(PlanRowForm, extra=0, max_num=30, validate_max=True)


class PlanStartForm(forms.Form):
    first_day = forms.DateField(label="First session on or after", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_first_day(self) -> dt.date:
        return clamp_url_date(self.cleaned_data["first_day"])  # a far date from the URL shows the nearest plan


def measure_form_class(instrument: str) -> type[forms.Form]:
    """The patient's form for one instrument, worded as the screening words it (``intake.instruments``)."""
    if instrument == "pain":
        scale = [(n, str(n)) for n in range(11)]
        stem = "Pain"
        fields: dict[str, object] = {
            "item_1": forms.TypedChoiceField(
                label="Your pain right now, from 0 (no pain) to 10 (the worst pain you can imagine)",
                choices=scale,
                coerce=int,
                widget=forms.RadioSelect,
            )
        }
    else:
        stem, items, scale = {
            "phq9": (instruments.PHQ9_STEM, instruments.PHQ9_ITEMS, instruments.FREQUENCY),
            "gad7": (instruments.GAD7_STEM, instruments.GAD7_ITEMS, instruments.FREQUENCY),
            "pcl5": (instruments.PCL5_STEM, instruments.PCL5_ITEMS, instruments.PCL5_SCALE),
        }[instrument]
        fields = {
            f"item_{n}": forms.TypedChoiceField(label=text, choices=scale, coerce=int, widget=forms.RadioSelect)
            for n, text in enumerate(items, start=1)
        }
    # ``stem``: the instrument's own opening words (its published wording), the fieldset's legend.
    return type(f"{instrument.title()}Form", (forms.Form,), {**fields, "stem": stem})


def measure_answers(form: forms.Form) -> list[int]:
    return [form.cleaned_data[name] for name in sorted(form.fields, key=lambda n: int(n.split("_")[1]))]


class CssrsForm(forms.Form):
    """The C-SSRS screener; questions that do not apply may be left unanswered."""

    stem = instruments.CSSRS_STEM

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, text, _depends in instruments.CSSRS_ITEMS:
            self.fields[key] = forms.TypedChoiceField(
                label=text,
                choices=[("yes", "Yes"), ("no", "No")],
                coerce=lambda v: v == "yes",
                widget=forms.RadioSelect,
                required=key in ("wish_dead", "thoughts"),
                empty_value=None,
            )

    def answers(self) -> dict[str, bool]:
        # A "yes" is never dropped, even where the branching would not have asked (as in intake.scoring).
        return {key: value for key, value in self.cleaned_data.items() if value is not None}


class PatientMoveForm(forms.Form):
    """A new date and time for a session, in the patient's own time zone (named in the label)."""

    start = WallDateTimeField(label="New date and time")

    def __init__(self, *args: Any, tz: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.fields["start"].zone = zoneinfo.ZoneInfo(tz)
        self.fields["start"].label = f"New date and time ({zone_label(tz)})"
