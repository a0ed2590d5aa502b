from __future__ import annotations

import pytest
from django.test import Client

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE
from tests.factories import PatientFactory, StaffFactory


@pytest.fixture(autouse=True)
def _fast_hashing(settings) -> None:  # noqa: ANN001
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def patient(db):  # noqa: ANN001, ANN201
    return PatientFactory()


@pytest.fixture
def other_patient(db):  # noqa: ANN001, ANN201
    return PatientFactory()


@pytest.fixture
def front_desk(db):  # noqa: ANN001, ANN201
    return StaffFactory(role=FRONT_DESK)


@pytest.fixture
def nurse(db):  # noqa: ANN001, ANN201
    return StaffFactory(role=NURSE)


@pytest.fixture
def clinician(db):  # noqa: ANN001, ANN201
    return StaffFactory(role=CLINICIAN)


@pytest.fixture
def clinic_admin(db):  # noqa: ANN001, ANN201
    return StaffFactory(role=CLINIC_ADMIN)


@pytest.fixture
def anon_client() -> Client:
    return Client()


@pytest.fixture
def patient_client(patient) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(patient.user)
    return client


def verified_client(user) -> Client:  # noqa: ANN001
    """A client logged in as staff who has passed the second factor."""
    from tests.factories import verify_second_factor

    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


@pytest.fixture
def staff_client_for():  # noqa: ANN201
    return verified_client
