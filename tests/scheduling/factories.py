from __future__ import annotations

import datetime as dt

import factory

from scheduling.models import (
    Appointment,
    AppointmentType,
    AvailabilityException,
    ClinicClosure,
    Provider,
    TimeBlock,
    WeeklyHours,
)
from tests.factories import PatientFactory, StaffFactory


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType
        django_get_or_create = ("slug",)

    name = "Phone consultation"
    slug = factory.Sequence(lambda n: f"type-{n}")
    duration = dt.timedelta(minutes=15)
    slot_interval = dt.timedelta(minutes=15)
    buffer_before = dt.timedelta(0)
    buffer_after = dt.timedelta(0)
    location_kind = AppointmentType.LocationKind.PHONE
    minimum_notice = dt.timedelta(hours=2)
    booking_horizon = dt.timedelta(days=60)
    change_cutoff = dt.timedelta(hours=24)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        skip_postgeneration_save = True

    user = factory.SubFactory(StaffFactory)
    display_name = factory.Sequence(lambda n: f"Provider {n}")
    credentials = "MD"

    @factory.post_generation
    def types(self, create: bool, extracted: list[AppointmentType] | None, **kwargs: object) -> None:
        if create and extracted:
            self.appointment_types.add(*extracted)


class WeeklyHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyHours

    provider = factory.SubFactory(ProviderFactory)
    weekday = 0
    start_time = dt.time(9)
    end_time = dt.time(17)


class AvailabilityExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityException

    provider = factory.SubFactory(ProviderFactory)
    date = dt.date(2026, 3, 9)
    kind = AvailabilityException.Kind.DAY_OFF


class ClinicClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicClosure

    start_date = dt.date(2026, 3, 9)
    end_date = factory.SelfAttribute("start_date")
    reason = "Holiday"


class TimeBlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeBlock

    provider = factory.SubFactory(ProviderFactory)
    start = dt.datetime(2026, 3, 9, 14, tzinfo=dt.UTC)
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=1))
    reason = "Team meeting"


class AppointmentFactory(factory.django.DjangoModelFactory):
    """Writes the row directly (no slot checks, no emails): use services to test the rules."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    provider = factory.SubFactory(ProviderFactory)
    start = dt.datetime(2026, 3, 9, 15, tzinfo=dt.UTC)
    end = factory.LazyAttribute(lambda o: o.start + o.appointment_type.duration)
    status = Appointment.Status.CONFIRMED


def provider_with_hours(
    appointment_type: AppointmentType,
    *,
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4),
    start: dt.time = dt.time(9),
    end: dt.time = dt.time(17),
    **kwargs: object,
) -> Provider:
    provider = ProviderFactory(types=[appointment_type], **kwargs)
    for weekday in weekdays:
        WeeklyHoursFactory(provider=provider, weekday=weekday, start_time=start, end_time=end)
    return provider
