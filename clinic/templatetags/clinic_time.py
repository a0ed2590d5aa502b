"""How staff pages show a time: one format, in the clinic's own zone (where schedules are set and staff work)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, timezone

from clinic.lib.time import clinic_tz

register = template.Library()

TIME_FORMAT = "g:i A"  # 2:05 PM
DATETIME_FORMAT = f"M j, {TIME_FORMAT}"  # Nov 30, 2:05 PM


def _in_clinic_zone(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, clinic_tz()) if timezone.is_aware(value) else value


@register.filter
def clinic_time(value: dt.datetime | None) -> str:
    """``2:05 PM``: a time of today (an appointment, an arrival)."""
    if not isinstance(value, dt.datetime):
        return ""
    return formats.time_format(_in_clinic_zone(value), TIME_FORMAT)


@register.filter
def clinic_datetime(value: dt.datetime | None) -> str:
    """``Nov 30, 2:05 PM``: when something happened (an alert raised, an email that failed)."""
    if not isinstance(value, dt.datetime):
        return ""
    return formats.date_format(_in_clinic_zone(value), DATETIME_FORMAT)


@register.filter
def clinic_time_range(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """``2:00–3:00 PM``, or ``11:30 AM–12:30 PM`` across noon: a visit's times, the part of day said once."""
    if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
        return ""
    first, last = _in_clinic_zone(start), _in_clinic_zone(end)
    same_half = first.date() == last.date() and (first.hour < 12) == (last.hour < 12)
    opening = formats.time_format(first, "g:i" if same_half else TIME_FORMAT)
    return f"{opening}–{formats.time_format(last, TIME_FORMAT)}"
