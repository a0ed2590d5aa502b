"""The clinic's zone, and the one sane range for every date and datetime the app accepts from outside."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

# Whatever a form, admin or URL accepts stays well inside what Python and both databases can hold, in
# every zone: a year-9999 value turned into UTC would be year 10000, which PostgreSQL stores and Python
# cannot load back.
EARLIEST_INPUT = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
INPUT_YEARS_AHEAD = 10
URL_DATE_YEARS = 10
# Real zones are within UTC-12 to UTC+14; PostgreSQL refuses offsets beyond about 16 hours.
MAX_UTC_OFFSET = dt.timedelta(hours=14)


def clinic_tz() -> zoneinfo.ZoneInfo:
    """The clinic's own time zone: schedules are set, and staff see times, in it."""
    return zoneinfo.ZoneInfo(settings.CLINIC_TIME_ZONE)


def latest_input() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=365 * INPUT_YEARS_AHEAD)


def validate_datetime_range(value: dt.datetime) -> None:
    """Every datetime a form or admin field takes: aware, a real UTC offset, 1900 to ten years ahead."""
    if not isinstance(value, dt.datetime):
        return
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError("Enter a time with a real time zone offset.", code="offset")
    if timezone.is_aware(value) and not (EARLIEST_INPUT <= value <= latest_input()):
        raise ValidationError(
            "Enter a date between %(first)s and %(last)s.",
            code="out_of_range",
            params={"first": EARLIEST_INPUT.year, "last": latest_input().year},
        )


def in_input_range(value: dt.datetime) -> bool:
    try:
        validate_datetime_range(value)
    except ValidationError:
        return False
    return True


def clamp_url_date(value: dt.date) -> dt.date:
    """A date from a URL, pulled into ten years either side of today: far dates show the nearest page."""
    today = timezone.localdate(timezone=clinic_tz())
    first = today.replace(year=today.year - URL_DATE_YEARS, day=min(today.day, 28))
    last = today.replace(year=today.year + URL_DATE_YEARS, day=min(today.day, 28))
    return min(max(value, first), last)
