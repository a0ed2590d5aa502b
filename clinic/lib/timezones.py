from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


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


@cache
def _zone_options_html() -> str:
    return "".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in time_zone_choices())


class ZoneSelect(forms.Select):
    """The zone list, rendered once per process: building some 420 option widgets cost more than the rest of a
    booking page. Each render only marks the chosen zone."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        options = _zone_options_html()
        if value:
            chosen = f'<option value="{escape(value)}">'
            options = options.replace(chosen, chosen[:-1] + " selected>", 1)
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe(options))  # noqa: S308 - escaped above
