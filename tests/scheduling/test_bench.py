from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from scheduling.models import Appointment, Provider


def test_bench_command_reports_median_and_p95_on_a_small_clinic(db) -> None:
    out = io.StringIO()
    call_command(
        "bench_slots",
        "--use-current-database",
        "--providers=2",
        "--days=5",
        "--appointments=300",
        "--runs=3",
        stdout=out,
        stderr=io.StringIO(),
    )
    text = out.getvalue()
    assert "Generated 2 providers and 300 appointments" in text
    assert "6 queries per call" in text
    assert "median" in text
    assert "p95" in text
    assert Provider.objects.count() == 2
    assert Appointment.objects.count() == 300


def test_bench_refuses_a_database_with_providers(db) -> None:
    from django.core.management.base import CommandError

    from tests.scheduling.factories import ProviderFactory

    ProviderFactory()
    with pytest.raises(CommandError):
        call_command("bench_slots", "--use-current-database", "--runs=1", stdout=io.StringIO(), stderr=io.StringIO())
