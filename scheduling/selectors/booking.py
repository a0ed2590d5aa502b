"""Reads for scheduling: slots, a patient's appointments, the staff calendar. Querysets come joined."""

from __future__ import annotations

import bisect
import functools
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.postgres.fields import RangeBoundary
from django.db import connection
from django.db.models import (
    BigIntegerField,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Expression,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TimeField,
    Value,
)
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.lib.time import clinic_tz
from scheduling.exceptions import AppointmentNotActive, BookingError, ChangeCutoffPassed
from scheduling.models import (
    ACTIVE_STATUSES,
    MAX_BLOCKED_VISIT,
    Appointment,
    AppointmentType,
    AvailabilityException,
    ClinicClosure,
    Provider,
    TimeBlock,
    TsTzRange,
    WeeklyHours,
)
from scheduling.selectors.compiled import CompiledQuery, Param, compile_query, param_list

if TYPE_CHECKING:
    from clinic.models import Patient, User

T = TypeVar("T", int, time)  # epoch seconds, or wall-clock times
APPOINTMENT_JOINS = ("patient", "patient__user", "provider", "appointment_type")


class EpochSeconds(Func):
    """A datetime column as whole seconds since 1970: parsing ints is far cheaper than timestamps."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::bigint", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(ROUND((julianday(%(expressions)s) - 2440587.5) * 86400) AS INTEGER)",
            **extra,
        )


@dataclass(frozen=True)
class Slot:
    provider: Provider
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    # Inside the type's online minimum notice: offered only with ``allow_short_notice`` (staff booking by phone).
    short_notice: bool = False


# --- Catalogue --------------------------------------------------------------------------------------


def bookable_types() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.filter(active=True)


def providers_for_type(*, appointment_type: AppointmentType | Param) -> QuerySet[Provider]:
    """Active providers who offer the type (a ``Param`` in the compiled slot query)."""
    return Provider.objects.filter(active=True, appointment_types=appointment_type).select_related("user")


# --- Slots ------------------------------------------------------------------------------------------


def available_slots(
    *,
    appointment_type: AppointmentType,
    start_date: date,
    end_date: date,
    provider: Provider | None = None,
    allow_short_notice: bool = False,
) -> list[Slot]:
    """Open start times between two clinic-zone dates (both inclusive), ordered by start then provider.

    Online, a start must be at least the type's ``minimum_notice`` away. With ``allow_short_notice`` (a staff member
    holding ``scheduling.book_short_notice``: the caller checks it) the times inside that notice are offered too,
    marked ``short_notice``; nothing else is relaxed.

    Two queries whatever the data size: the providers (none when one provider is given), then weekly hours,
    exceptions, closures, blocked time and busy appointments in one (``_availability_query``). Everything else is
    arithmetic in UTC over wall-clock ranges in the clinic's zone.
    """
    return _slots(
        appointment_type=appointment_type,
        start_date=start_date,
        end_date=end_date,
        provider=provider,
        allow_short_notice=allow_short_notice,
    )


def nearest_slots(
    *,
    appointment_type: AppointmentType,
    around: datetime,
    provider: Provider | None = None,
    limit: int = 3,
    allow_short_notice: bool = False,
) -> list[Slot]:
    """The open slots closest to ``around`` (for "just taken, how about these?")."""
    day = timezone.localtime(around, clinic_tz()).date()
    slots = _slots(
        appointment_type=appointment_type,
        start_date=day - timedelta(days=2),
        end_date=day + timedelta(days=7),
        provider=provider,
        allow_short_notice=allow_short_notice,
    )
    slots.sort(key=lambda s: (abs(s.start - around), s.start))
    return sorted(slots[:limit], key=lambda s: s.start)


def providers_free_at(*, appointment_type: AppointmentType, start: datetime) -> list[Provider]:
    """The providers who could take ``start`` for this type, fairest first: the fewest active bookings that day in
    the clinic, then by name. "First available clinician" books the first of them that is still free."""
    day = timezone.localtime(start, clinic_tz()).date()
    free = [
        slot.provider
        for slot in _slots(appointment_type=appointment_type, start_date=day, end_date=day, provider=None)
        if slot.start == start
    ]
    if not free:
        return []
    day_start = datetime.combine(day, time.min, tzinfo=clinic_tz())
    booked = dict(
        Appointment.objects.filter(
            provider__in=free,
            status__in=ACTIVE_STATUSES,
            start__gte=day_start,
            start__lt=day_start + timedelta(days=1),
        )
        .values_list("provider")
        .annotate(count=Count("pk"))
        .values_list("provider", "count")
    )
    return sorted(free, key=lambda p: (booked.get(p.pk, 0), p.display_name, p.pk))


def slot_at(
    *,
    appointment_type: AppointmentType,
    provider: Provider,
    start: datetime,
    ignore_appointment_id: int | None = None,
    ignore_busy: bool = False,
    allow_short_notice: bool = False,
) -> Slot | None:
    """The provider's open slot starting exactly at ``start`` (grid, hours, notice, conflicts), or None.

    With ``ignore_busy``, appointments and blocked time do not count: is it a bookable time at all? With
    ``allow_short_notice``, as in ``available_slots``: its ``short_notice`` says whether it is inside the notice.
    """
    day = timezone.localtime(start, clinic_tz()).date()
    slots = _slots(
        appointment_type=appointment_type,
        start_date=day,
        end_date=day,
        provider=provider,
        ignore_appointment_id=ignore_appointment_id,
        ignore_busy=ignore_busy,
        allow_short_notice=allow_short_notice,
    )
    return next((slot for slot in slots if slot.start == start), None)


def slot_is_available(
    *,
    appointment_type: AppointmentType,
    provider: Provider,
    start: datetime,
    ignore_appointment_id: int | None = None,
    ignore_busy: bool = False,
    allow_short_notice: bool = False,
) -> bool:
    """Whether ``start`` is exactly one of the provider's open slots (see ``slot_at``)."""
    return (
        slot_at(
            appointment_type=appointment_type,
            provider=provider,
            start=start,
            ignore_appointment_id=ignore_appointment_id,
            ignore_busy=ignore_busy,
            allow_short_notice=allow_short_notice,
        )
        is not None
    )


def _slots(
    *,
    appointment_type: AppointmentType,
    start_date: date,
    end_date: date,
    provider: Provider | None,
    ignore_appointment_id: int | None = None,
    ignore_busy: bool = False,
    allow_short_notice: bool = False,
) -> list[Slot]:
    tz = clinic_tz()
    now = timezone.now()
    # The minimum notice, the one rule of how soon a time may be booked: online, nothing before it; staff allowed
    # short notice, anything still to come (after ``now``), each slot marked by which side of it it falls.
    notice_ends = now + appointment_type.minimum_notice
    earliest = now if allow_short_notice else notice_ends
    latest = now + appointment_type.booking_horizon
    start_date = max(start_date, timezone.localtime(earliest, tz).date())
    end_date = min(end_date, timezone.localtime(latest, tz).date())
    if start_date > end_date or not appointment_type.active:
        return []

    if provider is None:
        providers = list(providers_for_type(appointment_type=appointment_type).order_by())
    else:
        # One provider (every booking confirm and reschedule): no providers query; the slot query says whether the
        # provider is active and offers the type instead.
        providers = [provider]
    if not providers:
        return []
    window_start = datetime.combine(start_date, time.min, tzinfo=tz).astimezone(UTC) - timedelta(days=1)
    window_end = datetime.combine(end_date, time.max, tzinfo=tz).astimezone(UTC) + timedelta(days=1)

    # Hours, exceptions, closures and busy time in one query, compiled once per process: see ``_availability_query``.
    query = _availability_query(
        vendor=connection.vendor,
        providers=len(providers),
        one_provider=provider is not None,
        with_busy=not ignore_busy,
        ignoring=ignore_appointment_id is not None,
    )
    rows = query.rows(
        **{f"provider{n}": p.pk for n, p in enumerate(providers)},
        appointment_type=appointment_type.pk,
        first_day=start_date,
        last_day=end_date,
        window_start=window_start,
        window_end=window_end,
        ignored=ignore_appointment_id,
    )
    hours: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(lambda: defaultdict(list))
    exceptions: dict[tuple[int, date], list[tuple[time, time]]] = defaultdict(list)
    closed: set[date] = set()
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)  # epoch seconds: much faster than aware datetimes
    offered: set[int] = set()
    for source, pid, weekday, kind, day, last_day, start_t, end_t, busy_start, busy_end in rows:
        if source == _BUSY:
            busy[pid].append((busy_start, busy_end))
        elif source == _HOURS:
            hours[pid][weekday].append((start_t, end_t))
        elif source == _EXCEPTION:
            ranges = exceptions[(pid, day)]  # an empty list means a day off
            if kind == AvailabilityException.Kind.OTHER_HOURS:
                ranges.append((start_t, end_t))
        elif source == _CLOSURE:
            closed.update(day + timedelta(days=n) for n in range((last_day - day).days + 1))
        elif source == _OFFERED:
            offered.add(pid)
    if provider is not None and provider.pk not in offered:
        return []

    duration = int(appointment_type.duration.total_seconds())
    step = int(appointment_type.slot_interval.total_seconds())
    before = int(appointment_type.buffer_before.total_seconds())
    after = int(appointment_type.buffer_after.total_seconds())
    now_ts, earliest_ts, latest_ts = now.timestamp(), earliest.timestamp(), latest.timestamp()
    notice_ts = notice_ends.timestamp()
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
                for range_start, range_end in _merge(ranges):
                    for ts in _grid(day, range_start, range_end, duration, step, tz):
                        if (
                            now_ts < ts
                            and earliest_ts <= ts <= latest_ts
                            and _free(intervals, starts, ts - before, ts + duration + after)
                        ):
                            start_utc = datetime.fromtimestamp(ts, UTC)
                            slots.append(
                                Slot(
                                    provider=prov,
                                    start=start_utc,
                                    end=start_utc + appointment_type.duration,
                                    short_notice=ts < notice_ts,
                                )
                            )
            day += timedelta(days=1)
    slots.sort(key=lambda s: (s.start, s.provider.display_name, s.provider.pk))
    return slots


# The row shape of the slot query: what each column holds, and its type for the NULLs that pad it.
_HOURS, _EXCEPTION, _CLOSURE, _OFFERED, _BUSY = "hours", "exception", "closure", "offered", "busy"  # ``source``
_COLUMNS = {
    "provider_id": IntegerField(),
    "weekday": IntegerField(),
    "kind": CharField(),
    "day": DateField(),
    "last_day": DateField(),
    "start_time": TimeField(),
    "end_time": TimeField(),
    "busy_start": BigIntegerField(),  # epoch seconds: much faster to read and compare than aware datetimes
    "busy_end": BigIntegerField(),
}


@functools.lru_cache(maxsize=64)  # a few shapes: the providers' count varies only in the sweep
def _availability_query(
    *, vendor: str, providers: int, one_provider: bool, with_busy: bool, ignoring: bool
) -> CompiledQuery:
    """Everything a slot search reads, in one query compiled once per process and shape (``vendor`` is in the cache
    key because each backend gets its own SQL): the providers' weekly hours, their exceptions and the clinic's
    closures between two dates, and their blocked time and busy appointments around them.

    One query instead of four, and no queryset built or compiled per call: on every booking confirm and reschedule,
    building and compiling four querysets took about 5 ms of Python and their four round trips another 1-2 ms, while
    the database answers this one query in about half a millisecond (mostly planning) at 1,000 or 100,000 rows.
    The querysets here stay the one definition of what each part means (the busy part is ``busy_appointments``, as
    the services use it); ``compiled.Param`` marks the values bound on each run.

    With ``one_provider`` (every confirm and reschedule), a row says whether the provider is active and offers the
    type, instead of a query for providers.
    """
    ids = param_list("provider", Provider._meta.pk, providers)
    first_day, last_day = Param("first_day", DateField()), Param("last_day", DateField())
    window_start, window_end = Param("window_start", DateTimeField()), Param("window_end", DateTimeField())
    parts = [
        _shaped(
            WeeklyHours.objects.filter(provider_id__in=ids),
            _HOURS,
            provider_id="provider_id",
            weekday="weekday",
            start_time="start_time",
            end_time="end_time",
        ),
        _shaped(
            AvailabilityException.objects.filter(provider_id__in=ids, date__range=(first_day, last_day)),
            _EXCEPTION,
            provider_id="provider_id",
            kind="kind",
            day="date",
            start_time="start_time",
            end_time="end_time",
        ),
        _shaped(
            ClinicClosure.objects.filter(start_date__lte=last_day, end_date__gte=first_day),
            _CLOSURE,
            day="start_date",
            last_day="end_date",
        ),
    ]
    if one_provider:
        # The sweep asks for the providers first; one provider (every confirm and reschedule) is checked here.
        offering = providers_for_type(appointment_type=Param("appointment_type", AppointmentType._meta.pk))
        parts.append(_shaped(offering.filter(pk__in=ids), _OFFERED, provider_id="pk"))
    if with_busy:
        appointments = busy_appointments(provider_ids=ids, start=window_start, end=window_end)
        if ignoring:
            appointments = appointments.exclude(pk=Param("ignored", Appointment._meta.pk))
        parts += [
            _shaped(
                TimeBlock.objects.filter(provider_id__in=ids, end__gt=window_start, start__lt=window_end),
                _BUSY,
                provider_id="provider_id",
                busy_start=EpochSeconds("start"),
                busy_end=EpochSeconds("end"),
            ),
            _shaped(
                appointments,
                _BUSY,
                provider_id="provider_id",
                busy_start=EpochSeconds("blocked_start"),
                busy_end=EpochSeconds("blocked_end"),
            ),
        ]
    first, *others = parts
    return compile_query(first.union(*others, all=True))


def _shaped(queryset: QuerySet[Any], source: str, **columns: str | Func) -> QuerySet[Any]:
    """The queryset as rows of the slot query: ``source``, then ``_COLUMNS`` in order, NULL where it has none.

    The NULLs are typed: PostgreSQL takes a UNION column's type from its first parts, and an untyped NULL there
    would make it text. ``order_by()``: a model's default ordering is not allowed in a union part (and would only
    cost sorting).
    """
    values = (columns.get(name, Cast(Value(None), output_field=field)) for name, field in _COLUMNS.items())
    return queryset.order_by().values_list(Value(source), *values)


def busy_appointments(
    *, provider_ids: Sequence[int] | Expression, start: datetime | Param, end: datetime | Param
) -> QuerySet[Appointment]:
    """Active appointments whose buffered time overlaps [start, end), through an index on both backends.

    A plain ``blocked_end > start AND blocked_start < end`` reads every future row of the provider (an index on
    either column bounds one side only). PostgreSQL asks the exclusion constraint's GiST index with the range
    overlap operator; SQLite bounds ``blocked_start`` from below by the longest visit the types allow, so the
    ``(provider, blocked_start)`` index reads only the window. The values may be ``compiled.Param`` placeholders
    (the slot search compiles this once); those are typed on PostgreSQL, so the GiST index takes the provider as well
    (a plain integer id is left to the provider's btree index, which reads all of that provider's rows).
    """
    active = Appointment.objects.filter(provider_id__in=provider_ids, status__in=ACTIVE_STATUSES).order_by()
    if connection.vendor == "postgresql":
        span = TsTzRange("blocked_start", "blocked_end", RangeBoundary())
        return active.alias(span=span).filter(span__overlap=TsTzRange(start, end, Value("[)")))
    return active.filter(blocked_start__gt=start - MAX_BLOCKED_VISIT, blocked_start__lt=end, blocked_end__gt=start)


def _exists(local: datetime, tz: zoneinfo.ZoneInfo) -> bool:
    """Whether an aware wall-clock time exists (it does not in the skipped hour of spring-forward)."""
    return local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None)


def _grid(day: date, range_start: time, range_end: time, duration: int, step: int, tz: zoneinfo.ZoneInfo) -> list[int]:
    """Epoch starts on the wall-clock grid of one range; the visit must end (in real time) by the range end.

    Wall-clock times that do not exist (the skipped hour of a spring-forward night) are left out.
    """
    start_local = datetime.combine(day, range_start, tzinfo=tz)
    end_local = datetime.combine(day, range_end, tzinfo=tz)
    end_ts = int(end_local.timestamp())
    if start_local.utcoffset() == end_local.utcoffset() and _exists(start_local, tz) and _exists(end_local, tz):
        # No clock change inside the range (every day but two a year): plain arithmetic.
        return list(range(int(start_local.timestamp()), end_ts - duration + 1, step))
    result = []
    wall = datetime.combine(day, range_start)
    wall_end = datetime.combine(day, range_end)
    while wall < wall_end:
        aware = wall.replace(tzinfo=tz)
        if _exists(aware, tz):
            ts = int(aware.timestamp())
            if ts + duration > end_ts:
                break
            result.append(ts)
        wall += timedelta(seconds=step)
    return result


def _merge(intervals: list[tuple[T, T]]) -> list[tuple[T, T]]:
    """Overlapping intervals as one: busy times, and working ranges (a data-entry slip must not offer a start twice)."""
    merged: list[tuple[T, T]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _free(intervals: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
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
    """Any appointment, for staff screens (their views check the permission), or 404."""
    return get_object_or_404(_appointments().select_related("booked_by"), pk=pk)


def appointment_for_visitor(*, pk: int, booked_ids: Iterable[int]) -> Appointment:
    """An appointment this visitor's browser session booked, or 404: a visitor sees nothing else."""
    return get_object_or_404(_appointments().filter(pk__in=list(booked_ids)), pk=pk)


def patient_change_refusal(appointment: Appointment) -> BookingError | None:
    """Why the patient may no longer cancel or reschedule online, or None while they may: the one rule.

    The services raise it, and the pages that offer a change show its message. A change is open while the appointment
    is active and the type's cutoff (``change_deadline``) has not come.
    """
    if appointment.status not in ACTIVE_STATUSES:
        return AppointmentNotActive()
    if timezone.now() >= appointment.change_deadline:
        return ChangeCutoffPassed()
    return None


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


def time_block_for_staff(*, pk: int) -> TimeBlock:
    return get_object_or_404(TimeBlock.objects.select_related("provider"), pk=pk)


def providers() -> QuerySet[Provider]:
    """Every provider, active or not (the calendar shows past appointments too), by name."""
    return Provider.objects.select_related("user").order_by("display_name", "pk")


def active_providers() -> QuerySet[Provider]:
    return providers().filter(active=True)


def providers_user_may_block(*, user: User) -> QuerySet[Provider]:
    """Whose calendars this staff member may block: every active provider with ``add_timeblock``, else their own."""
    if user.has_perm("scheduling.add_timeblock"):
        return active_providers()
    if user.has_perm("scheduling.block_own_time"):
        return active_providers().filter(user=user)
    return Provider.objects.none()
