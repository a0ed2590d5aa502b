"""Reads for scheduling: slots, a patient's appointments, the staff calendar. Querysets come joined."""

from __future__ import annotations

import bisect
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentType,
    AvailabilityException,
    ClinicClosure,
    Provider,
    TimeBlock,
    WeeklyHours,
)

if TYPE_CHECKING:
    from clinic.models import Patient

APPOINTMENT_JOINS = ("patient", "patient__user", "provider", "appointment_type")


@dataclass(frozen=True)
class Slot:
    provider: Provider
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC

    @property
    def key(self) -> str:
        """A stable string for forms: provider id and UTC start."""
        return f"{self.provider.pk}:{self.start.isoformat()}"


def clinic_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.CLINIC_TIME_ZONE)


# --- Catalogue --------------------------------------------------------------------------------------


def bookable_types() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.filter(active=True)


def providers_for_type(*, appointment_type: AppointmentType) -> QuerySet[Provider]:
    return Provider.objects.filter(active=True, appointment_types=appointment_type).select_related("user")


# --- Slots ------------------------------------------------------------------------------------------


def available_slots(
    *,
    appointment_type: AppointmentType,
    start_date: date,
    end_date: date,
    provider: Provider | None = None,
) -> list[Slot]:
    """Open start times between two clinic-zone dates (both inclusive), ordered by start then provider.

    Six queries whatever the data size: providers, weekly hours, exceptions, closures, time blocks and
    busy appointments. Everything else is arithmetic in UTC over wall-clock ranges in the clinic's zone.
    """
    return _slots(appointment_type=appointment_type, start_date=start_date, end_date=end_date, provider=provider)


def nearest_slots(
    *, appointment_type: AppointmentType, around: datetime, provider: Provider | None = None, limit: int = 3
) -> list[Slot]:
    """The open slots closest to ``around`` (for "just taken, how about these?")."""
    day = timezone.localtime(around, clinic_tz()).date()
    slots = _slots(
        appointment_type=appointment_type,
        start_date=day - timedelta(days=2),
        end_date=day + timedelta(days=7),
        provider=provider,
    )
    slots.sort(key=lambda s: (abs(s.start - around), s.start))
    return sorted(slots[:limit], key=lambda s: s.start)


def slot_is_available(
    *,
    appointment_type: AppointmentType,
    provider: Provider,
    start: datetime,
    ignore_appointment_id: int | None = None,
) -> bool:
    """Whether ``start`` is exactly one of the provider's open slots (grid, hours, notice, conflicts)."""
    day = timezone.localtime(start, clinic_tz()).date()
    slots = _slots(
        appointment_type=appointment_type,
        start_date=day,
        end_date=day,
        provider=provider,
        ignore_appointment_id=ignore_appointment_id,
    )
    return any(slot.start == start for slot in slots)


def _slots(
    *,
    appointment_type: AppointmentType,
    start_date: date,
    end_date: date,
    provider: Provider | None,
    ignore_appointment_id: int | None = None,
) -> list[Slot]:
    tz = clinic_tz()
    now = timezone.now()
    earliest = now + appointment_type.minimum_notice
    latest = now + appointment_type.booking_horizon
    start_date = max(start_date, timezone.localtime(earliest, tz).date())
    end_date = min(end_date, timezone.localtime(latest, tz).date())
    if start_date > end_date or not appointment_type.active:
        return []

    providers = providers_for_type(appointment_type=appointment_type)
    if provider is not None:
        providers = providers.filter(pk=provider.pk)
    providers = list(providers)
    if not providers:
        return []
    ids = [p.pk for p in providers]
    window_start = datetime.combine(start_date, time.min, tzinfo=tz).astimezone(UTC) - timedelta(days=1)
    window_end = datetime.combine(end_date, time.max, tzinfo=tz).astimezone(UTC) + timedelta(days=1)

    hours: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    for pid, weekday, start_t, end_t in WeeklyHours.objects.filter(provider_id__in=ids).values_list(
        "provider_id", "weekday", "start_time", "end_time"
    ):
        hours[pid][weekday].append((start_t, end_t))
    exceptions: dict[tuple[int, date], list[tuple[time, time]]] = defaultdict(list)
    for pid, day, kind, start_t, end_t in AvailabilityException.objects.filter(
        provider_id__in=ids, date__range=(start_date, end_date)
    ).values_list("provider_id", "date", "kind", "start_time", "end_time"):
        ranges = exceptions[(pid, day)]  # an empty list means a day off
        if kind == AvailabilityException.Kind.OTHER_HOURS:
            ranges.append((start_t, end_t))
    closed: set[date] = set()
    for first, last in ClinicClosure.objects.filter(start_date__lte=end_date, end_date__gte=start_date).values_list(
        "start_date", "end_date"
    ):
        closed.update(first + timedelta(days=n) for n in range((last - first).days + 1))

    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for pid, start_dt, end_dt in TimeBlock.objects.filter(
        provider_id__in=ids, end__gt=window_start, start__lt=window_end
    ).values_list("provider_id", "start", "end"):
        busy[pid].append((start_dt, end_dt))
    appointments = Appointment.objects.filter(
        provider_id__in=ids, status__in=ACTIVE_STATUSES, blocked_end__gt=window_start, blocked_start__lt=window_end
    )
    if ignore_appointment_id is not None:
        appointments = appointments.exclude(pk=ignore_appointment_id)
    for pid, start_dt, end_dt in appointments.values_list("provider_id", "blocked_start", "blocked_end"):
        busy[pid].append((start_dt, end_dt))

    duration = appointment_type.duration
    step = appointment_type.slot_interval
    before, after = appointment_type.buffer_before, appointment_type.buffer_after
    slots: list[Slot] = []
    for prov in providers:
        intervals = _merge(busy.get(prov.pk, []))
        starts = [s for s, _ in intervals]
        day = start_date
        while day <= end_date:
            if day not in closed:
                ranges = exceptions.get((prov.pk, day))
                if ranges is None:
                    ranges = hours.get(prov.pk, {}).get(day.weekday(), [])
                for range_start, range_end in ranges:
                    for slot_start in _grid(day, range_start, range_end, duration, step, tz):
                        if slot_start < earliest or slot_start > latest:
                            continue
                        if _free(intervals, starts, slot_start - before, slot_start + duration + after):
                            slots.append(Slot(provider=prov, start=slot_start, end=slot_start + duration))
            day += timedelta(days=1)
    slots.sort(key=lambda s: (s.start, s.provider.display_name, s.provider.pk))
    return slots


def _grid(
    day: date, range_start: time, range_end: time, duration: timedelta, step: timedelta, tz: zoneinfo.ZoneInfo
) -> list[datetime]:
    """UTC starts on the wall-clock grid of one range; the visit must end (in real time) by the range end.

    Wall-clock times that do not exist (the skipped hour of a spring-forward night) are left out.
    """
    result = []
    end_utc = datetime.combine(day, range_end, tzinfo=tz).astimezone(UTC)
    wall = datetime.combine(day, range_start)
    wall_end = datetime.combine(day, range_end)
    while wall < wall_end:
        aware = wall.replace(tzinfo=tz)
        start_utc = aware.astimezone(UTC)
        if start_utc.astimezone(tz).replace(tzinfo=None) == wall:  # exists on this day
            if start_utc + duration > end_utc:
                break
            result.append(start_utc)
        wall += step
    return result


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _free(intervals: list[tuple[datetime, datetime]], starts: list[datetime], start: datetime, end: datetime) -> bool:
    """Whether [start, end) misses every merged busy interval (half-open, like the database range)."""
    i = bisect.bisect_left(starts, end)  # intervals starting at or after ``end`` cannot overlap
    return i == 0 or intervals[i - 1][1] <= start


# --- Appointments -----------------------------------------------------------------------------------


def _appointments() -> QuerySet[Appointment]:
    return Appointment.objects.select_related(*APPOINTMENT_JOINS)


def patient_appointments(*, patient: Patient) -> tuple[QuerySet[Appointment], QuerySet[Appointment]]:
    """The patient's upcoming (active, not yet over; soonest first) and past appointments (latest first)."""
    now = timezone.now()
    mine = _appointments().filter(patient=patient)
    upcoming_q = Q(status__in=ACTIVE_STATUSES, end__gte=now)
    return mine.filter(upcoming_q).order_by("start", "pk"), mine.exclude(upcoming_q).order_by("-start", "-pk")


def appointment_for_patient(*, patient: Patient, pk: int) -> Appointment:
    """The patient's own appointment, or 404: another patient's id looks like a missing one."""
    return get_object_or_404(_appointments().filter(patient=patient), pk=pk)


def appointment_for_staff(*, pk: int) -> Appointment:
    return get_object_or_404(_appointments(), pk=pk)


def calendar_appointments(
    *, start: datetime, end: datetime, provider: Provider | None = None, include_cancelled: bool = False
) -> QuerySet[Appointment]:
    """Appointments that overlap [start, end), for the staff calendar, by start then provider."""
    qs = _appointments().filter(start__lt=end, end__gt=start)
    if provider is not None:
        qs = qs.filter(provider=provider)
    if not include_cancelled:
        qs = qs.exclude(status=Appointment.Status.CANCELLED)
    return qs.order_by("start", "provider__display_name", "pk")


def calendar_blocks(*, start: datetime, end: datetime, provider: Provider | None = None) -> QuerySet[TimeBlock]:
    qs = TimeBlock.objects.select_related("provider", "created_by").filter(start__lt=end, end__gt=start)
    if provider is not None:
        qs = qs.filter(provider=provider)
    return qs.order_by("start", "provider__display_name", "pk")


def active_providers() -> QuerySet[Provider]:
    return Provider.objects.filter(active=True).select_related("user")
