"""The staff calendar's time grid: which rows of five minutes each appointment and blocked time covers.

Pure layout over plain values (no ORM, no request): the view gives columns and entries, the template places them
with classes from ``scheduling/static/scheduling/calendar.css`` (rows, not inline styles, which the site's content
security policy refuses).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# The grid shows at least these clinic hours, and widens to show anything earlier or later.
DEFAULT_FIRST_HOUR = 8
DEFAULT_LAST_HOUR = 18
ROWS_PER_HOUR = 12  # five minutes a row
MAX_LANES = 4  # more overlapping items than this share the last lane


@dataclass(frozen=True)
class Placed:
    item: Any
    kind: str  # "appointment" or "block"
    start: dt.datetime
    end: dt.datetime
    row: int  # the first five-minute row it covers, from 1
    span: int  # how many rows
    lane: int = 1  # overlapping items sit side by side, in lanes from 1
    lanes: int = 1


@dataclass
class Column:
    key: Hashable
    label: str
    items: list[Placed] = field(default_factory=list)
    shows_now: bool = False


@dataclass(frozen=True)
class Grid:
    columns: list[Column]
    hours: list[tuple[int, int]]  # (hour 0-23 in the clinic's zone, its first row)
    rows: int
    now_row: int | None  # the row of the current time, when it is within the hours shown

    @property
    def hour_labels(self) -> list[tuple[dt.time, int]]:
        """Each hour as a time (the template writes it as the entries' times are written: "8 AM"), and its row."""
        return [(dt.time(hour), row) for hour, row in self.hours]


@dataclass(frozen=True)
class Entry:
    """An appointment or a block, placed in the column ``key`` (a provider or a day)."""

    item: Any
    kind: str
    key: Hashable
    start: dt.datetime
    end: dt.datetime


def build_grid(
    *,
    columns: Sequence[tuple[Hashable, str]],
    entries: Iterable[Entry],
    zone: dt.tzinfo,
    now: dt.datetime,
    now_keys: Iterable[Hashable] = (),
) -> Grid:
    """Lay ``entries`` out in ``columns`` by their clock time in ``zone``: a column is a provider's day (day view) or
    a day (week view), and every column shows the same hours. ``now_keys`` are the columns that are today."""
    entries = list(entries)

    def clock_hours(moment: dt.datetime) -> float:
        local = moment.astimezone(zone)
        return local.hour + local.minute / 60

    first = min([DEFAULT_FIRST_HOUR, *(int(clock_hours(e.start)) for e in entries)])
    last = max([DEFAULT_LAST_HOUR, *(_ceil_hour(e.end, zone) for e in entries)])
    rows = (last - first) * ROWS_PER_HOUR

    def row(moment: dt.datetime, *, end: bool = False) -> int:
        hours = clock_hours(moment)
        if end and hours == 0:  # an end at midnight closes the day
            hours = 24
        return max(1, min(rows + 1, round((hours - first) * ROWS_PER_HOUR) + 1))

    today = set(now_keys)
    by_key: dict[Hashable, Column] = {key: Column(key, label, shows_now=key in today) for key, label in columns}
    for entry in sorted(entries, key=lambda e: (e.start, e.end)):
        column = by_key.get(entry.key)
        if column is None:
            continue
        start_row = min(row(entry.start), rows)
        span = max(row(entry.end, end=True) - start_row, 1)
        column.items.append(Placed(entry.item, entry.kind, entry.start, entry.end, start_row, span))
    for column in by_key.values():
        column.items = _lanes(column.items)

    now_row = row(now) if today and first <= clock_hours(now) < last else None
    hours = [(hour, (hour - first) * ROWS_PER_HOUR + 1) for hour in range(first, last)]
    return Grid(list(by_key.values()), hours, rows, now_row)


def _ceil_hour(moment: dt.datetime, zone: Any) -> int:
    local = moment.astimezone(zone)
    if local.hour == 0 and local.minute == 0:
        return 24
    return local.hour + (1 if local.minute else 0)


def _lanes(items: list[Placed]) -> list[Placed]:
    """Give overlapping items (a block over an appointment, say) their own lane, so none hides another."""
    placed: list[Placed] = []
    group: list[Placed] = []
    group_end: dt.datetime | None = None
    for item in items:
        if group and group_end is not None and item.start >= group_end:
            placed += _spread(group)
            group = []
        group.append(item)
        group_end = item.end if group_end is None or len(group) == 1 else max(group_end, item.end)
    return placed + _spread(group)


def _spread(group: list[Placed]) -> list[Placed]:
    lane_ends: list[dt.datetime] = []
    lanes = []
    for item in group:
        lane = next((n for n, end in enumerate(lane_ends) if end <= item.start), len(lane_ends))
        lane = min(lane, MAX_LANES - 1)
        if lane == len(lane_ends):
            lane_ends.append(item.end)
        else:
            lane_ends[lane] = max(lane_ends[lane], item.end)
        lanes.append(lane)
    count = max(len(lane_ends), 1)
    return [
        Placed(i.item, i.kind, i.start, i.end, i.row, i.span, lane=lane + 1, lanes=count)
        for i, lane in zip(group, lanes, strict=True)
    ]
