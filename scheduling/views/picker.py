"""The day-and-time picker shared by booking, rescheduling and front-desk booking.

One call to ``available_slots`` per render gives both the month's days with openings and the chosen
day's times. Days are the viewer's own days: a slot late in the clinic's evening can fall on the next
day for someone further east, so the search takes a day either side and groups in the viewer's zone.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import urlencode

from clinic.lib.time import clamp_url_date, clinic_tz
from scheduling import selectors
from scheduling.forms import TimeZoneForm, valid_zone
from scheduling.models import AppointmentType, Provider

MAX_MONTHS_AHEAD = 12


@dataclass
class SlotChoice:
    provider: Provider | None  # None: the first available clinician, chosen when booking
    start: dt.datetime
    end: dt.datetime
    local_start: dt.datetime
    clinic_start: dt.datetime
    url: str
    short_notice: bool = False  # inside the type's online minimum notice (staff with the permission only)


# Where the patient's day is split when times are grouped: (label, first hour after it).
PARTS_OF_DAY = (("Morning", 12), ("Afternoon", 17), ("Evening", 24))


@dataclass
class DayCell:
    date: dt.date
    in_month: bool
    openings: int = 0
    url: str = ""
    selected: bool = False


@dataclass
class Picker:
    tz: str
    month: dt.date
    weeks: list[list[DayCell]]
    selected: dt.date | None
    times: list[SlotChoice]
    prev_url: str
    next_url: str
    tz_form: TimeZoneForm
    tz_explicit: bool
    base_url: str
    base_params: dict[str, Any]
    fixed_zone: bool
    for_staff: bool = False  # staff are pointed at the providers' hours, not told to phone the clinic
    clinic_tz: str = field(default_factory=lambda: settings.CLINIC_TIME_ZONE)
    clinicians: list[Provider] = field(default_factory=list)  # offered as a choice beside "first available"
    clinician: Provider | None = None
    minimum_notice_label: str = ""  # the online notice in words, when times inside it are offered

    @property
    def has_short_notice_times(self) -> bool:
        return any(choice.short_notice for choice in self.times)

    @property
    def has_openings(self) -> bool:
        return any(cell.openings for week in self.weeks for cell in week)

    @property
    def same_zone(self) -> bool:
        return self.tz == self.clinic_tz

    @property
    def times_with(self) -> str:
        """Who every time of the chosen day is with, when that is one answer ("the first available clinician", or
        the chosen clinician): said once above the times rather than on each of them. Empty when times differ."""
        providers = {choice.provider for choice in self.times}
        if len(providers) != 1:
            return ""
        (provider,) = providers
        return provider.display_name if provider else "the first available clinician"

    @property
    def time_groups(self) -> list[tuple[str, list[SlotChoice]]]:
        """The chosen day's times under Morning, Afternoon and Evening, in the viewer's zone; empty groups left out."""
        groups: dict[str, list[SlotChoice]] = {label: [] for label, _ in PARTS_OF_DAY}
        for choice in self.times:
            label = next(label for label, until in PARTS_OF_DAY if choice.local_start.hour < until)
            groups[label].append(choice)
        return [(label, choices) for label, choices in groups.items() if choices]


def _parse_month(value: str | None) -> dt.date | None:
    try:
        month = dt.datetime.strptime(value or "", "%Y-%m").date()  # noqa: DTZ007 - a month, no time
    except ValueError:
        return None
    return clamp_url_date(month).replace(day=1)


def _parse_day(value: str | None) -> dt.date | None:
    try:
        return clamp_url_date(dt.date.fromisoformat(value or ""))
    except ValueError:
        return None


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def horizon_days(appointment_type: AppointmentType) -> int:
    return max(appointment_type.booking_horizon.days, 1)


def build_picker(
    request: HttpRequest,
    *,
    appointment_type: AppointmentType,
    base_url: str,
    slot_url: Callable[[Any, str], str],
    default_tz: str,
    provider: Provider | None = None,
    base_params: dict[str, Any] | None = None,
    fixed_zone: bool = False,
    any_provider: bool = False,
    clinicians: list[Provider] | None = None,
    for_staff: bool = False,
    allow_short_notice: bool = False,
) -> Picker:
    """``fixed_zone`` keeps ``default_tz`` (staff work in the clinic's zone) and hides the zone choice;
    ``for_staff`` words the page for staff. ``allow_short_notice`` (staff holding ``scheduling.book_short_notice``)
    offers the times inside the type's online minimum notice too, each marked.

    With ``any_provider`` (and no ``provider``), each time is offered once, for the first available clinician.
    """
    tz_explicit = bool(request.GET.get("tz")) and not fixed_zone
    tz = default_tz if fixed_zone else valid_zone(request.GET.get("tz"), default_tz)
    zone = zoneinfo.ZoneInfo(tz)
    today = timezone.now().astimezone(zone).date()
    first_month = today.replace(day=1)
    last_month = min(
        (today + dt.timedelta(days=horizon_days(appointment_type))).replace(day=1),
        _add_months(first_month, MAX_MONTHS_AHEAD),
    )
    selected = _parse_day(request.GET.get("date"))
    month = _parse_month(request.GET.get("month")) or (selected.replace(day=1) if selected else first_month)
    month = min(max(month, first_month), last_month)
    if selected and selected.replace(day=1) != month:
        selected = None

    def open_days(month: dt.date) -> dict[dt.date, list[Any]]:
        """The month's open slots by day in the viewer's zone (the search reaches a day past each end of the month,
        since a zone far from the clinic's moves times across midnight)."""
        last_day = calendar.monthrange(month.year, month.month)[1]
        slots = selectors.available_slots(
            appointment_type=appointment_type,
            start_date=max(month - dt.timedelta(days=1), today - dt.timedelta(days=1)),
            end_date=month.replace(day=last_day) + dt.timedelta(days=2),
            provider=provider,
            allow_short_notice=allow_short_notice,
        )
        by_day: dict[dt.date, list[Any]] = {}
        for slot in slots:
            local_day = slot.start.astimezone(zone).date()
            if local_day.replace(day=1) == month and slot.start > timezone.now():
                by_day.setdefault(local_day, []).append(slot)
        return by_day

    by_day = open_days(month)
    if not by_day and month < last_month and not request.GET.get("month") and not selected:
        # Late in a month with nothing left to book: open on the next month rather than an empty one.
        month = _add_months(month, 1)
        by_day = open_days(month)

    def url(**params: Any) -> str:
        return f"{base_url}?{urlencode({**(base_params or {}), 'tz': tz, **params})}"

    weeks = []
    for week in calendar.Calendar(firstweekday=6).monthdatescalendar(month.year, month.month):
        row = []
        for day in week:
            cell = DayCell(date=day, in_month=day.month == month.month, selected=day == selected)
            if cell.in_month and day in by_day:
                starts = {slot.start for slot in by_day[day]}
                cell.openings = len(starts) if any_provider and provider is None else len(by_day[day])
                cell.url = url(month=month.strftime("%Y-%m"), date=day.isoformat())
            row.append(cell)
        weeks.append(row)

    clinic_zone = clinic_tz()
    day_slots = sorted(by_day.get(selected, []) if selected else [], key=lambda s: (s.start, str(s.provider)))
    if any_provider and provider is None:
        day_slots = [replace(slot, provider=None) for slot in {slot.start: slot for slot in day_slots}.values()]
    times = [
        SlotChoice(
            provider=slot.provider,
            start=slot.start,
            end=slot.end,
            local_start=slot.start.astimezone(zone),
            clinic_start=slot.start.astimezone(clinic_zone),
            url=slot_url(slot, tz),
            short_notice=slot.short_notice,
        )
        for slot in day_slots
    ]
    return Picker(
        tz=tz,
        month=month,
        weeks=weeks,
        selected=selected,
        times=times,
        prev_url=url(month=_add_months(month, -1).strftime("%Y-%m")) if month > first_month else "",
        next_url=url(month=_add_months(month, 1).strftime("%Y-%m")) if month < last_month else "",
        tz_form=TimeZoneForm(initial={"tz": tz}),
        tz_explicit=tz_explicit,
        base_url=base_url,
        base_params=base_params or {},
        fixed_zone=fixed_zone,
        clinicians=clinicians or [],
        clinician=provider,
        for_staff=for_staff,
        minimum_notice_label=appointment_type.minimum_notice_label if allow_short_notice else "",
    )
