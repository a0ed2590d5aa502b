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
    # Logged in at once (issue 11), and on to the screening (issue 8).
    assert response["Location"] == reverse("intake:home")
    assert client.session["_auth_user_id"] == str(patient.user.pk)
    assert client.get(response["Location"]).status_code == 200
