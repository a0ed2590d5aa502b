"""The scheduling part of the demo clinic: two consultation types, two providers, a few appointments; the infusion
room (three chairs, hours, protocols) and one patient's active course with three documented sessions and one today.

Idempotent: run ``seed_demo`` again and it updates rows in place and books nothing twice.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
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
from scheduling.models import (
    Appointment,
    AppointmentType,
    InfusionChair,
    InfusionCourse,
    InfusionHours,
    InfusionSession,
    InfusionSettings,
    OutcomeMeasure,
    Protocol,
    Provider,
    VitalSignReading,
    WeeklyHours,
)
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
    infusions = _infusions(providers[0].user)
    codes = clinic_services.staff_backup_codes_generate(user=providers[1].user)
    stdout.write(
        f"Scheduling: {len(types)} consultation types, {len(providers)} providers. "
        f"Provider login {PROVIDERS[1][0]} (backup codes: {' '.join(codes[:3])}). {infusions}"
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


CHAIRS = [("Chair 1", "Infusion room A"), ("Chair 2", "Infusion room A"), ("Chair 3", "Infusion room B")]
COURSE_PATIENT_EMAIL = "screening-course@riverside.example"  # approved by intake's demo
DEMO_VALUES = (
    "\nDemo clinic only: the maximum dose (60 mg) and the observation time (60 minutes) were filled in by the demo's "
    "admin so the demo can run; they have no source."
)
DEMO_PHQ9 = (13, 10, 7)  # before sessions 1, 2 and 3


def _infusions(clinician: User) -> str:
    chairs = [
        InfusionChair.objects.update_or_create(name=name, defaults={"room": room, "display_order": n})[0]
        for n, (name, room) in enumerate(CHAIRS, start=1)
    ]
    if not InfusionHours.objects.exists():
        # Open every day, early to late, so the walk-through works whenever the demo runs.
        InfusionHours.objects.bulk_create(
            InfusionHours(weekday=day, start_time=time(7), end_time=time(21)) for day in range(7)
        )
    InfusionSettings.load()
    for protocol in Protocol.objects.filter(slug__in=["depression-induction", "ptsd-induction", "maintenance-booster"]):
        if protocol.max_dose_mg is None or protocol.observation_minutes is None:
            protocol.max_dose_mg = protocol.max_dose_mg or Decimal(60)
            protocol.observation_minutes = protocol.observation_minutes or 60
            protocol.sources += DEMO_VALUES
            protocol.save()
    patient = Patient.objects.filter(user__email=COURSE_PATIENT_EMAIL).first()
    if patient is not None and not InfusionCourse.objects.filter(patient=patient).exists():
        _course(patient, clinician, chairs)
    return f"Infusions: {len(chairs)} chairs, an active course for {COURSE_PATIENT_EMAIL} with a session today."


def _course(patient: Patient, clinician: User, chairs: list[InfusionChair]) -> None:
    from scheduling.services.courses import course_create

    protocol = Protocol.objects.get(slug="depression-induction")
    course = course_create(
        patient=patient, protocol=protocol, indication="depression", clinician=clinician, by=clinician
    )
    InfusionCourse.objects.filter(pk=course.pk).update(status=InfusionCourse.Status.ACTIVE)
    zone = clinic_tz()
    today = timezone.localdate(timezone=zone)
    length = timedelta(minutes=protocol.infusion_minutes + protocol.observation_minutes)
    # Three documented sessions, written as history: the services only book and document in the present.
    for number, days_ago in enumerate((7, 5, 3), start=1):
        start = datetime.combine(today - timedelta(days=days_ago), time(10), tzinfo=zone)
        session = InfusionSession.objects.create(
            course=course,
            number=number,
            chair=chairs[number % len(chairs)],
            start=start,
            end=start + length,
            status=InfusionSession.Status.COMPLETED,
            weight_kg=Decimal(72),
            computed_dose_mg=Decimal("36.0"),
            dose_mg=Decimal("36.0"),
            lot_number=f"DEMO-{number:03d}",
            checked_in_at=start - timedelta(minutes=15),
            started_at=start,
            stopped_at=start + timedelta(minutes=40),
            discharged_at=start + length,
            discharged_by=clinician,
            alert_and_oriented=True,
            nausea_controlled=True,
            escort_present=True,
            no_driving_acknowledged=True,
            escort_name="A friend",
            adverse_events="Mild dissociation, resolved during observation." if number == 1 else "",
        )
        readings = [("pre", -10, 128, 82), ("intra", 10, 134, 84), ("intra", 20, 136, 86), ("intra", 30, 132, 84)]
        readings += [("post", 45, 126, 80), ("post", 60, 124, 78)]
        VitalSignReading.objects.bulk_create(
            VitalSignReading(
                session=session,
                phase=phase,
                taken_at=start + timedelta(minutes=minutes),
                systolic=systolic,
                diastolic=diastolic,
                heart_rate=76,
                spo2=98,
                respiratory_rate=14,
            )
            for phase, minutes, systolic, diastolic in readings
        )
        OutcomeMeasure.objects.create(
            course=course,
            session=session,
            instrument="phq9",
            total=DEMO_PHQ9[number - 1],
            taken_at=start - timedelta(minutes=20),
        )
    now = timezone.now().astimezone(zone)
    start = (now + timedelta(minutes=30)).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    InfusionSession.objects.create(course=course, number=4, chair=chairs[0], start=start, end=start + length)
