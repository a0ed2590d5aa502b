"""Time zones people choose from and read: CLDR's current zones, named the way CLDR names them (through Babel).

The list is the IANA zones that CLDR ties to a country, without the obsolete aliases CLDR maps to them
(America/Atka, US/Pacific, Asia/Calcutta...) and without Etc/ and the POSIX-style zones. A stored or submitted alias
still works: ``canonical_zone`` maps it to the zone it stands for.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location, get_timezone_name
from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

LOCALE = "en_US"
# The territory CLDR gives a zone that belongs to no country (Etc/UTC, Etc/GMT+5).
NO_COUNTRY = "ZZ"
YOUR_ZONE = "Your zone"
ALL_ZONES = "All time zones"


@cache
def time_zone_names() -> frozenset[str]:
    """Every zone name the system knows, aliases included, read from disk once per process (the lookup is on every
    request). A stored value is valid when it is one of these."""
    return frozenset(zoneinfo.available_timezones())


@cache
def _aliases() -> dict[str, str]:
    """CLDR's obsolete zone names, each with the current IANA zone it stands for."""
    return dict(get_global("zone_aliases"))


# Universal time, for people who keep their clocks on it: every name for it (UTC, Zulu, GMT, Etc/GMT+0...) is
# taken as this one, and it is offered beside the countries' zones.
UTC_ZONE = "Etc/UTC"


def canonical_zone(name: str | None) -> str | None:
    """The current IANA name of a zone the system knows (``US/Pacific`` gives ``America/Los_Angeles``, ``UTC`` and
    ``GMT`` give ``Etc/UTC``), else None."""
    if not name or name not in time_zone_names():
        return None
    current = _aliases().get(name, name)
    if current == "Etc/GMT":
        return UTC_ZONE
    return current if current in time_zone_names() else name


@cache
def offered_zones() -> frozenset[str]:
    """The zones a person chooses from: current (not an alias) and in a country, as CLDR says."""
    territories = get_global("zone_territories")
    return frozenset(
        zone
        for zone in time_zone_names()
        if zone not in _aliases() and len(territories.get(zone, "")) == 2 and territories[zone] != NO_COUNTRY
    ) | {UTC_ZONE}


def _cldr_name(zone: str) -> str:
    """CLDR's generic name ("Pacific Time"). A zone without daylight saving has only a standard name in CLDR ("India
    Standard Time"), which Babel does not fall back to for the generic name; it gives the location format instead."""
    location = get_timezone_location(zone, locale=LOCALE)
    generic = get_timezone_name(zone, width="long", zone_variant="generic", locale=LOCALE)
    if generic != location:
        return generic
    standard = get_timezone_name(zone, width="long", zone_variant="standard", locale=LOCALE)
    daylight = get_timezone_name(zone, width="long", zone_variant="daylight", locale=LOCALE)
    return standard if daylight == location else generic


@cache
def _label(zone: str) -> str:
    if zone == UTC_ZONE:
        return "Coordinated Universal Time (UTC)"
    if zone not in offered_zones():
        return zone  # Etc/UTC and the like: CLDR has no name people would know better than the id
    name = _cldr_name(zone)
    city = get_timezone_location(zone, locale=LOCALE, return_city=True)
    return name if city.casefold() in name.casefold() else f"{name} – {city}"


def zone_label(name: str) -> str:
    """The zone as people read it: "Pacific Time – Los Angeles". An alias is named as its zone; an unknown name is
    given back as it is."""
    zone = canonical_zone(name)
    return _label(zone) if zone else name


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    """The offered zones as (IANA id, label), in the order of their labels, so that a region's zones sit together."""
    return sorted(((zone, _label(zone)) for zone in offered_zones()), key=lambda choice: choice[1].casefold())


@cache
def _search_words() -> dict[str, str]:
    """What a search should also find a zone by, beyond its label and id: its country and its old names."""
    territories = get_global("zone_territories")
    countries = Locale.parse(LOCALE).territories
    old_names: dict[str, list[str]] = {}
    for alias, zone in _aliases().items():
        old_names.setdefault(zone, []).append(alias)
    old_names.setdefault(UTC_ZONE, []).extend(("GMT", "Greenwich"))
    return {
        zone: " ".join(
            ["" if zone == UTC_ZONE else countries.get(territories[zone], ""), *sorted(old_names.get(zone, []))]
        ).strip()
        for zone in offered_zones()
    }


def _option_html(zone: str, label: str, *, selected: bool = False) -> str:
    words = _search_words().get(zone, "")
    extra = f' data-search="{escape(words)}"' if words else ""
    return f'<option value="{escape(zone)}"{extra}{" selected" if selected else ""}>{escape(label)}</option>'


@cache
def _zone_options_html() -> dict[str, str]:
    return {zone: _option_html(zone, label) for zone, label in time_zone_choices()}


@cache
def _all_options_html() -> str:
    return "".join(_zone_options_html().values())


class ZoneSelect(forms.Select):
    """The zone list, rendered once per process: building some 440 option widgets cost more than the rest of a
    booking page. Each render only moves the chosen zone into a "Your zone" group at the top and marks it.

    A chosen alias shows as its zone; a chosen zone that is not offered (Etc/UTC, stored long ago) is kept, on top.
    The browser's own zone joins the top group in site.js, which also adds the search box."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        options = _all_options_html()
        top = ""
        zone = canonical_zone(str(value)) if value else None
        if zone:
            plain = _zone_options_html().get(zone)
            if plain:
                options = options.replace(plain, "", 1)
            top = f'<optgroup label="{YOUR_ZONE}" data-your-zone>{_option_html(zone, _label(zone), selected=True)}'
            top += "</optgroup>"
        groups = f'{top}<optgroup label="{ALL_ZONES}">{options}</optgroup>'
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name, "data-zone-select": True})
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe(groups))  # noqa: S308 - escaped above


class TimeZoneField(forms.ChoiceField):
    """A zone from the list. An old alias (a stored value, or what an older browser reports) is accepted and cleaned
    to its current name; any zone the system knows stays valid, so a profile saved years ago still saves."""

    widget = ZoneSelect

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", time_zone_choices)
        kwargs.setdefault("error_messages", {"invalid_choice": "Choose a time zone from the list."})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return canonical_zone(text) or text

    def valid_value(self, value: Any) -> bool:
        # Only the list: Etc/GMT+5 (which means UTC-5) and the like are known to the system but misread by people.
        return value in offered_zones()
