"""An email longer than the account's column is refused by the form, not by the database.

Django's form EmailField accepts up to 320 characters, while ``User.email`` holds 254: a 262-character address went
through sign-up and visitor booking, was stored whole on SQLite, and fails with a database error on PostgreSQL.
"""

from __future__ import annotations

import pytest

from clinic.forms import SignUpForm
from clinic.models import User
from scheduling.forms import StaffNewPatientForm, VisitorDetailsForm

LONG_EMAIL = "x" * 250 + "@example.com"  # 262 characters: valid to Django's EmailValidator, too long for the column


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", [SignUpForm, VisitorDetailsForm, StaffNewPatientForm])
def test_an_email_longer_than_the_column_is_a_form_error(form_class: type) -> None:
    assert len(LONG_EMAIL) > User._meta.get_field("email").max_length
    form = form_class(data={"email": LONG_EMAIL})
    assert not form.is_valid()
    assert "email" in form.errors
