"""Time slot search on a generated clinic: 10 providers, 30 days, at 1,000 and 100,000 appointments.

Two figures per size:

- the 30-day sweep: one ``available_slots`` call for all providers over 30 days (target: median < 50 ms);
- one provider-day: ``slot_is_available``, the check every booking confirm and reschedule runs, called once per
  provider and day of the same 30 days (300 calls), total divided by 300 (target on PostgreSQL: < 2.5 ms at
  100,000 rows and at most 1.5 times the 1,000-row figure).

Rows are future-heavy by default: the searched window is about half booked and the rest lie in the months and
years after it, the case where a busy-time query without a usable index reads every future row.
``--layout history`` puts them before the window instead.

By default it works in a throwaway database next to the configured one (``<name>_bench`` on
PostgreSQL, a temporary file on SQLite), which it creates, migrates, fills and drops again, so it
never touches real data. ``make bench`` runs it; the targets are for PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic make bench
    python manage.py bench_slots --sizes 20000 --runs 20 --keep
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time as clock
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from clinic.lib.time import clinic_tz
from scheduling.models import Appointment, AppointmentType, Provider, WeeklyHours
from scheduling.selectors import available_slots, slot_is_available

BATCH = 5_000
MARKER = "bench-"


class Command(BaseCommand):
    help = "Benchmark slot search (30-day sweep and one provider-day) on generated data in a throwaway database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--providers", type=int, default=10)
        parser.add_argument("--days", type=int, default=30, help="Days searched at once.")
        parser.add_argument(
            "--sizes", default="1000,100000", help="Comma-separated appointment counts, each measured in turn."
        )
        parser.add_argument("--appointments", type=int, help="One size only (the same as --sizes N).")
        parser.add_argument("--layout", choices=["future", "history"], default="future")
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--database", default="default", help="Connection alias whose server hosts the bench DB.")
        parser.add_argument("--keep", action="store_true", help="Keep the bench database afterwards.")
        parser.add_argument(
            "--use-current-database",
            action="store_true",
            help="Generate into the configured database itself (tests only; refused if it holds providers).",
        )
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args: Any, **opts: Any) -> None:
        alias = opts["database"]
        if alias != "default":
            raise CommandError("Only the default alias is supported: the selector reads through it.")
        sizes = [opts["appointments"]] if opts["appointments"] else [int(n) for n in opts["sizes"].split(",")]
        vendor = connections[alias].vendor
        if vendor != "postgresql":
            self.stderr.write(self.style.WARNING("Not PostgreSQL: the figures are indicative only (target is PG)."))
        context = _current_database() if opts["use_current_database"] else _throwaway_database(alias, opts["keep"])
        with context as where:
            self.stdout.write(f"Database: {vendor} {where}, {opts['layout']}-heavy rows; {_load()}")
            if opts["use_current_database"] and Provider.objects.exists():
                raise CommandError("The current database already holds providers; use the throwaway database.")
            appointment_type, providers = make_clinic(providers=opts["providers"], days=opts["days"])
            day_figures: dict[int, float] = {}
            for size in sizes:
                rng = random.Random(opts["seed"])  # noqa: S311 - test data, not secrets
                started = clock.perf_counter()
                Appointment.objects.filter(appointment_type=appointment_type).delete()
                total = generate(
                    appointment_type=appointment_type,
                    providers=providers,
                    days=opts["days"],
                    appointments=size,
                    rng=rng,
                    layout=opts["layout"],
                )
                if vendor == "postgresql":
                    with connections[alias].cursor() as cursor:
                        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a live clinic
                self.stdout.write(
                    f"\n{total:,} appointments, {len(providers)} providers "
                    f"(generated in {clock.perf_counter() - started:.1f} s)"
                )
                self.stdout.write(f"  {_load()}")
                self._measure_sweep(appointment_type, days=opts["days"], runs=opts["runs"])
                day_figures[size] = self._measure_provider_day(
                    appointment_type, providers, days=opts["days"], runs=max(opts["runs"] // 6, 3)
                )
            if len(day_figures) > 1:
                smallest, largest = min(day_figures), max(day_figures)
                ratio = day_figures[largest] / day_figures[smallest]
                verdict = self.style.SUCCESS("OK") if ratio <= 1.5 else self.style.WARNING("above the 1.5x target")
                self.stdout.write(
                    f"\none provider-day at {largest:,} rows is {ratio:.2f}x its {smallest:,}-row figure   {verdict}"
                )

    def _measure_sweep(self, appointment_type: AppointmentType, *, days: int, runs: int) -> None:
        first = timezone.localdate(timezone=clinic_tz())
        last = first + timedelta(days=days - 1)
        with CaptureQueriesContext(connections["default"]) as queries:
            slots = available_slots(appointment_type=appointment_type, start_date=first, end_date=last)  # warm up
        timings = []
        with override_settings(DEBUG=False):  # no query logging inside the timings
            for _ in range(runs):
                started = clock.perf_counter()
                available_slots(appointment_type=appointment_type, start_date=first, end_date=last)
                timings.append((clock.perf_counter() - started) * 1000)
        median, p95 = _median_p95(timings)
        self.stdout.write(
            f"  available_slots over {days} days, all providers: {len(slots):,} open slots, "
            f"{_queries(len(queries.captured_queries))} per call"
        )
        verdict = self.style.SUCCESS("OK") if median < 50 else self.style.WARNING("above the 50 ms target")
        self.stdout.write(
            f"  {days}-day sweep:     median {median:.1f} ms   p95 {p95:.1f} ms   ({runs} runs)   {verdict}"
        )

    def _measure_provider_day(
        self, appointment_type: AppointmentType, providers: list[Provider], *, days: int, runs: int
    ) -> float:
        """The 300 single-day checks of 10 providers x 30 days, divided by 300 (each checks its day's 10 am)."""
        tz = clinic_tz()
        first = timezone.localdate(timezone=tz) + timedelta(days=1)
        starts = [datetime.combine(first + timedelta(days=n), time(10), tzinfo=tz) for n in range(days)]
        calls = [(provider, start) for provider in providers for start in starts]
        connection = connections["default"]

        def one_sweep() -> float:
            started = clock.perf_counter()
            for provider, start in calls:
                slot_is_available(appointment_type=appointment_type, provider=provider, start=start)
            return (clock.perf_counter() - started) * 1000 / len(calls)

        with override_settings(DEBUG=False):  # no query logging inside the timings
            one_sweep()  # warm up
            timings = [one_sweep() for _ in range(runs)]
        with CaptureQueriesContext(connection) as queries:
            slot_is_available(appointment_type=appointment_type, provider=providers[0], start=starts[0])
        median, p95 = _median_p95(timings)
        target = (
            ""
            if connection.vendor != "postgresql"
            else "   " + (self.style.SUCCESS("OK") if median < 2.5 else self.style.WARNING("above the 2.5 ms target"))
        )
        self.stdout.write(
            f"  one provider-day: median {median:.2f} ms   p95 {p95:.2f} ms   ({runs} runs of {len(calls)} calls, "
            f"{_queries(len(queries.captured_queries))} per call){target}"
        )
        return median


def _load() -> str:
    """The machine's load average: figures taken on a shared machine need it beside them."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def _queries(count: int) -> str:
    return f"{count} {'query' if count == 1 else 'queries'}"


def _median_p95(timings: list[float]) -> tuple[float, float]:
    median = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
    return median, p95


def make_clinic(*, providers: int, days: int) -> tuple[AppointmentType, list[Provider]]:
    """Providers working 8-12 and 13-18 on weekdays, one 30-minute type, and 50 patients."""
    from clinic.models import Patient, User

    tz = clinic_tz()
    with transaction.atomic():
        appointment_type = AppointmentType.objects.create(
            name="Bench consultation",
            slug=f"{MARKER}type",
            duration=timedelta(minutes=30),
            slot_interval=timedelta(minutes=30),
            buffer_after=timedelta(minutes=0),
            minimum_notice=timedelta(0),
            booking_horizon=timedelta(days=days + 1),
        )
        users = User.objects.bulk_create(
            User(email=f"{MARKER}{i}@bench.example", is_staff=i < providers) for i in range(providers + 50)
        )
        staff, patient_users = users[:providers], users[providers:]
        provider_rows = Provider.objects.bulk_create(
            Provider(user=user, display_name=f"Bench provider {i}") for i, user in enumerate(staff)
        )
        for provider in provider_rows:
            provider.appointment_types.add(appointment_type)
        WeeklyHours.objects.bulk_create(
            WeeklyHours(provider=p, weekday=d, start_time=start, end_time=end)
            for p in provider_rows
            for d in range(5)
            for start, end in ((time(8), time(12)), (time(13), time(18)))
        )
        Patient.objects.bulk_create(
            Patient(
                user=user,
                legal_first_name="Bench",
                legal_last_name=str(i),
                date_of_birth=datetime(1980, 1, 1, tzinfo=tz).date(),
                phone="+16175550100",
            )
            for i, user in enumerate(patient_users)
        )
    return appointment_type, provider_rows


def generate(
    *,
    appointment_type: AppointmentType,
    providers: list[Provider],
    days: int,
    appointments: int,
    rng: random.Random,
    layout: str = "future",
) -> int:
    """About half the searched slots booked; the other rows after the window (future) or before it (history)."""
    from clinic.models import Patient

    tz = clinic_tz()
    patients = list(Patient.objects.filter(legal_first_name="Bench"))
    today = timezone.localdate(timezone=tz)
    window_end = today + timedelta(days=days)
    per_provider = -(-appointments // len(providers))
    total = 0
    batch: list[Appointment] = []
    for provider in providers:
        made = 0
        grid = _grid_forwards(today, tz) if layout == "future" else _grid_backwards(window_end, tz)
        for start in grid:
            if made >= per_provider or total >= appointments:
                break
            in_window = today <= start.date() < window_end
            if in_window and rng.random() < 0.5:
                continue  # leave about half of the searched slots open
            cancelled = rng.random() < 0.1
            end = start + timedelta(minutes=30)
            past = start.date() < today
            batch.append(
                Appointment(
                    patient=rng.choice(patients),
                    provider=provider,
                    appointment_type=appointment_type,
                    start=start,
                    end=end,
                    blocked_start=start,
                    blocked_end=end,
                    status=(
                        Appointment.Status.CANCELLED
                        if cancelled
                        else Appointment.Status.COMPLETED
                        if past
                        else Appointment.Status.CONFIRMED
                    ),
                    cancelled_at=start if cancelled else None,
                    scheduled_at=start - timedelta(days=7),
                )
            )
            made += 1
            total += 1
            if len(batch) >= BATCH:
                Appointment.objects.bulk_create(batch)
                batch = []
    Appointment.objects.bulk_create(batch)
    return total


def _grid_forwards(first_day: Any, tz: Any) -> Iterator[datetime]:
    day = first_day
    while True:
        if day.weekday() < 5:
            for hour in [*range(8, 12), *range(13, 18)]:
                for minute in (0, 30):
                    yield datetime.combine(day, time(hour, minute), tzinfo=tz)
        day += timedelta(days=1)


def _grid_backwards(last_day: Any, tz: Any) -> Iterator[datetime]:
    day = last_day
    while True:
        if day.weekday() < 5:
            for hour in reversed([*range(8, 12), *range(13, 18)]):
                for minute in (30, 0):
                    yield datetime.combine(day, time(hour, minute), tzinfo=tz)
        day -= timedelta(days=1)


@contextmanager
def _current_database() -> Iterator[str]:
    yield "(current)"


@contextmanager
def _throwaway_database(alias: str, keep: bool) -> Iterator[str]:
    connection = connections[alias]
    original = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        bench_name = f"{original}_bench"
        quoted = connection.ops.quote_name(bench_name)
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
            cursor.execute(f"CREATE DATABASE {quoted}")
    else:
        bench_name = str(Path(tempfile.mkdtemp(prefix="clinic-bench-")) / "bench.sqlite3")
    connection.close()
    connection.settings_dict["NAME"] = bench_name
    try:
        call_command("migrate", database=alias, verbosity=0)
        yield str(bench_name)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        if connection.vendor == "postgresql" and not keep:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(bench_name)}")
        elif not keep:
            Path(bench_name).unlink(missing_ok=True)
