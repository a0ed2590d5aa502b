from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from intake.models import Screening, UrgentAlert

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_one_screening_of_each_kind_once(settings):
    settings.DEBUG = True
    for _ in range(2):
        call_command("seed_demo", stdout=io.StringIO())
    by_email = {s.patient.user.email.split("@")[0]: s for s in Screening.objects.select_related("patient__user")}
    assert set(by_email) == {
        "screening-clean",
        "screening-review",
        "screening-urgent",
        "screening-excluded",
        "screening-course",
    }
    assert by_email["screening-course"].status == "approved"
    assert by_email["screening-clean"].status == "approved" and by_email["screening-clean"].severity_rank == 0
    assert by_email["screening-review"].severity_rank == 2
    assert by_email["screening-urgent"].severity_rank == 4
    assert by_email["screening-excluded"].severity_rank == 3
    assert UrgentAlert.objects.count() == 1
