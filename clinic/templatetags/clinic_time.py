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
