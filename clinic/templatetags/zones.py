"""``{{ tz|zone_name }}``: a time zone as people read it, wherever a time is shown."""

from __future__ import annotations

from typing import Any

from django import template

from clinic.lib.timezones import zone_label

register = template.Library()


@register.filter
def zone_name(value: Any) -> str:
    """ "America/Los_Angeles" gives "Pacific Time – Los Angeles"; a ZoneInfo gives its zone's name too."""
    return zone_label(str(getattr(value, "key", value) or ""))
