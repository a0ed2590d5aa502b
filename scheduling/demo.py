"""The scheduling part of the demo clinic: two consultation types, two providers, a few appointments.

Idempotent: run ``seed_demo`` again and it updates rows in place and books nothing twice.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TextIO

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from clinic import services as clinic_services
from clinic.demo import DEMO_PASSWORD, DEMO_PATIENT_EMAIL
from clinic.lib.roles import CLINICIAN
from clinic.lib.time import clinic_tz
from clinic.models import Patient, User
from scheduling import services
from scheduling.exceptions import BookingError
from scheduling.models import Appointment, AppointmentType, Provider, WeeklyHours
from scheduling.selectors import available_slots

TYPES = [
    {
        "slug": "phone-consultation",
        "name": "Free 15-minute phone consultation",
        "description": "A short call to answer your questions and see whether our care could fit you. No cost.",
        "price": "Free",
        "duration": timedelta(minutes=15),
        "slot_interval": timedelta(minutes=15),
        "buffer_after": timedelta(minutes=5),
        "location_kind": AppointmentType.LocationKind.PHONE,
        "minimum_notice": timedelta(hours=2),
        "booking_horizon": timedelta(days=60),
        "change_cutoff": timedelta(hours=2),
        "requires_screening": False,
        "display_order": 1,
    },
    {
        "slug": "consultation-assessment",
        "name": "Consultation and assessment",
        "description": "An in-depth, in-person visit with a clinician to review your history and plan next steps.",
        "price": "$250",
        "duration": timedelta(minutes=60),
        "slot_interval": timedelta(minutes=30),
        "buffer_after": timedelta(minutes=15),
        "location_kind": AppointmentType.LocationKind.IN_CLINIC,
        "minimum_notice": timedelta(hours=24),
        "booking_horizon": timedelta(days=60),
        "change_cutoff": timedelta(hours=24),
        "requires_screening": True,
        "display_order": 2,
    },
]

CLINICIAN_EMAIL = "clinician@riverside.example"
PROVIDERS = [
    # email, first, last, display name, credentials, bio, weekday ranges
    (
        CLINICIAN_EMAIL,
        "Dr. Maya",
        "Chen",
        "Dr. Maya Chen",
        "MD, Psychiatry",
        "Dr. Chen leads the clinic's care team and sees new patients for consultations.",
        [(time(9), time(12)), (time(13), time(17))],
    ),
    (
        "provider@riverside.example",
        "Jordan",
        "Park",
        "Jordan Park",
        "PMHNP-BC",
        "Jordan is a psychiatric nurse practitioner who offers phone and in-clinic consultations.",
        [(time(10), time(13)), (time(14), time(18))],
    ),
]


@transaction.atomic
def seed(*, stdout: TextIO) -> None:
    types = [_type(spec) for spec in TYPES]
    providers = [_provider(*spec, types=types) for spec in PROVIDERS]
    patient = Patient.objects.filter(user__email=DEMO_PATIENT_EMAIL).first()
    if patient is not None:
        _appointments(patient, providers[0], types)
    codes = clinic_services.staff_backup_codes_generate(user=providers[1].user)
    stdout.write(
        f"Scheduling: {len(types)} consultation types, {len(providers)} providers. "
        f"Provider login {PROVIDERS[1][0]} (backup codes: {' '.join(codes[:3])})"
    )


def _type(spec: dict) -> AppointmentType:
    appointment_type, _ = AppointmentType.objects.update_or_create(slug=spec["slug"], defaults=spec)
    return appointment_type


def _provider(
    email: str,
    first: str,
    last: str,
    display_name: str,
    credentials: str,
    bio: str,
    ranges: list[tuple[time, time]],
    *,
    types: list[AppointmentType],
) -> Provider:
    user, created = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last})
    if created:
        user.is_staff = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=CLINICIAN))
    provider, _ = Provider.objects.update_or_create(
        user=user, defaults={"display_name": display_name, "credentials": credentials, "bio": bio, "active": True}
    )
    provider.appointment_types.set(types)
    if not provider.weekly_hours.exists():
        WeeklyHours.objects.bulk_create(
            WeeklyHours(provider=provider, weekday=day, start_time=start, end_time=end)
            for day in range(5)
            for start, end in ranges
        )
    return provider


def _appointments(patient: Patient, provider: Provider, types: list[AppointmentType]) -> None:
    phone, in_clinic = types
    today = timezone.localdate(timezone=clinic_tz())
    for key, appointment_type, days_ahead in (("demo:upcoming-phone", phone, 2), ("demo:upcoming-visit", in_clinic, 9)):
        if Appointment.objects.filter(idempotency_key=key).exists():
            continue
        day = today + timedelta(days=days_ahead)
        slots = available_slots(
            appointment_type=appointment_type, start_date=day, end_date=day + timedelta(days=7), provider=provider
        )
        if not slots:
            continue
        try:
            services.book_appointment(
                patient=patient,
                provider=provider,
                appointment_type=appointment_type,
                start=slots[len(slots) // 3].start,
                idempotency_key=key,
            )
        except BookingError:
            continue
    if not Appointment.objects.filter(idempotency_key="demo:past").exists():
        start = datetime.combine(today - timedelta(days=14), time(10), tzinfo=clinic_tz())
        Appointment.objects.create(
            patient=patient,
            provider=provider,
            appointment_type=phone,
            start=start,
            end=start + phone.duration,
            status=Appointment.Status.COMPLETED,
            idempotency_key="demo:past",
        )
