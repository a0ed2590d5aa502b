"""Which outcome measures a course asks for before or after a session: pure, no database.

Their recall periods set the schedule: the PHQ-9 (last 2 weeks) before the first session of each week and before
each maintenance session; the GAD-7 or PCL-5 (by indication) mid-course and at the end (the baseline is the
screening's); for pain courses a 0-10 pain rating before and after each session.
"""

from __future__ import annotations

from typing import Final

PAIN_RANGE: Final = (0, 10)


def second_instrument(indication: str) -> str:
    """The GAD-7 or the PCL-5 by indication; none for pain."""
    return {"ptsd": "pcl5", "pain": ""}.get(indication, "gad7")


def measures_due(
    *,
    indication: str,
    maintenance: bool,
    session_number: int,
    planned_sessions: int,
    first_of_week: bool,
    when: str,
) -> list[str]:
    """The instruments due ``when`` ("before" or "after") a session, in the order the patient answers them."""
    if when not in ("before", "after"):
        raise ValueError(f"when must be 'before' or 'after', got {when!r}.")
    if indication == "pain":
        return ["pain"]
    if when == "after":
        return []
    due = []
    if maintenance or first_of_week:
        due.append("phq9")
    middle = (planned_sessions + 1) // 2
    if not maintenance and session_number in {middle, planned_sessions}:
        due.append(second_instrument(indication))
    return due
