from __future__ import annotations

import zoneinfo

from django.conf import settings


def clinic_tz() -> zoneinfo.ZoneInfo:
    """The clinic's own time zone: schedules are set, and staff see times, in it."""
    return zoneinfo.ZoneInfo(settings.CLINIC_TIME_ZONE)
