from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from clinic.services.accounts import patient_register
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_booked_visitor_lands_on_the_screening_after_setting_a_password(client: Client, on_commit):
    with on_commit(execute=True):
        patient = patient_register(
            email="visitor@example.com",
            legal_first_name="Vic",
            legal_last_name="Tor",
            date_of_birth=dt.date(1990, 1, 1),
            phone="+16175550111",
        )
    path = re.search(r"testserver(/account/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(path)["Location"]
    response = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response["Location"] == reverse("clinic:password-reset-complete") + "?next=%2Fportal%2Fscreening%2F"
    page = client.get(response["Location"])
    assert b"continue to your health questionnaire" in page.content
    login = client.post(
        reverse("clinic:login") + "?next=/portal/screening/",
        {"username": patient.user.email, "password": PASSWORD, "next": "/portal/screening/"},
    )
    assert login["Location"] == reverse("intake:home")
