from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from clinic.lib.timezones import TimeZoneField
from clinic.models import Patient, User
from clinic.services import password_reset_request


class DateInput(forms.DateInput):
    input_type = "date"


class PatientProfileForm(forms.ModelForm):
    time_zone = TimeZoneField(label="Time zone", help_text="Times are shown to you in this zone.")

    class Meta:
        model = Patient
        fields: ClassVar = [
            "legal_first_name",
            "legal_last_name",
            "preferred_name",
            "date_of_birth",
            "sex_at_birth",
            "phone",
            "time_zone",
            "emergency_contact_name",
            "emergency_contact_phone",
        ]
        widgets: ClassVar = {"date_of_birth": DateInput()}
        labels: ClassVar = {"sex_at_birth": "Sex assigned at birth"}
        help_texts: ClassVar = {
            "sex_at_birth": "Some screening questions are scored differently by sex at birth.",
            "phone": "A US number, or an international number starting with +.",
        }
        # Django's message repeats the value sent, whatever it is (100,000 characters, control characters).
        error_messages: ClassVar = {"sex_at_birth": {"invalid_choice": "Choose one of the options."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = "true"


class SignUpForm(PatientProfileForm):
    # The form's own limit is 320 characters; the column holds fewer (a longer address failed in the database).
    email = forms.EmailField(
        max_length=User._meta.get_field("email").max_length, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Avoid common passwords.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta(PatientProfileForm.Meta):
        fields: ClassVar = [f for f in PatientProfileForm.Meta.fields if not f.startswith("emergency")]

    field_order: ClassVar = ["email", "password1", "password2"]

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords do not match.")
        elif password1:
            candidate = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("legal_first_name", ""),
                last_name=cleaned.get("legal_last_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def profile_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PatientProfileForm.Meta.fields if name in self.cleaned_data}


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages: ClassVar = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an active account. Check both and try again.",
    }


class OutboxPasswordResetForm(PasswordResetForm):
    """Queues the reset email in the outbox instead of talking to SMTP during the request."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        password_reset_request(email=self.cleaned_data["email"])


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split()).lower()


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Find a patient", required=False, max_length=100)
