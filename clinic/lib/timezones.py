from __future__ import annotations

import zoneinfo
from functools import cache


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Region/City zones people recognise, without the legacy and Etc/ aliases."""
    skip = ("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/", "Mexico/", "posix", "right")
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(skip))
    return [(z, z.replace("_", " ")) for z in zones]
