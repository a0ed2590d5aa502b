"""How staff pages write a time and a visit's times: one format, in the clinic's zone."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic.templatetags.clinic_time import clinic_datetime, clinic_time, clinic_time_range

UTC = dt.UTC


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((19, 0), (20, 0), "2:00–3:00 PM"),  # New York is UTC-5 in winter
        ((16, 30), (17, 30), "11:30 AM–12:30 PM"),  # across noon: each side says its half of the day
        ((14, 0), (14, 15), "9:00–9:15 AM"),
    ],
)
def test_a_visits_times_say_the_part_of_day_once_unless_it_changes(start, end, expected) -> None:
    day = dt.datetime(2026, 12, 1, tzinfo=UTC)
    assert clinic_time_range(day.replace(hour=start[0], minute=start[1]), day.replace(hour=end[0], minute=end[1])) == (
        expected
    )


def test_single_times_and_missing_values() -> None:
    moment = dt.datetime(2026, 12, 1, 19, 5, tzinfo=UTC)
    assert clinic_time(moment) == "2:05 PM"
    assert clinic_datetime(moment) == "Dec 1, 2:05 PM"
    assert clinic_time_range(moment, None) == clinic_time(None) == ""
