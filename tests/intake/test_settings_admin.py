"""The clinic settings in admin: a typo must not silently break the urgent path or the blood-pressure flags."""

from __future__ import annotations

import pytest

from intake import selectors
from tests.conftest import verified_client

pytestmark = pytest.mark.django_db

URL = "/admin/intake/clinicsettings/1/change/"


def _post(clinic_admin, **change: str):
    row = selectors.clinic_settings()
    data = {
        "bp_review_systolic": str(row.bp_review_systolic),
        "bp_review_systolic_source": row.bp_review_systolic_source,
        "bp_review_diastolic": str(row.bp_review_diastolic),
        "bp_review_diastolic_source": row.bp_review_diastolic_source,
        "oncall_recipients": "oncall@clinic.example\nsecond@clinic.example",
        "oncall_recipients_source": "Rota",
        "_save": "Save",
    } | change
    return verified_client(clinic_admin).post(URL, data)


def test_good_settings_are_saved(clinic_admin):
    response = _post(clinic_admin, bp_review_systolic="150", bp_review_diastolic="95")
    assert response.status_code == 302
    row = selectors.clinic_settings()
    assert row.recipients == ["oncall@clinic.example", "second@clinic.example"] and row.bp_review_systolic == 150


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"oncall_recipients": "not-an-email"}, "not an email address"),
        ({"oncall_recipients": "a@clinic.example, b@clinic.example"}, "not an email address"),
        ({"bp_review_systolic": "0"}, "50 to 300"),
        ({"bp_review_diastolic": "300"}, "50 to 300"),
        ({"bp_review_systolic": "80", "bp_review_diastolic": "90"}, "50 to 300"),
    ],
)
def test_a_setting_that_would_break_alerts_or_flags_is_refused_with_a_message(clinic_admin, change, message):
    before = selectors.clinic_settings()
    response = _post(clinic_admin, **change)
    assert response.status_code == 200 and message in response.content.decode()
    after = selectors.clinic_settings()
    assert (after.oncall_recipients, after.bp_review_systolic) == (before.oncall_recipients, before.bp_review_systolic)
