"""Shared setup for the infusion course tests: an approved patient, the infusion room, a usable protocol."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from clinic.lib.time import clinic_tz
from clinic.models import Patient
from intake.models import Flag, Score, Screening, ScreeningVersion
from scheduling.models import InfusionChair, InfusionCourse, InfusionHours, InfusionSession, Protocol
from scheduling.services import courses as course_services
from scheduling.services import sessions as session_services

# Monday 2 March 2026, 07:00 in the clinic (New York): before the room opens at 08:00.
NOW = dt.datetime(2026, 3, 2, 7, tzinfo=dt.UTC).astimezone(clinic_tz()).replace(hour=7)


def at(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    return (NOW + dt.timedelta(days=day_offset)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def approve(patient: Patient, *, scores: dict[str, int] | None = None, exclusions: tuple[str, ...] = ()) -> Screening:
    """An approved screening with its scores and flags (written while a draft: submitted versions are immutable)."""
    screening = Screening.objects.create(patient=patient, status=Screening.Status.IN_PROGRESS)
    version = ScreeningVersion.objects.create(screening=screening, number=1)
    for instrument, total in (scores or {"phq9": 18, "gad7": 12}).items():
        Score.objects.create(version=version, instrument=instrument, total=total, band="x")
    for code in exclusions:
        Flag.objects.create(version=version, code=code, severity="exclusion", message=f"{code} reported", source="s")
    ScreeningVersion.objects.filter(pk=version.pk).update(status="submitted", submitted_at=timezone.now())
    Screening.objects.filter(pk=screening.pk).update(status=Screening.Status.APPROVED, submitted_at=timezone.now())
    return screening


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(db) -> list[InfusionChair]:
    for weekday in range(7):
        InfusionHours.objects.create(weekday=weekday, start_time=dt.time(8), end_time=dt.time(18))
    return [InfusionChair.objects.create(name=f"Chair {n}", room="Infusion room", display_order=n) for n in (1, 2, 3)]


@pytest.fixture
def protocol(db) -> Protocol:
    protocol = Protocol.objects.get(slug="depression-induction")
    protocol.max_dose_mg = Decimal("60.0")
    protocol.observation_minutes = 60
    protocol.save()
    return protocol


@pytest.fixture
def course(frozen, patient, clinician, protocol, room) -> InfusionCourse:
    approve(patient)
    return course_services.course_create(
        patient=patient, protocol=protocol, indication="depression", clinician=clinician, by=clinician
    )


@pytest.fixture
def session(course, room, front_desk) -> InfusionSession:
    return course_services.session_schedule(course=course, chair=room[0], start=at(0, 9), by=front_desk)


def checked_in(session: InfusionSession, nurse) -> InfusionSession:
    session_services.session_check_in(session=session, by=nurse)
    session.refresh_from_db()
    return session


def pre_vitals(session: InfusionSession, nurse, systolic: int = 128, **extra: int):
    values = {"diastolic": 80, "heart_rate": 76, "spo2": 98, "respiratory_rate": 14} | extra
    return session_services.vitals_record(session=session, phase="pre", systolic=systolic, by=nurse, **values)
