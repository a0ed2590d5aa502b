"""Time ``available_slots`` on a generated clinic: 10 providers, 30 days, 100,000 appointments.

By default it works in a throwaway database next to the configured one (``<name>_bench`` on
PostgreSQL, a temporary file on SQLite), which it creates, migrates, fills and drops again, so it
never touches real data. ``make bench`` runs it; the target figure (median < 50 ms) is for PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic make bench
    python manage.py bench_slots --appointments 20000 --runs 20 --keep
"""

from __future__ import annotations

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
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clinic.lib.time import clinic_tz
from scheduling.models import Appointment, AppointmentType, Provider, WeeklyHours
from scheduling.selectors import available_slots

BATCH = 5_000
MARKER = "bench-"


class Command(BaseCommand):
    help = "Benchmark slot search (median and p95) on generated data in a throwaway database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--providers", type=int, default=10)
        parser.add_argument("--days", type=int, default=30, help="Days searched at once.")
        parser.add_argument("--appointments", type=int, default=100_000)
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
        vendor = connections[alias].vendor
        if vendor != "postgresql":
            self.stderr.write(self.style.WARNING("Not PostgreSQL: the figures are indicative only (target is PG)."))
        context = _current_database() if opts["use_current_database"] else _throwaway_database(alias, opts["keep"])
        with context as where:
            self.stdout.write(f"Database: {vendor} {where}")
            if opts["use_current_database"] and Provider.objects.exists():
                raise CommandError("The current database already holds providers; use the throwaway database.")
            rng = random.Random(opts["seed"])  # noqa: S311 - test data, not secrets
            started = clock.perf_counter()
            appointment_type, total = generate(
                providers=opts["providers"], days=opts["days"], appointments=opts["appointments"], rng=rng
            )
            if vendor == "postgresql":
                with connections[alias].cursor() as cursor:
                    cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a live clinic
            self.stdout.write(
                f"Generated {opts['providers']} providers and {total:,} appointments "
                f"in {clock.perf_counter() - started:.1f} s"
            )
            self._measure(appointment_type, days=opts["days"], runs=opts["runs"])

    def _measure(self, appointment_type: AppointmentType, *, days: int, runs: int) -> None:
        first = timezone.localdate(timezone=clinic_tz())
        last = first + timedelta(days=days - 1)
        available_slots(appointment_type=appointment_type, start_date=first, end_date=last)  # warm up
        timings = []
        connection = connections["default"]
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = clock.perf_counter()
                slots = available_slots(appointment_type=appointment_type, start_date=first, end_date=last)
                timings.append((clock.perf_counter() - started) * 1000)
        median = statistics.median(timings)
        p95 = statistics.quantiles(timings, n=20)[-1] if len(timings) >= 2 else timings[0]
        self.stdout.write(
            f"available_slots over {days} days, all providers: {len(slots):,} open slots, "
            f"{len(queries.captured_queries)} queries per call"
        )
        verdict = self.style.SUCCESS("OK") if median < 50 else self.style.WARNING("above the 50 ms target")
        self.stdout.write(f"median {median:.1f} ms   p95 {p95:.1f} ms   ({runs} runs)   {verdict}")


def generate(*, providers: int, days: int, appointments: int, rng: random.Random) -> tuple[AppointmentType, int]:
    """A clinic with a busy future (about half the searched slots booked) and a long, dense history."""
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
        patients = Patient.objects.bulk_create(
            Patient(
                user=user,
                legal_first_name="Bench",
                legal_last_name=str(i),
                date_of_birth=datetime(1980, 1, 1, tzinfo=tz).date(),
                phone="+16175550100",
            )
            for i, user in enumerate(patient_users)
        )

    # Every weekday grid slot of every provider, newest first from the end of the searched window.
    today = timezone.localdate(timezone=tz)
    per_provider = -(-appointments // providers)
    total = 0
    batch: list[Appointment] = []
    for provider in provider_rows:
        made = 0
        for start in _grid_backwards(today + timedelta(days=days), tz):
            if made >= per_provider or total >= appointments:
                break
            in_window = start.date() >= today
            if in_window and rng.random() < 0.5:
                continue  # leave about half of the searched slots open
            cancelled = rng.random() < 0.1
            end = start + timedelta(minutes=30)
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
                        else Appointment.Status.CONFIRMED
                        if in_window
                        else Appointment.Status.COMPLETED
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
    return appointment_type, total


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
