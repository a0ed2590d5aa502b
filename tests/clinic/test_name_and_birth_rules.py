"""One rule for names and one for dates of birth, in every form that takes them (issue 12, finding 14)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from clinic import services
from clinic.forms import PatientProfileForm, SignUpForm
from clinic.validators import validate_person_name
from scheduling.forms import StaffNewPatientForm, VisitorDetailsForm
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

BAD_NAMES = [
    "\u200b\u200b",  # zero-width spaces only
    "\u202e\u202e",  # right-to-left overrides only
    "\u2066\u2069",  # an isolate and its end
    "Ann\u202egnp.exe",  # an override inside a name reorders what staff see
    "\u0301\u0301",  # combining accents with no letter
    "Ann\x07",  # a control character
    "---",
]
GOOD_NAMES = [
    "O'Brien",
    "José",
    "Zoë-Anne",
    "李",
    "محمد",
    "Nguyễn Văn",
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
]  # the last: Persian with a ZWNJ


@pytest.mark.parametrize("name", BAD_NAMES)
def test_names_need_a_letter_and_no_hidden_direction_or_control_characters(name: str) -> None:
    with pytest.raises(Exception, match=r"letter|direction|control"):
        validate_person_name(name)


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_real_names_in_any_script_pass(name: str) -> None:
    validate_person_name(name)


PROFILE = {
    "legal_first_name": "Ann",
    "legal_last_name": "Lee",
    "preferred_name": "",
    "date_of_birth": "1985-06-01",
    "sex_at_birth": "female",
    "phone": "+16175550111",
    "time_zone": "Europe/London",
    "emergency_contact_name": "",
    "emergency_contact_phone": "",
}
VISITOR = {
    "legal_first_name": "Ann",
    "legal_last_name": "Lee",
    "email": "ann.lee@example.com",
    "phone": "617 555 0101",
    "date_of_birth": "1990-02-03",
    "time_zone": "America/Denver",
}
SIGN_UP = {**PROFILE, "email": "ann.lee@example.com", "password1": "a-long-pass-phrase-9", "password2": ""}
SIGN_UP["password2"] = SIGN_UP["password1"]

NAME_FIELDS = {
    PatientProfileForm: ["legal_first_name", "legal_last_name", "preferred_name", "emergency_contact_name"],
    SignUpForm: ["legal_first_name", "legal_last_name", "preferred_name"],
    VisitorDetailsForm: ["legal_first_name", "legal_last_name"],
    StaffNewPatientForm: ["legal_first_name", "legal_last_name"],
}
BASE_DATA = {
    PatientProfileForm: PROFILE,
    SignUpForm: SIGN_UP,
    VisitorDetailsForm: VISITOR,
    StaffNewPatientForm: VISITOR,
}
CASES = [(form, field) for form, fields in NAME_FIELDS.items() for field in fields]


@pytest.mark.parametrize(("form_class", "field"), CASES, ids=[f"{f.__name__}.{n}" for f, n in CASES])
def test_every_form_that_takes_a_name_applies_the_rule(form_class, field: str) -> None:
    assert form_class(BASE_DATA[form_class]).is_valid(), form_class(BASE_DATA[form_class]).errors
    form = form_class({**BASE_DATA[form_class], field: "\u202e\u200b"})
    assert not form.is_valid()
    assert "text-direction" in str(form.errors[field])


@pytest.mark.parametrize("form_class", list(BASE_DATA))
@pytest.mark.parametrize(("born", "message"), [("0001-01-01", "year of birth"), ("2999-01-01", "future")])
def test_every_form_that_takes_a_birth_date_checks_its_range(form_class, born: str, message: str) -> None:
    form = form_class({**BASE_DATA[form_class], "date_of_birth": born})
    assert not form.is_valid()
    assert message in str(form.errors["date_of_birth"])


def test_profile_page_refuses_year_one_and_invisible_names(patient, patient_client) -> None:
    data = {**PROFILE, "legal_first_name": "\u200b", "date_of_birth": "0001-01-01"}
    response = patient_client.post(reverse("clinic:profile"), data)
    assert response.status_code == 200
    assert b"at least one letter" in response.content and b"year of birth" in response.content
    patient.refresh_from_db()
    assert patient.legal_first_name != "\u200b"


def test_text_emails_are_not_html_escaped_but_the_html_part_is() -> None:
    patient = PatientFactory(preferred_name="O'Brien <Jo> & co")
    notification = services.notification_enqueue(
        kind="clinic/account_exists", idempotency_key="k", recipient=patient.user
    )
    services.notification_send(notification_id=notification.pk)
    message = mail.outbox[0]
    assert "Hello O'Brien <Jo> & co," in message.body
    assert "&#x27;" not in message.body and "&lt;" not in message.body and "&amp;" not in message.body
    assert "O&#x27;Brien &lt;Jo&gt; &amp; co" in message.alternatives[0][0]
