from __future__ import annotations

import zoneinfo
from functools import cache


@cache
def time_zone_names() -> frozenset[str]:
    """Every zone name the system knows, read from disk once per process (the lookup is on every request)."""
    return frozenset(zoneinfo.available_timezones())


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Region/City zones people recognise, without the legacy and Etc/ aliases."""
    skip = ("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Chile/", "Mexico/", "posix", "right")
    zones = sorted(z for z in time_zone_names() if "/" in z and not z.startswith(skip))
    return [(z, z.replace("_", " ")) for z in zones]
