"""The role walk's shared parts: docs/roles.md is the truth, each app's ``tests/<app>/role_probes.py`` says how to try
each action in its table, and ``tests/test_role_walk.py`` walks every role through every probe.

A table in docs/roles.md that the walk reads looks like this (the heading names the app; the first column is the
action, word for word the key in that app's ``PROBES``; one column per staff role):

    ## Scheduling (`scheduling`)
    <!-- role-walk: scheduling -->
    | Action | Front desk | Nurse | Clinician | Clinic admin |
    |---|---|---|---|---|
    | Book by phone, reschedule, cancel | yes | no | yes | yes |

Only tables right below a ``<!-- role-walk: APP -->`` marker are walked. A cell is ``yes``, ``no`` or a word that a
probe's ``allowed`` understands (``their own``, ``any provider``).

Anonymous visitors, patients and the patient whose data it is are never staff: every staff probe sends them to the
login page (anonymous) or answers 403 (a logged-in patient).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROLES_DOC = Path(__file__).resolve().parent.parent / "docs" / "roles.md"
STAFF_COLUMNS = ("Front desk", "Nurse", "Clinician", "Clinic admin")
NON_STAFF = ("anonymous", "patient", "other_patient")


@dataclass
class World:
    """The people every probe may use; probes make their own objects (an appointment, a screening) from them."""

    patient: Any
    other_patient: Any
    staff: dict[str, Any]  # by column name in STAFF_COLUMNS
    acting: str = ""  # the column (or non-staff role) being walked; probes may use it ("their own" provider)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    data: dict[str, Any] | None = None
    htmx: bool = False


@dataclass(frozen=True)
class Probe:
    """How to try one action: ``build`` makes what it needs in the world and returns the request to send.

    ``allowed`` turns the table's cell into yes or no for this probe (so one row such as "Block time" can have a probe
    for the user's own provider and one for another provider).
    """

    name: str
    build: Callable[[World], Call]
    allowed: Callable[[str], bool] = lambda cell: cell == "yes"


def walked_tables(text: str | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """``{app: {action: {column: cell}}}`` for every table under a role-walk marker."""
    text = ROLES_DOC.read_text(encoding="utf-8") if text is None else text
    tables: dict[str, dict[str, dict[str, str]]] = {}
    for match in re.finditer(r"<!-- role-walk: (\w+) -->\s*\n((?:\|.*\|\s*\n?)+)", text):
        app, block = match.group(1), match.group(2)
        rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in block.strip().splitlines()]
        header, body = rows[0], rows[2:]
        if tuple(header[1:]) != STAFF_COLUMNS:
            raise ValueError(f"roles.md table {app!r} must have the columns {STAFF_COLUMNS}, has {header[1:]}")
        tables[app] = {
            row[0].strip("`"): dict(zip(STAFF_COLUMNS, (c.lower() for c in row[1:]), strict=True)) for row in body
        }
    return tables
