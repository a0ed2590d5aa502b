"""Twenty simultaneous bookings: the database lets exactly one through. PostgreSQL only."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from clinic.models import User
from scheduling import services
from scheduling.exceptions import SlotUnavailable
from scheduling.models import Appointment
from tests.factories import PatientFactory
from tests.scheduling.conftest import RestoringTransactionTestCase
from tests.scheduling.factories import AppointmentTypeFactory, provider_with_hours

NOW = dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)
MONDAY_10AM_NY = dt.datetime(2026, 3, 9, 14, tzinfo=dt.UTC)
THREADS = 20


@pytest.mark.postgres
class BookingRaceTests(RestoringTransactionTestCase):
    def setUp(self) -> None:
        self.traveller = time_machine.travel(NOW, tick=False)
        self.traveller.start()
        self.addCleanup(self.traveller.stop)
        self.type = AppointmentTypeFactory(
            duration=dt.timedelta(minutes=30),
            slot_interval=dt.timedelta(minutes=15),
            buffer_after=dt.timedelta(minutes=10),
        )
        self.provider = provider_with_hours(self.type)
        self.patients = [PatientFactory() for _ in range(THREADS)]

    def _race(
        self, starts: list[dt.datetime], *, allow_short_notice: bool = False
    ) -> tuple[int, int, list[BaseException]]:
        barrier = threading.Barrier(THREADS)
        booked, refused, errors = [], [], []

        def attempt(index: int) -> None:
            try:
                barrier.wait()
                services.book_appointment(
                    patient=self.patients[index],
                    provider=self.provider,
                    appointment_type=self.type,
                    start=starts[index],
                    allow_short_notice=allow_short_notice,
                )
                booked.append(index)
            except SlotUnavailable:
                refused.append(index)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return len(booked), len(refused), errors

    def test_twenty_bookings_of_one_slot_make_one_appointment(self) -> None:
        booked, refused, errors = self._race([MONDAY_10AM_NY] * THREADS)
        assert errors == []
        assert (booked, refused) == (1, THREADS - 1)
        assert Appointment.objects.count() == 1

    def test_twenty_bookings_of_overlapping_slots_make_one_appointment(self) -> None:
        # 10:00, 10:15 and 10:30 (with its 10-minute buffer after 10:00's end) all overlap one another.
        offsets = [0, 15, 30]
        starts = [MONDAY_10AM_NY + dt.timedelta(minutes=offsets[i % 3]) for i in range(THREADS)]
        booked, refused, errors = self._race(starts)
        assert errors == []
        assert booked == 1
        assert refused == THREADS - 1
        assert Appointment.objects.filter(status__in=Appointment.ACTIVE_STATUSES).count() == 1

    def test_twenty_short_notice_bookings_of_one_slot_make_one_appointment(self) -> None:
        # Monday 10 am is inside a week's notice: only phone bookings allowed short notice may take it, and still once.
        self.type.minimum_notice = dt.timedelta(days=7)
        self.type.save()
        booked, refused, errors = self._race([MONDAY_10AM_NY] * THREADS, allow_short_notice=True)
        assert errors == []
        assert (booked, refused) == (1, THREADS - 1)
        assert Appointment.objects.get().short_notice is True

    def test_double_submitted_visitor_form_makes_one_account_and_one_appointment(self) -> None:
        barrier = threading.Barrier(5)
        results, errors = [], []

        def submit() -> None:
            try:
                barrier.wait()
                results.append(
                    services.book_for_visitor(
                        email="double@example.com",
                        legal_first_name="Dana",
                        legal_last_name="Doe",
                        phone="+16175550142",
                        date_of_birth=dt.date(1990, 5, 5),
                        time_zone="America/New_York",
                        provider=self.provider,
                        appointment_type=self.type,
                        start=MONDAY_10AM_NY,
                        idempotency_key="visitor-form-1",
                    ).pk
                )
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(set(results)) == 1
        assert Appointment.objects.count() == 1
        assert User.objects.filter(email="double@example.com").count() == 1
