"""The staff calendar's time grid (issue 11, section 4): layout rules, the page, removing blocked time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.lib.roles import CLINICIAN
from scheduling.calendar_grid import ROWS_PER_HOUR, Entry, build_grid
from scheduling.models import TimeBlock
from tests.factories import StaffFactory
from tests.scheduling import view_fixtures
from tests.scheduling.factories import ProviderFactory, TimeBlockFactory
from tests.scheduling.view_fixtures import make_appointments

appointment = view_fixtures.appointment
frozen = view_fixtures.frozen
NY = ZoneInfo("America/New_York")


def at(hour: int, minute: int = 0, day: int = 4) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=NY)


def test_rows_are_five_minutes_from_the_first_hour_shown() -> None:
    grid = build_grid(
        columns=[("a", "A")], entries=[Entry("x", "appointment", "a", at(9, 30), at(9, 45))], zone=NY, now=at(12)
    )
    assert grid.hours[0] == (8, 1)  # the working day starts at 8 by default
    placed = grid.columns[0].items[0]
    assert (placed.row, placed.span) == (1 + 18, 3)  # 9:30 is 18 rows after 8:00; 15 minutes is 3 rows
    assert grid.rows == (18 - 8) * ROWS_PER_HOUR


def test_the_grid_widens_for_early_and_late_items_and_ends_at_midnight() -> None:
    entries = [
        Entry("early", "appointment", "a", at(6, 15), at(6, 45)),
        Entry("late", "block", "a", at(21), at(0, day=5)),
    ]
    grid = build_grid(columns=[("a", "A")], entries=entries, zone=NY, now=at(12))
    assert (grid.hours[0][0], grid.hours[-1][0]) == (6, 23)
    late = grid.columns[0].items[1]
    assert late.row + late.span == grid.rows + 1  # reaches the bottom, not the top


def test_overlapping_items_get_lanes_and_others_the_full_width() -> None:
    entries = [
        Entry("visit", "appointment", "a", at(10), at(11)),
        Entry("block", "block", "a", at(10, 30), at(11, 30)),
        Entry("later", "appointment", "a", at(12), at(12, 30)),
    ]
    items = build_grid(columns=[("a", "A")], entries=entries, zone=NY, now=at(9)).columns[0].items
    assert [(i.item, i.lane, i.lanes) for i in items] == [("visit", 1, 2), ("block", 2, 2), ("later", 1, 1)]


def test_now_line_only_in_todays_columns_and_hours() -> None:
    columns = [("mon", "Mon"), ("tue", "Tue")]
    grid = build_grid(columns=columns, entries=[], zone=NY, now=at(10, 30), now_keys=["tue"])
    assert grid.now_row == 1 + 30 and [c.shows_now for c in grid.columns] == [False, True]
    assert build_grid(columns=columns, entries=[], zone=NY, now=at(23), now_keys=["tue"]).now_row is None
    assert build_grid(columns=columns, entries=[], zone=NY, now=at(10)).now_row is None


def test_items_in_no_column_are_left_out() -> None:
    grid = build_grid(columns=[("a", "A")], entries=[Entry("x", "block", "b", at(9), at(10))], zone=NY, now=at(9))
    assert grid.columns[0].items == []


@pytest.mark.django_db
def test_day_view_has_a_column_per_provider_with_appointments_at_their_times(
    front_desk, staff_client_for, appointment, provider, phone_type
) -> None:
    second = ProviderFactory(display_name="Dr. Second")
    second.appointment_types.add(phone_type)
    page = staff_client_for(front_desk).get(reverse("scheduling:staff-calendar") + "?date=2026-03-04").content.decode()
    assert f">{provider.display_name}" in page and ">Dr. Second" in page
    # Wednesday 10:00-10:15 in New York: rows from 8:00, five minutes each.
    assert "cal-at-25 cal-len-3" in page
    assert reverse("scheduling:staff-appointment-detail", args=[appointment.pk]) in page


@pytest.mark.django_db
def test_today_shows_the_current_time(front_desk, staff_client_for, provider, frozen) -> None:
    page = staff_client_for(front_desk).get(reverse("scheduling:staff-calendar")).content.decode()
    assert 'class="cal-now cal-at-13"' in page  # 9:00 in New York, the frozen now


@pytest.mark.django_db
def test_week_view_has_a_column_per_day(front_desk, staff_client_for, appointment) -> None:
    page = staff_client_for(front_desk).get(reverse("scheduling:staff-calendar") + "?view=week&date=2026-03-04")
    content = page.content.decode()
    for day in ("Sunday, March 1", "Wednesday, March 4", "Saturday, March 7"):
        assert day in content
    assert appointment.patient.full_name in content


@pytest.mark.django_db
def test_query_count_stays_flat_with_more_providers_and_bookings(
    front_desk, staff_client_for, provider, phone_type, frozen
) -> None:
    desk = staff_client_for(front_desk)
    url = reverse("scheduling:staff-calendar") + "?date=2026-03-03"
    make_appointments(2, provider=provider, appointment_type=phone_type)
    with CaptureQueriesContext(connection) as small:
        desk.get(url)
    for n in range(4):
        other = ProviderFactory(display_name=f"Dr. Extra {n}")
        make_appointments(3, provider=other, appointment_type=phone_type)
        TimeBlockFactory(provider=other, start=dt.datetime(2026, 3, 3, 21, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as large:
        response = desk.get(url)
    assert response.content.decode().count('<section aria-labelledby="col-') == 5
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_staff_remove_blocked_time_from_the_calendar(front_desk, staff_client_for, provider, frozen) -> None:
    block = TimeBlockFactory(provider=provider, start=dt.datetime(2026, 3, 4, 20, tzinfo=dt.UTC))
    desk = staff_client_for(front_desk)
    page = desk.get(reverse("scheduling:staff-calendar") + "?date=2026-03-04").content.decode()
    remove = reverse("scheduling:staff-block-remove", args=[block.pk])
    assert remove in page
    assert desk.get(remove).status_code == 405
    response = desk.post(remove)
    assert response.status_code == 302 and "date=2026-03-04" in response["Location"]
    assert not TimeBlock.objects.filter(pk=block.pk).exists()


@pytest.mark.django_db
def test_a_clinician_removes_only_their_own_blocked_time(staff_client_for, provider, frozen) -> None:
    clinician = StaffFactory(role=CLINICIAN)
    own = ProviderFactory(user=clinician)
    mine = TimeBlockFactory(provider=own, start=dt.datetime(2026, 3, 4, 20, tzinfo=dt.UTC))
    theirs = TimeBlockFactory(provider=provider, start=dt.datetime(2026, 3, 4, 20, tzinfo=dt.UTC))
    client = staff_client_for(clinician)
    page = client.get(reverse("scheduling:staff-calendar") + "?date=2026-03-04").content.decode()
    assert reverse("scheduling:staff-block-remove", args=[mine.pk]) in page
    assert reverse("scheduling:staff-block-remove", args=[theirs.pk]) not in page
    assert client.post(reverse("scheduling:staff-block-remove", args=[theirs.pk])).status_code == 403
    assert client.post(reverse("scheduling:staff-block-remove", args=[mine.pk])).status_code == 302
    assert list(TimeBlock.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert client.post(reverse("scheduling:staff-block-remove", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_a_block_over_several_days_shows_on_each(front_desk, staff_client_for, provider, frozen) -> None:
    TimeBlockFactory(
        provider=provider,
        start=dt.datetime(2026, 3, 2, 22, tzinfo=dt.UTC),
        end=dt.datetime(2026, 3, 4, 17, tzinfo=dt.UTC),
        reason="Conference",
    )
    week = staff_client_for(front_desk).get(reverse("scheduling:staff-calendar") + "?view=week&date=2026-03-03")
    assert week.content.decode().count(": Conference") == 3  # Monday evening, all Tuesday, Wednesday morning
