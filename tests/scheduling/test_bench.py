from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from scheduling.models import Appointment, Provider


def test_bench_command_reports_the_sweep_and_one_provider_day_at_each_size(db) -> None:
    out = io.StringIO()
    call_command(
        "bench_slots",
        "--use-current-database",
        "--providers=2",
        "--days=5",
        "--sizes=100,300",
        "--runs=3",
        stdout=out,
        stderr=io.StringIO(),
    )
    text = out.getvalue()
    assert "100 appointments, 2 providers" in text
    assert "300 appointments, 2 providers" in text
    assert text.count("5-day sweep:     median") == 2
    assert text.count("one provider-day: median") == 2
    assert "(3 runs of 10 calls" in text
    assert "one provider-day at 300 rows is" in text
    assert Provider.objects.count() == 2
    assert Appointment.objects.count() == 300


def test_bench_rows_are_future_heavy(db) -> None:
    from django.utils import timezone

    call_command(
        "bench_slots",
        "--use-current-database",
        "--providers=2",
        "--days=5",
        "--sizes=400",
        "--runs=1",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    future = Appointment.objects.filter(start__gt=timezone.now() + timezone.timedelta(days=6)).count()
    assert future > 300


def test_bench_refuses_a_database_with_providers(db) -> None:
    from django.core.management.base import CommandError

    from tests.scheduling.factories import ProviderFactory

    ProviderFactory()
    with pytest.raises(CommandError):
        call_command("bench_slots", "--use-current-database", "--runs=1", stdout=io.StringIO(), stderr=io.StringIO())
