from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest
import time_machine

from scheduling import services
from scheduling.models import Appointment, AvailabilityException
from scheduling.selectors import available_slots, nearest_slots, slot_is_available
from tests.factories import PatientFactory
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AvailabilityExceptionFactory,
    ClinicClosureFactory,
    ProviderFactory,
    TimeBlockFactory,
    WeeklyHoursFactory,
    provider_with_hours,
)

NY = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC
NOW = dt.datetime(2026, 3, 5, 12, tzinfo=UTC)  # Thursday 7 am in New York
MONDAY = dt.date(2026, 3, 9)


def ny(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY)


def starts(slots: list) -> list[dt.datetime]:
    return [s.start for s in slots]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def thirty(db):
    return AppointmentTypeFactory(
        duration=dt.timedelta(minutes=30), slot_interval=dt.timedelta(minutes=15), buffer_after=dt.timedelta(minutes=10)
    )


def slots_on(appointment_type, day: dt.date, **kwargs) -> list:
    return available_slots(appointment_type=appointment_type, start_date=day, end_date=day, **kwargs)


def test_weekly_hours_give_a_grid_that_ends_with_the_range(provider, phone_type) -> None:
    slots = slots_on(phone_type, MONDAY)
    assert slots[0].start == ny(MONDAY, 9)
    assert slots[-1].end == ny(MONDAY, 17)
    assert len(slots) == 32
    assert all(s.start.utcoffset() == dt.timedelta(0) for s in slots), "slots are UTC"
    assert slots_on(phone_type, MONDAY - dt.timedelta(days=1)) == []  # Sunday: no hours


def test_several_ranges_a_day(phone_type) -> None:
    provider = ProviderFactory(types=[phone_type])
    WeeklyHoursFactory(provider=provider, weekday=0, start_time=dt.time(9), end_time=dt.time(10))
    WeeklyHoursFactory(provider=provider, weekday=0, start_time=dt.time(14), end_time=dt.time(15))
    slots = slots_on(phone_type, MONDAY)
    assert [s.start.astimezone(NY).hour for s in slots] == [9, 9, 9, 9, 14, 14, 14, 14]


def test_march_dst_week_keeps_wall_clock_hours(provider, phone_type) -> None:
    friday, monday = dt.date(2026, 3, 6), dt.date(2026, 3, 9)  # New York springs forward on Sunday 8 March
    assert slots_on(phone_type, friday)[0].start == dt.datetime(2026, 3, 6, 14, tzinfo=UTC)  # 9 am EST
    assert slots_on(phone_type, monday)[0].start == dt.datetime(2026, 3, 9, 13, tzinfo=UTC)  # 9 am EDT


def test_march_dst_night_skips_the_missing_hour(thirty) -> None:
    provider = ProviderFactory(types=[thirty])
    sunday = dt.date(2026, 3, 8)
    WeeklyHoursFactory(provider=provider, weekday=6, start_time=dt.time(1), end_time=dt.time(4))
    thirty.buffer_after = dt.timedelta(0)
    thirty.slot_interval = dt.timedelta(minutes=30)
    thirty.save()
    slots = slots_on(thirty, sunday)
    # 1:00-4:00 that night is two real hours: 1:00 and 1:30 EST, then 3:00 and 3:30 EDT.
    assert starts(slots) == [dt.datetime(2026, 3, 8, h, m, tzinfo=UTC) for h, m in [(6, 0), (6, 30), (7, 0), (7, 30)]]
    assert all(s.end - s.start == dt.timedelta(minutes=30) for s in slots)


def test_november_dst_week_keeps_wall_clock_hours_and_never_overlaps(phone_type) -> None:
    with time_machine.travel(dt.datetime(2026, 10, 28, 12, tzinfo=UTC), tick=False):
        provider = provider_with_hours(phone_type, weekdays=(0, 4, 6))
        friday, monday = dt.date(2026, 10, 30), dt.date(2026, 11, 2)  # falls back on Sunday 1 November
        assert slots_on(phone_type, friday)[0].start == dt.datetime(2026, 10, 30, 13, tzinfo=UTC)  # 9 am EDT
        assert slots_on(phone_type, monday)[0].start == dt.datetime(2026, 11, 2, 14, tzinfo=UTC)  # 9 am EST
        WeeklyHoursFactory(provider=provider, weekday=6, start_time=dt.time(0), end_time=dt.time(3))
        night = [
            s for s in slots_on(phone_type, dt.date(2026, 11, 1)) if s.start < dt.datetime(2026, 11, 1, 9, tzinfo=UTC)
        ]
        assert night[0].start == dt.datetime(2026, 11, 1, 4, tzinfo=UTC)  # midnight EDT
        assert night[-1].end == dt.datetime(2026, 11, 1, 8, tzinfo=UTC)  # 3 am EST
        assert all(a.end <= b.start for a, b in itertools.pairwise(night)), "no overlapping slots"


def test_patient_in_another_zone_books_the_same_instant(provider, phone_type) -> None:
    tokyo_patient = PatientFactory(time_zone="Asia/Tokyo")
    slot = slots_on(phone_type, MONDAY)[0]
    start_in_tokyo = slot.start.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert start_in_tokyo.date() == dt.date(2026, 3, 9) and start_in_tokyo.hour == 22
    appointment = services.book_appointment(
        patient=tokyo_patient, provider=provider, appointment_type=phone_type, start=start_in_tokyo
    )
    assert appointment.start == ny(MONDAY, 9)


def test_buffers_of_existing_and_new_appointments(thirty) -> None:
    provider = provider_with_hours(thirty)
    AppointmentFactory(provider=provider, appointment_type=thirty, start=ny(MONDAY, 10))  # blocks 10:00-10:40
    available = starts(slots_on(thirty, MONDAY))
    assert ny(MONDAY, 9, 15) in available  # ends 9:45 plus 10 minutes: clear
    assert ny(MONDAY, 9, 30) not in available  # its own buffer after runs into 10:00
    assert ny(MONDAY, 10, 30) not in available  # inside the buffer after 10:30
    assert ny(MONDAY, 10, 45) in available


def test_buffer_before(phone_type) -> None:
    provider = provider_with_hours(phone_type)
    AppointmentFactory(provider=provider, appointment_type=phone_type, start=ny(MONDAY, 10))
    phone_type.buffer_before = dt.timedelta(minutes=15)
    phone_type.save()
    available = starts(slots_on(phone_type, MONDAY))
    assert ny(MONDAY, 10, 15) not in available  # its buffer before overlaps 10:00-10:15
    assert ny(MONDAY, 10, 30) in available


def test_pending_blocks_and_cancelled_does_not(provider, phone_type) -> None:
    AppointmentFactory(provider=provider, appointment_type=phone_type, start=ny(MONDAY, 10), status="pending")
    AppointmentFactory(
        provider=provider,
        appointment_type=phone_type,
        start=ny(MONDAY, 11),
        status=Appointment.Status.CANCELLED,
        cancelled_at=NOW,
    )
    available = starts(slots_on(phone_type, MONDAY))
    assert ny(MONDAY, 10) not in available
    assert ny(MONDAY, 11) in available


def test_minimum_notice(provider, phone_type) -> None:
    thursday = dt.date(2026, 3, 5)
    with time_machine.travel(ny(thursday, 10, 10), tick=False):
        assert slots_on(phone_type, thursday)[0].start == ny(thursday, 12, 15)  # two hours' notice


def test_booking_horizon(provider, phone_type) -> None:
    now = dt.datetime(2026, 3, 5, 16, tzinfo=UTC)  # noon in New York
    with time_machine.travel(now, tick=False):
        last = (now + phone_type.booking_horizon).date()  # Monday 4 May
        slots = slots_on(phone_type, last)
        assert starts(slots)[0] == ny(last, 9)
        assert starts(slots)[-1] == ny(last, 12)  # partly open, up to the horizon
        assert slots_on(phone_type, last + dt.timedelta(days=1)) == []


def test_day_off_and_other_hours(provider, phone_type) -> None:
    AvailabilityExceptionFactory(provider=provider, date=MONDAY)
    AvailabilityExceptionFactory(
        provider=provider,
        date=MONDAY + dt.timedelta(days=1),
        kind=AvailabilityException.Kind.OTHER_HOURS,
        start_time=dt.time(18),
        end_time=dt.time(19),
    )
    assert slots_on(phone_type, MONDAY) == []
    tuesday = MONDAY + dt.timedelta(days=1)
    assert [s.start.astimezone(NY).hour for s in slots_on(phone_type, tuesday)] == [18, 18, 18, 18]


def test_clinic_closure_covers_every_day_of_its_range(provider, phone_type) -> None:
    ClinicClosureFactory(start_date=MONDAY, end_date=MONDAY + dt.timedelta(days=1))
    slots = available_slots(appointment_type=phone_type, start_date=MONDAY, end_date=MONDAY + dt.timedelta(days=2))
    assert {s.start.astimezone(NY).date() for s in slots} == {MONDAY + dt.timedelta(days=2)}


def test_time_block(provider, phone_type) -> None:
    TimeBlockFactory(provider=provider, start=ny(MONDAY, 12), end=ny(MONDAY, 13))
    available = starts(slots_on(phone_type, MONDAY))
    assert ny(MONDAY, 11, 45) in available
    assert not any(ny(MONDAY, 12) <= s < ny(MONDAY, 13) for s in available)
    assert ny(MONDAY, 13) in available
    assert len(available) == 28


def test_only_active_providers_offering_the_type(phone_type, thirty) -> None:
    offering = provider_with_hours(phone_type)
    provider_with_hours(thirty)  # another type only
    provider_with_hours(phone_type, active=False)
    assert {s.provider for s in slots_on(phone_type, MONDAY)} == {offering}
    assert slots_on(phone_type, MONDAY, provider=offering)
    phone_type.active = False
    phone_type.save()
    assert slots_on(phone_type, MONDAY) == []


def test_two_providers_are_ordered_by_start(phone_type) -> None:
    provider_with_hours(phone_type, display_name="B")
    provider_with_hours(phone_type, display_name="A")
    slots = slots_on(phone_type, MONDAY)
    assert len(slots) == 64
    assert [s.provider.display_name for s in slots[:2]] == ["A", "B"]
    assert slots == sorted(slots, key=lambda s: s.start)


def test_nearest_slots_surround_the_taken_time(provider, phone_type) -> None:
    AppointmentFactory(provider=provider, appointment_type=phone_type, start=ny(MONDAY, 10))
    nearest = nearest_slots(appointment_type=phone_type, around=ny(MONDAY, 10))
    assert starts(nearest) == [ny(MONDAY, 9, 30), ny(MONDAY, 9, 45), ny(MONDAY, 10, 15)]


@pytest.mark.parametrize("appointments", [1, 60])
def test_query_count_does_not_grow_with_appointments(phone_type, django_assert_num_queries, appointments: int) -> None:
    providers = [provider_with_hours(phone_type) for _ in range(2)]
    for i in range(appointments):
        day = MONDAY + dt.timedelta(days=i // 30)
        AppointmentFactory(
            provider=providers[i % 2],
            appointment_type=phone_type,
            start=ny(day, 9) + dt.timedelta(minutes=15 * (i % 30)),
        )
    AvailabilityExceptionFactory(provider=providers[0], date=MONDAY + dt.timedelta(days=3))
    ClinicClosureFactory(start_date=MONDAY + dt.timedelta(days=4))
    TimeBlockFactory(provider=providers[1], start=ny(MONDAY, 16), end=ny(MONDAY, 17))
    with django_assert_num_queries(2):  # the providers, then hours, exceptions, closures and busy time in one
        slots = available_slots(appointment_type=phone_type, start_date=MONDAY, end_date=MONDAY + dt.timedelta(days=13))
    assert slots
    with django_assert_num_queries(1):  # one provider-day, as every confirm and reschedule checks
        assert slot_is_available(appointment_type=phone_type, provider=slots[0].provider, start=slots[0].start)


@pytest.mark.parametrize("change", ["inactive", "not offered"])
def test_one_provider_day_is_closed_for_a_provider_who_cannot_take_the_type(phone_type, change) -> None:
    provider = provider_with_hours(phone_type)
    AvailabilityExceptionFactory(
        provider=provider, date=MONDAY, kind="other_hours", start_time=dt.time(9), end_time=dt.time(12)
    )
    assert slot_is_available(appointment_type=phone_type, provider=provider, start=ny(MONDAY, 10))
    if change == "inactive":
        provider.active = False
        provider.save()
    else:
        provider.appointment_types.clear()
    assert not slot_is_available(appointment_type=phone_type, provider=provider, start=ny(MONDAY, 10))


def test_overlapping_ranges_do_not_offer_a_start_twice(phone_type) -> None:
    provider = ProviderFactory(types=[phone_type])
    WeeklyHoursFactory(provider=provider, weekday=0, start_time=dt.time(9), end_time=dt.time(10))
    WeeklyHoursFactory(provider=provider, weekday=0, start_time=dt.time(9, 30), end_time=dt.time(10, 30))
    assert len(slots_on(phone_type, MONDAY)) == 6


def test_one_provider_day_agrees_with_the_sweep_on_every_start(thirty) -> None:
    """The single-provider check and the sweep run one query in two shapes: they must agree, day by day."""
    provider = provider_with_hours(thirty)
    other = provider_with_hours(thirty)
    AvailabilityExceptionFactory(provider=provider, date=MONDAY)  # day off
    AvailabilityExceptionFactory(
        provider=provider,
        date=MONDAY + dt.timedelta(days=1),
        kind="other_hours",
        start_time=dt.time(7),
        end_time=dt.time(10),
    )
    ClinicClosureFactory(start_date=MONDAY + dt.timedelta(days=3))
    TimeBlockFactory(
        provider=provider, start=ny(MONDAY + dt.timedelta(days=2), 11), end=ny(MONDAY + dt.timedelta(days=2), 13)
    )
    AppointmentFactory(provider=provider, appointment_type=thirty, start=ny(MONDAY + dt.timedelta(days=2), 9))
    AppointmentFactory(provider=other, appointment_type=thirty, start=ny(MONDAY + dt.timedelta(days=2), 14))
    cancelled = AppointmentFactory(
        provider=provider, appointment_type=thirty, start=ny(MONDAY + dt.timedelta(days=2), 15)
    )
    Appointment.objects.filter(pk=cancelled.pk).update(status=Appointment.Status.CANCELLED, cancelled_at=NOW)
    days = [MONDAY + dt.timedelta(days=n) for n in range(6)]
    open_starts = {
        (slot.provider.pk, slot.start)
        for slot in available_slots(appointment_type=thirty, start_date=days[0], end_date=days[-1])
    }
    checked = 0
    for day, prov in itertools.product(days, (provider, other)):
        for minutes in range(6 * 60, 20 * 60, 15):
            start = ny(day, minutes // 60, minutes % 60)
            expected = (prov.pk, start) in open_starts
            assert slot_is_available(appointment_type=thirty, provider=prov, start=start) is expected, (prov, start)
            checked += expected
    assert checked > 50


def test_a_reschedule_ignores_the_appointment_it_moves(provider, phone_type) -> None:
    booked = AppointmentFactory(provider=provider, appointment_type=phone_type, start=ny(MONDAY, 10))
    other = AppointmentFactory(provider=provider, appointment_type=phone_type, start=ny(MONDAY, 11))
    at_ten = {"appointment_type": phone_type, "provider": provider, "start": ny(MONDAY, 10)}
    assert not slot_is_available(**at_ten)
    assert slot_is_available(**at_ten, ignore_appointment_id=booked.pk)
    assert not slot_is_available(**at_ten, ignore_appointment_id=other.pk)
    assert slot_is_available(**at_ten, ignore_busy=True)
    assert not slot_is_available(**(at_ten | {"start": ny(MONDAY, 10, 5)}), ignore_busy=True)  # off the grid
