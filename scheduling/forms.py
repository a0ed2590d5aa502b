"""Forms of the booking flow, the patient's own appointments and the staff screens."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from phonenumber_field.formfields import PhoneNumberField

from clinic.forms import DateInput
from clinic.lib.time import URL_DATE_YEARS, clamp_url_date, clinic_tz, in_input_range, validate_datetime_range
from clinic.lib.timezones import TimeZoneField, canonical_zone, offered_zones, zone_label
from clinic.models import User
from clinic.selectors import user_by_email
from clinic.validators import validate_date_of_birth, validate_person_name
from scheduling import selectors
from scheduling.models import AppointmentType, MarkAction, Provider, validate_time_block


def slot_param(start: dt.datetime) -> str:
    """How a slot's start travels in a URL: UTC, minute precision, no '+' to escape."""
    return start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_slot_param(value: str) -> dt.datetime | None:
    """The one parser of a slot start from a URL or form: aware, in the input range, as UTC; else None."""
    try:
        start = dt.datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError, TypeError):
        return None
    if timezone.is_naive(start) or not in_input_range(start):
        return None
    return start.astimezone(dt.UTC)


SLOT_ERRORS = {
    "provider": "That provider does not offer this consultation. Please choose a time again.",
    "start": "That time is not valid. Please choose a time again.",
    "past": "That time has already passed. Please choose a later time.",
}


def clean_slot_start(value: str) -> dt.datetime:
    """A slot start from a form: well formed, aware and still in the future."""
    start = parse_slot_param(value)
    if start is None:
        raise forms.ValidationError(SLOT_ERRORS["start"], code="invalid")
    if start <= timezone.now():
        raise forms.ValidationError(SLOT_ERRORS["past"], code="past")
    return start


def valid_zone(name: str | None, default: str) -> str:
    """The named zone when it is a real one, by its current name (an old alias such as US/Pacific, which some browsers
    still report, gives America/Los_Angeles); else ``default`` (a tampered ?tz= never breaks a page)."""
    zone = canonical_zone(name)
    return zone if zone in offered_zones() else canonical_zone(default) or default


class TimeZoneForm(forms.Form):
    tz = TimeZoneField(label="Show times in")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tz"].widget.attrs.update({"data-detect-time-zone": "true", "class": "form-select"})


class SlotForm(forms.Form):
    """The chosen slot: a provider who offers the type (or, with ``any_provider``, none yet: the first available
    clinician is chosen when booking) and an aware start."""

    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), widget=forms.HiddenInput)
    start = forms.CharField(max_length=40, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, appointment_type: AppointmentType, any_provider: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.appointment_type = appointment_type
        self.fields["provider"].required = not any_provider
        self.fields["provider"].queryset = selectors.providers_for_type(appointment_type=appointment_type)
        self.fields["provider"].error_messages["invalid_choice"] = SLOT_ERRORS["provider"]
        self.fields["provider"].error_messages["required"] = SLOT_ERRORS["provider"]
        self.fields["start"].error_messages["required"] = SLOT_ERRORS["start"]

    def clean_start(self) -> dt.datetime:
        return clean_slot_start(self.cleaned_data["start"])


class BookingConfirmForm(SlotForm):
    # A fresh key per confirm page: a double submit or a retried POST books once.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    @staticmethod
    def with_new_key(data: QueryDict) -> QueryDict:
        """The GET that shows the confirm page carries only the slot: give it a new key."""
        data = data.copy()
        data["idempotency_key"] = str(uuid.uuid4())
        return data


class StaffBookingConfirmForm(BookingConfirmForm):
    """The front desk's confirm. ``short_notice`` asks to book a time inside the type's online minimum notice; the
    view refuses it, before anything else, to a user without ``scheduling.book_short_notice``."""

    short_notice = forms.BooleanField(required=False, widget=forms.HiddenInput)

    @classmethod
    def asks_short_notice(cls, data: QueryDict) -> bool:
        """Whether the request carries the flag, read as the field reads it but before any other validation."""
        return bool(cls.base_fields["short_notice"].to_python(data.get("short_notice")))


class RescheduleForm(forms.Form):
    start = forms.CharField(max_length=40, widget=forms.HiddenInput)

    def clean_start(self) -> dt.datetime:
        return clean_slot_start(self.cleaned_data["start"])


class VisitorDetailsForm(forms.Form):
    """Who is booking, when they are not logged in (or when the front desk adds a new patient)."""

    legal_first_name = forms.CharField(label="Legal first name", max_length=100, validators=[validate_person_name])
    legal_last_name = forms.CharField(label="Legal last name", max_length=100, validators=[validate_person_name])
    email = forms.EmailField(
        label="Email",
        max_length=User._meta.get_field("email").max_length,  # the column's limit, not the form's 320
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send the confirmation here, with a link to set a password for your account.",
    )
    phone = PhoneNumberField(
        label="Phone",
        help_text="A US number, or an international number starting with +.",
        error_messages={"invalid": "Enter a valid phone number, for example 617 555 0101 or +44 20 7946 0958."},
    )
    date_of_birth = forms.DateField(label="Date of birth", widget=DateInput, validators=[validate_date_of_birth])
    time_zone = TimeZoneField(label="Your time zone", help_text="Emails show times in this zone.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = "true"
        self.fields["legal_first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["legal_last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).strip()

    def to_session(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            "legal_first_name": data["legal_first_name"],
            "legal_last_name": data["legal_last_name"],
            "email": data["email"],
            "phone": str(data["phone"]),
            "date_of_birth": data["date_of_birth"].isoformat(),
            "time_zone": data["time_zone"],
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StaffCancelForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class MarkForm(forms.Form):
    action = forms.ChoiceField(
        choices=MarkAction.choices,
        error_messages={"invalid_choice": "Choose arrived, completed or no-show."},
    )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class TimeBlockForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), empty_label=None)
    start = forms.DateTimeField(
        label="From", widget=DateTimeLocalInput, input_formats=["%Y-%m-%dT%H:%M"], validators=[validate_datetime_range]
    )
    end = forms.DateTimeField(
        label="Until", widget=DateTimeLocalInput, input_formats=["%Y-%m-%dT%H:%M"], validators=[validate_datetime_range]
    )
    reason = forms.CharField(label="Reason", max_length=200)

    def __init__(self, *args: Any, providers: QuerySet[Provider], **kwargs: Any) -> None:
        """``providers``: the calendars this user may block (``selectors.providers_user_may_block``)."""
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        zone = zone_label(settings.CLINIC_TIME_ZONE)
        self.fields["start"].help_text = f"Clinic time ({zone})."
        self.fields["end"].help_text = f"Clinic time ({zone})."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            try:
                validate_time_block(start=start, end=end)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class CalendarForm(forms.Form):
    """The staff calendar's GET parameters; anything invalid falls back to today, all providers."""

    view = forms.ChoiceField(choices=[("day", "Day"), ("week", "Week")], required=False)
    date = forms.DateField(required=False, widget=DateInput)
    provider = forms.ModelChoiceField(queryset=Provider.objects.none(), required=False, empty_label="All providers")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = selectors.providers()
        self.fields["provider"].widget.attrs["class"] = "form-select"
        self.fields["view"].widget.attrs["class"] = "form-select"
        self.fields["date"].widget.attrs["class"] = "form-control"

    def values(self) -> tuple[str, dt.date, Provider | None]:
        data = self.cleaned_data if self.is_valid() else {}
        day = clamp_url_date(data["date"]) if data.get("date") else timezone.localdate(timezone=clinic_tz())
        return data.get("view") or "day", day, data.get("provider")

    @property
    def date_note(self) -> str:
        """Said when the date asked for lies beyond the calendar's reach and a nearer one is shown instead."""
        asked = self.cleaned_data.get("date") if self.is_valid() else None
        if asked is None or clamp_url_date(asked) == asked:
            return ""
        return f"The calendar reaches {URL_DATE_YEARS} years either side of today, so it shows the nearest date it can."


class StaffTypeForm(forms.Form):
    type = forms.ModelChoiceField(
        label="Consultation", queryset=AppointmentType.objects.none(), to_field_name="slug", empty_label=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = selectors.bookable_types()


class StaffNewPatientForm(VisitorDetailsForm):
    """A new patient added by the front desk; an existing email must be found, not duplicated."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = "The patient gets an email here with a link to set a password."
        self.fields["time_zone"].label = "Patient's time zone"
        del self.fields["time_zone"].widget.attrs["data-detect-time-zone"]

    def clean_email(self) -> str:
        email = super().clean_email()
        if user_by_email(email) is not None:
            raise forms.ValidationError(
                "Someone already has an account with this email. Search for the patient instead.", code="exists"
            )
        return email

    def registration_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items()}
