from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE
from tests.factories import PatientFactory, StaffFactory

# Property tests run on shared, loaded machines: time limits would fail them for load, not for bugs.
hypothesis_settings.register_profile("clinic", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("clinic")


@pytest.fixture(autouse=True)
def _fast_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _redis_breaker_closed():
    """The Redis circuit breaker is per process: a test that trips it must not skip the next test's hand-offs."""
    from clinic.lib.breaker import redis_breaker

    redis_breaker.reset()
    yield
    redis_breaker.reset()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Rate-limit counters live in the cache: each test starts with none."""
    import contextlib

    from django.core.cache import cache

    with contextlib.suppress(Exception):  # a test that simulates a dead cache has none to clear
        cache.clear()


@pytest.fixture
def patient(db):
    return PatientFactory()


@pytest.fixture
def other_patient(db):
    return PatientFactory()


@pytest.fixture
def front_desk(db):
    return StaffFactory(role=FRONT_DESK)


@pytest.fixture
def nurse(db):
    return StaffFactory(role=NURSE)


@pytest.fixture
def clinician(db):
    return StaffFactory(role=CLINICIAN)


@pytest.fixture
def clinic_admin(db):
    return StaffFactory(role=CLINIC_ADMIN)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """``with on_commit(execute=True): ...`` runs on-commit work, such as sending queued emails."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def anon_client() -> Client:
    return Client()


@pytest.fixture
def patient_client(patient) -> Client:
    client = Client()
    client.force_login(patient.user)
    return client


def verified_client(user) -> Client:
    """A client logged in as staff who has passed the second factor."""
    from tests.factories import verify_second_factor

    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


@pytest.fixture
def staff_client_for():
    return verified_client


@pytest.hookimpl(trylast=True)  # after -m has deselected what this run leaves out
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Service-backed tests skip with a message when the service is not configured; under CI they fail."""
    import os

    from django.conf import settings

    missing = {
        "postgres": None
        if settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
        else "needs PostgreSQL: set DATABASE_URL=postgres://...",
        "redis": None if settings.REDIS_URL else "needs Redis: set REDIS_URL=redis://...",
    }
    for item in items:
        for marker, reason in missing.items():
            if reason and marker in item.keywords:
                if os.environ.get("CI") == "true":
                    raise pytest.UsageError(f"{item.nodeid} {reason} (CI=true: a missing service fails the run)")
                item.add_marker(pytest.mark.skip(reason=reason))
