"""The core part of the demo clinic: one user per staff role and one patient."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from datetime import date
from typing import TextIO

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import transaction

from clinic import services
from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE
from clinic.models import Patient, User

DEMO_PASSWORD = "demo-clinic-2026"  # noqa: S105 - printed for the demo on purpose
DEMO_PATIENT_EMAIL = "patient@riverside.example"
STAFF = [
    ("frontdesk@riverside.example", "Frankie", "Desk", FRONT_DESK),
    ("nurse@riverside.example", "Nora", "Hale", NURSE),
    ("clinician@riverside.example", "Dr. Maya", "Chen", CLINICIAN),
    ("admin@riverside.example", "Adrian", "Admin", CLINIC_ADMIN),
]


@dataclass
class Login:
    role: str
    email: str
    backup_codes: list[str]


def seed_all(*, stdout: TextIO) -> list[Login]:
    """The whole demo clinic: core's users, then each app's ``demo.seed(stdout)``; core imports none of them."""
    logins = seed()
    for app_config in apps.get_app_configs():
        if app_config.name == "clinic" or not importlib.util.find_spec(f"{app_config.name}.demo"):
            continue
        importlib.import_module(f"{app_config.name}.demo").seed(stdout=stdout)
    return logins


@transaction.atomic
def seed() -> list[Login]:
    logins = [Login("Patient", DEMO_PATIENT_EMAIL, [])]
    patient_user = _user(DEMO_PATIENT_EMAIL, "Alex", "Rivera", staff=False)
    if not Patient.objects.filter(user=patient_user).exists():
        Patient.objects.create(
            user=patient_user,
            legal_first_name="Alexandra",
            legal_last_name="Rivera",
            preferred_name="Alex",
            date_of_birth=date(1987, 4, 12),
            sex_at_birth=Patient.SexAtBirth.FEMALE,
            phone="+16175550199",
            time_zone="America/Chicago",
            emergency_contact_name="Sam Rivera",
            emergency_contact_phone="+16175550123",
        )
    for email, first, last, role in STAFF:
        user = _user(email, first, last, staff=True)
        user.groups.set([Group.objects.get(name=role)])
        codes = services.staff_backup_codes_generate(user=user)
        logins.append(Login(role, email, codes[:5]))
    return logins


def _user(email: str, first: str, last: str, *, staff: bool) -> User:
    user, _ = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last})
    user.first_name, user.last_name, user.is_staff, user.is_active = first, last, staff, True
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user
