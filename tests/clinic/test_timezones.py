"""Time-zone names from CLDR (through Babel), the list without obsolete aliases, and old values that still work."""

from __future__ import annotations

import re

import pytest
from babel.core import get_global
from django.test import Client
from django.urls import reverse

from clinic.forms import PatientProfileForm
from clinic.lib.timezones import (
    ALL_ZONES,
    YOUR_ZONE,
    TimeZoneField,
    ZoneSelect,
    canonical_zone,
    time_zone_choices,
    zone_label,
)
from clinic.models import Patient
from scheduling.forms import TimeZoneForm, VisitorDetailsForm, valid_zone

OFFERED = dict(time_zone_choices())


def test_labels_are_cldrs_names_with_the_city() -> None:
    assert OFFERED["America/Los_Angeles"] == "Pacific Time – Los Angeles"
    assert OFFERED["America/New_York"] == "Eastern Time – New York"
    assert OFFERED["Europe/Paris"] == "Central European Time – Paris"
    assert OFFERED["America/Sao_Paulo"] == "Brasilia Time – São Paulo"
    # CLDR has only a standard name for a zone without daylight saving: that name, not "India Time".
    assert OFFERED["Asia/Kolkata"] == "India Standard Time – Kolkata"
    assert OFFERED["Pacific/Honolulu"] == "Hawaii Time – Honolulu"
    # The city is not repeated when the name already holds it.
    assert OFFERED["Europe/Moscow"] == "Moscow Time"


def test_every_label_is_unique_and_every_zone_has_a_name() -> None:
    labels = list(OFFERED.values())
    assert len(set(labels)) == len(labels)
    assert all(label and "/" not in label and "Unknown" not in label for label in labels)


def test_the_list_is_in_label_order() -> None:
    labels = [label.casefold() for label in OFFERED.values()]
    assert labels == sorted(labels)


@pytest.mark.parametrize(
    "alias", ["America/Atka", "US/Pacific", "US/Eastern", "Canada/Eastern", "Asia/Calcutta", "Europe/Kiev", "GB"]
)
def test_obsolete_aliases_are_not_offered(alias: str) -> None:
    assert alias not in OFFERED
    assert canonical_zone(alias) in OFFERED  # ...but each stands for a zone that is


def test_etc_and_posix_zones_are_not_offered() -> None:
    assert [zone for zone in OFFERED if zone.startswith(("Etc/", "US/", "Canada/", "SystemV/"))] == ["Etc/UTC"]
    assert "EST5EDT" not in OFFERED and "UTC" not in OFFERED and "Etc/GMT+5" not in OFFERED


def test_the_list_follows_babels_alias_table() -> None:
    aliases = get_global("zone_aliases")
    assert not set(aliases) & set(OFFERED)
    assert "Etc/UTC" in OFFERED  # universal time, for those who keep their clocks on it
    assert len(OFFERED) > 400  # every inhabited zone, not a hand-picked few


def test_canonical_zone() -> None:
    assert canonical_zone("America/Atka") == "America/Adak"
    assert canonical_zone("US/Pacific") == "America/Los_Angeles"
    assert canonical_zone("Europe/Paris") == "Europe/Paris"
    assert canonical_zone("Etc/UTC") == "Etc/UTC"
    assert canonical_zone("UTC") == canonical_zone("Zulu") == canonical_zone("GMT") == "Etc/UTC"
    assert canonical_zone("Etc/GMT+5") == "Etc/GMT+5"  # known, though not offered
    assert canonical_zone("Not/AZone") is None
    assert canonical_zone("") is None
    assert canonical_zone(None) is None


def test_zone_label_of_an_alias_and_of_nonsense() -> None:
    assert zone_label("US/Pacific") == "Pacific Time – Los Angeles"
    assert zone_label("Etc/UTC") == zone_label("UTC") == "Coordinated Universal Time (UTC)"
    assert zone_label("Etc/GMT+5") == "Etc/GMT+5"
    assert zone_label("<b>Not/AZone</b>") == "<b>Not/AZone</b>"  # given back; templates escape it


def test_zone_select_marks_only_the_chosen_zone_and_puts_it_first() -> None:
    html = ZoneSelect(attrs={"class": "form-select"}).render("tz", "Europe/Paris", {"id": "id_tz", "required": True})
    assert html.startswith('<select class="form-select" id="id_tz" name="tz" data-zone-select required>')
    assert html.count("<option ") == len(time_zone_choices())  # moved to the top, not repeated
    assert html.count(" selected>") == 1
    first = re.search(r'<optgroup label="([^"]+)" data-your-zone><option value="([^"]+)"[^>]*>([^<]+)<', html)
    assert first.groups() == (YOUR_ZONE, "Europe/Paris", "Central European Time – Paris")
    assert f'<optgroup label="{ALL_ZONES}">' in html
    assert 'data-search="France"' in html  # found by its country too
    assert 'value="America/Los_Angeles" data-search="United States US/Pacific' in html  # ...and by its old names


def test_zone_select_without_a_valid_value_has_no_chosen_group() -> None:
    for value in ("Not/AZone", "", None):
        html = ZoneSelect().render("tz", value)
        assert " selected>" not in html
        assert YOUR_ZONE not in html
        assert html.count("<option ") == len(time_zone_choices())


def test_zone_select_shows_a_stored_alias_as_its_zone() -> None:
    html = ZoneSelect().render("time_zone", "US/Pacific")
    assert '<option value="America/Los_Angeles" data-search="United States US/Pacific US/Pacific-New" selected>' in html
    assert html.count("<option ") == len(time_zone_choices())


def test_zone_select_keeps_a_stored_zone_that_is_not_offered() -> None:
    # Without it the browser would quietly choose the first zone in the list.
    html = ZoneSelect().render("time_zone", "Etc/GMT+5")
    assert '<option value="Etc/GMT+5" selected>Etc/GMT+5</option>' in html
    assert html.count("<option ") == len(time_zone_choices()) + 1


def test_zone_select_renders_from_the_cache() -> None:
    # The picker renders this on every request: the options are built once per process.
    ZoneSelect().render("tz", "Europe/Paris")
    from clinic.lib import timezones

    assert timezones._all_options_html.cache_info().currsize == 1
    before = timezones._all_options_html.cache_info().hits
    ZoneSelect().render("tz", "America/Chicago")
    assert timezones._all_options_html.cache_info().hits == before + 1


@pytest.mark.parametrize(
    ("posted", "cleaned"),
    [
        ("America/Los_Angeles", "America/Los_Angeles"),
        ("US/Pacific", "America/Los_Angeles"),
        ("America/Atka", "America/Adak"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Etc/UTC", "Etc/UTC"),
        ("UTC", "Etc/UTC"),
    ],
)
def test_the_field_accepts_aliases_as_their_zone(posted: str, cleaned: str) -> None:
    assert TimeZoneField().clean(posted) == cleaned
    form = TimeZoneForm({"tz": posted})
    assert form.is_valid() and form.cleaned_data["tz"] == cleaned


@pytest.mark.parametrize("posted", ["Not/AZone", "", "x" * 10_000, "<script>", "Etc/GMT+5", "Factory"])
def test_the_field_refuses_what_is_not_a_zone(posted: str) -> None:
    form = TimeZoneForm({"tz": posted})
    assert not form.is_valid()
    assert form.errors["tz"]


def test_a_tampered_zone_gets_a_clear_message() -> None:
    form = VisitorDetailsForm({"time_zone": "Mars/Olympus_Mons"})
    assert form.errors["time_zone"] == ["Choose a time zone from the list."]


def test_valid_zone_maps_aliases() -> None:
    assert valid_zone("US/Pacific", "America/New_York") == "America/Los_Angeles"
    assert valid_zone("Asia/Calcutta", "America/New_York") == "Asia/Kolkata"
    assert valid_zone("Nope/Nope", "America/New_York") == "America/New_York"
    assert valid_zone("UTC", "America/New_York") == "Etc/UTC"
    assert valid_zone("Etc/GMT+5", "America/New_York") == "America/New_York"  # UTC-5, whatever it seems to say
    assert valid_zone(None, "US/Eastern") == "America/New_York"  # a patient's stored alias, as the default


@pytest.mark.django_db
def test_a_profile_holding_an_alias_loads_and_saves_as_its_zone(patient: Patient, patient_client: Client) -> None:
    Patient.objects.filter(pk=patient.pk).update(time_zone="US/Eastern")
    patient.refresh_from_db()
    patient.full_clean()  # the stored alias is still a valid value
    page = patient_client.get(reverse("clinic:profile")).content.decode()
    assert '<option value="America/New_York" data-search="United States US/Eastern" selected>' in page
    form = PatientProfileForm(instance=patient)
    data = {name: form[name].value() or "" for name in form.fields}
    data["time_zone"] = "US/Eastern"  # what an old page would send back
    bound = PatientProfileForm(data, instance=patient)
    assert bound.is_valid(), bound.errors
    assert bound.save().time_zone == "America/New_York"
