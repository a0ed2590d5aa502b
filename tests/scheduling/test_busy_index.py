"""The busy-time query of every slot check reads through an index, not the whole future of the table (issue 12)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.utils import timezone

from clinic.lib.time import clinic_tz
from scheduling.management.commands.bench_slots import generate, make_clinic
from scheduling.models import Appointment
from scheduling.selectors import busy_appointments

pytestmark = pytest.mark.django_db


def _plan(rows: int) -> tuple[str, list[int]]:
    appointment_type, providers = make_clinic(providers=10, days=30)
    made = generate(
        appointment_type=appointment_type, providers=providers, days=30, appointments=rows, rng=random.Random(7)
    )
    assert made == rows
    start = dt.datetime.combine(timezone.localdate(timezone=clinic_tz()), dt.time(), tzinfo=clinic_tz())
    query = busy_appointments(provider_ids=[p.pk for p in providers], start=start, end=start + dt.timedelta(days=2))
    sql, params = query.values_list("provider_id", "blocked_start", "blocked_end").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE scheduling_appointment")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    return plan, [p.pk for p in providers]


@pytest.mark.postgres
def test_postgres_plan_uses_the_range_index_at_100k_future_rows() -> None:
    plan, _ = _plan(100_000)
    assert "sched_appt_no_overlap" in plan, plan
    assert "Seq Scan on scheduling_appointment" not in plan, plan


def test_sqlite_plan_bounds_the_start_through_its_index() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    plan, _ = _plan(2_000)
    assert "sched_appt_provider_start_idx (provider_id=? AND blocked_start>? AND blocked_start<?)" in plan, plan


def test_busy_appointments_finds_exactly_the_overlapping_ones() -> None:
    from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, provider_with_hours

    kind = AppointmentTypeFactory(duration=dt.timedelta(hours=12), buffer_before=dt.timedelta(hours=4))
    one, two = provider_with_hours(kind), provider_with_hours(kind)
    at = dt.datetime(2030, 1, 10, 12, tzinfo=dt.UTC)
    # blocked from 15 hours before ``at`` to an hour after: the longest visit reaches back into the window
    longest = AppointmentFactory(provider=one, appointment_type=kind, start=at - dt.timedelta(hours=11))
    # blocked until a minute before ``at``, and from ``at`` on: both touch the window without overlapping it
    AppointmentFactory(provider=two, appointment_type=kind, start=at - dt.timedelta(hours=12, minutes=1))
    AppointmentFactory(provider=two, appointment_type=kind, start=at + dt.timedelta(hours=4))
    found = busy_appointments(provider_ids=[one.pk, two.pk], start=at - dt.timedelta(minutes=1), end=at)
    assert list(found) == [longest]
    assert Appointment.objects.count() == 3


def _slot_query_plan(rows: int) -> str:
    """The plan of the query ``slot_is_available`` runs (``selectors.booking._availability_query``), values bound."""
    from scheduling.selectors.booking import _availability_query

    appointment_type, providers = make_clinic(providers=10, days=30)
    generate(appointment_type=appointment_type, providers=providers, days=30, appointments=rows, rng=random.Random(7))
    day = timezone.localdate(timezone=clinic_tz()) + dt.timedelta(days=3)
    start = dt.datetime.combine(day, dt.time(), tzinfo=clinic_tz())
    query = _availability_query(
        vendor=connection.vendor, providers=1, one_provider=True, with_busy=True, ignoring=False
    )
    params = query.params_for(
        {
            "provider0": providers[0].pk,
            "appointment_type": appointment_type.pk,
            "first_day": day,
            "last_day": day,
            "window_start": start - dt.timedelta(days=1),
            "window_end": start + dt.timedelta(days=2),
        }
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE scheduling_appointment")
            cursor.execute(f"EXPLAIN {query.sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {query.sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.postgres
def test_postgres_slot_query_asks_the_range_index_for_the_provider_and_window_at_100k_rows() -> None:
    plan = _slot_query_plan(100_000)
    assert "Seq Scan on scheduling_appointment" not in plan, plan
    # Typed parameters: ``provider_id = 1`` (an integer) would leave the bigint column out of the GiST index condition
    # and read all of the provider's rows through the plain provider index instead.
    index_scan = plan[plan.index("sched_appt_no_overlap") :]
    assert "Index Cond: ((provider_id = " in index_scan, plan


def test_sqlite_slot_query_bounds_the_start_through_its_index() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    plan = _slot_query_plan(2_000)
    assert "sched_appt_provider_start_idx (provider_id=? AND blocked_start>? AND blocked_start<?)" in plan, plan
