"""Ten simultaneous submits of one draft (double clicks, open tabs): exactly one submits. PostgreSQL only."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from intake import selectors, services
from intake.models import ScreeningVersion
from tests.factories import PatientFactory
from tests.intake.answers import fill
from tests.scheduling.conftest import RestoringTransactionTestCase

THREADS = 10


@pytest.mark.postgres
class SubmitRaceTests(RestoringTransactionTestCase):
    def test_one_submit_wins(self) -> None:
        patient = PatientFactory()
        fill(patient)
        draft = selectors.draft_for_patient(patient=patient)
        barrier = threading.Barrier(THREADS)
        results: list[bool] = []
        errors: list[BaseException] = []

        def attempt() -> None:
            try:
                barrier.wait()
                results.append(services.screening_submit(version=draft, by=patient.user))
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(results) == [False] * (THREADS - 1) + [True]
        assert ScreeningVersion.objects.filter(screening__patient=patient).count() == 1
        assert ScreeningVersion.objects.get(pk=draft.pk).status == ScreeningVersion.Status.SUBMITTED
