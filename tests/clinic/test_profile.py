from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROFILE = reverse("clinic:profile")


def test_owner_updates_their_details(patient, patient_client: Client) -> None:
    data = {
        "legal_first_name": patient.legal_first_name,
        "legal_last_name": patient.legal_last_name,
        "preferred_name": "Sunny",
        "date_of_birth": "1985-06-01",
        "sex_at_birth": "female",
        "phone": "+16175550111",
        "time_zone": "Europe/London",
        "emergency_contact_name": "Kim",
        "emergency_contact_phone": "617 555 0177",
    }
    response = patient_client.post(PROFILE, data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.preferred_name, patient.time_zone, patient.emergency_contact_phone.as_e164) == (
        "Sunny",
        "Europe/London",
        "+16175550177",
    )
    assert patient.history.count() == 2


def test_bad_input_keeps_what_was_typed(patient_client: Client) -> None:
    response = patient_client.post(PROFILE, {"legal_first_name": "Kept", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert b'value="Kept"' in response.content
    assert b"Choose a time zone from the list." in response.content


def test_anonymous_is_sent_to_login(anon_client: Client) -> None:
    assert reverse("clinic:login") in anon_client.get(PROFILE)["Location"]


def test_staff_without_patient_profile_gets_403(nurse, staff_client_for) -> None:
    assert staff_client_for(nurse).get(PROFILE).status_code == 403


def test_wrong_method(patient_client: Client) -> None:
    assert patient_client.delete(PROFILE).status_code == 405


def test_the_saved_zone_is_not_replaced_by_the_browsers(patient_client: Client) -> None:
    """The page's script puts the browser's zone in an unbound form; the profile holds a saved one, so its form is
    marked bound and the script leaves it alone."""
    page = patient_client.get(PROFILE).content.decode()
    form = next(tag for tag in re.findall(r"<form[^>]*>", page) if 'method="post"' in tag and "novalidate" in tag)
    assert 'data-bound="true"' in form


def test_a_choice_that_is_not_offered_is_refused_without_echoing_it(patient_client: Client) -> None:
    response = patient_client.post(PROFILE, {"sex_at_birth": "x" * 5000 + "<b>"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Choose one of the options." in content and "x" * 5000 not in content
