from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections
from django.test import TransactionTestCase

from scheduling.models import AppointmentType, Provider
from tests.scheduling.factories import AppointmentTypeFactory, provider_with_hours


class RestoringTransactionTestCase(TransactionTestCase):
    """A TransactionTestCase that leaves the database as it found it.

    The flush after each test would drop what data migrations made (the role groups); with
    ``--reuse-db`` that would even carry into the next run. Reload the serialized contents after it.
    """

    serialized_rollback = True

    def _fixture_teardown(self) -> None:
        super()._fixture_teardown()
        for alias in self._databases_names(include_mirrors=False):
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)


@pytest.fixture
def phone_type(db) -> AppointmentType:
    return AppointmentTypeFactory(slug="phone-consultation", name="Free 15-minute phone consultation")


@pytest.fixture
def provider(phone_type: AppointmentType) -> Provider:
    return provider_with_hours(phone_type)


@pytest.fixture
def monday() -> dt.date:
    """Monday 9 March 2026, the first weekday after the US spring-forward night."""
    return dt.date(2026, 3, 9)
