"""Simultaneous session bookings on PostgreSQL: one chair is never double-booked, and the last nurse's place is taken
once. The exclusion constraint refuses an overlap even when the services are bypassed."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from scheduling.exceptions import CourseError
from scheduling.models import InfusionChair, InfusionCourse, InfusionHours, InfusionSession, InfusionSettings, Protocol
from scheduling.services import courses as course_services
from tests.factories import PatientFactory, StaffFactory
from tests.scheduling.conftest import RestoringTransactionTestCase
from tests.scheduling.course_fixtures import NOW, approve, at

THREADS = 10


@pytest.mark.postgres
class SessionRaceTests(RestoringTransactionTestCase):
    def setUp(self) -> None:
        self.traveller = time_machine.travel(NOW, tick=False)
        self.traveller.start()
        self.addCleanup(self.traveller.stop)
        protocol = Protocol.objects.get(slug="depression-induction")
        protocol.max_dose_mg = Decimal(60)
        protocol.observation_minutes = 60
        protocol.save()
        for weekday in range(7):
            InfusionHours.objects.create(weekday=weekday, start_time=dt.time(8), end_time=dt.time(18))
        self.chairs = [InfusionChair.objects.create(name=f"Chair {n}") for n in range(THREADS)]
        self.clinician = StaffFactory(role="Clinician")
        self.courses = []
        for _ in range(THREADS):
            patient = PatientFactory()
            approve(patient)
            self.courses.append(
                InfusionCourse.objects.create(
                    patient=patient, protocol=protocol, indication="depression", clinician=self.clinician
                )
            )

    def _race(self, chair_for: list[InfusionChair]) -> tuple[int, int, list[BaseException]]:
        barrier = threading.Barrier(THREADS)
        booked, refused, errors = [], [], []

        def attempt(index: int) -> None:
            try:
                barrier.wait()
                course_services.session_schedule(
                    course=self.courses[index], chair=chair_for[index], start=at(1, 9), by=self.clinician
                )
                booked.append(index)
            except CourseError:
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

    def test_ten_bookings_of_one_chair_make_one_session(self) -> None:
        InfusionSettings.objects.update_or_create(pk=1, defaults={"sessions_per_nurse": 20})
        booked, refused, errors = self._race([self.chairs[0]] * THREADS)
        assert errors == []
        assert (booked, refused) == (1, THREADS - 1)
        assert InfusionSession.objects.count() == 1

    def test_the_last_nurse_place_is_taken_once(self) -> None:
        InfusionSettings.objects.update_or_create(pk=1, defaults={"sessions_per_nurse": 2, "nurses_on_duty": 1})
        booked, refused, errors = self._race(self.chairs)
        assert errors == []
        assert (booked, refused) == (2, THREADS - 2)

    def test_the_database_refuses_an_overlap_on_one_chair(self) -> None:
        start = at(1, 9)
        InfusionSession.objects.create(
            course=self.courses[0], number=1, chair=self.chairs[0], start=start, end=start + dt.timedelta(hours=2)
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            InfusionSession.objects.create(
                course=self.courses[1],
                number=1,
                chair=self.chairs[0],
                start=start + dt.timedelta(hours=1),
                end=start + dt.timedelta(hours=3),
            )
        InfusionSession.objects.create(  # a cancelled session holds no chair
            course=self.courses[2],
            number=1,
            chair=self.chairs[0],
            start=start,
            end=start + dt.timedelta(hours=1),
            status="cancelled",
        )
