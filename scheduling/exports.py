"""CSV exports of infusion courses. Every cell that a spreadsheet would run as a formula is escaped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from clinic.lib.time import clinic_tz
from scheduling.models import InfusionCourse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: one that starts like a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def _local(value: Any) -> str:
    return value.astimezone(clinic_tz()).strftime("%Y-%m-%d %H:%M") if value else ""


def course_list_csv(courses: Iterable[InfusionCourse]) -> str:
    header = ["course", "patient", "protocol", "indication", "status", "completed", "planned", "created"]
    rows = (
        [
            c.pk,
            c.patient.full_name,
            c.protocol.name,
            c.get_indication_display(),
            c.get_status_display(),
            c.done,
            c.protocol.planned_sessions,
            _local(c.created_at),
        ]
        for c in courses
    )
    return _csv(header, rows)


def course_csv(course: InfusionCourse) -> str:
    """One row per session, per vitals reading and per score: what, when, and the values."""
    header = ["record", "session", "time", "status", "weight_kg", "dose_mg", "dose_reason", "lot", "values", "notes"]
    rows: list[list[Any]] = []
    for session in course.sessions.all():
        rows.append(
            [
                "session",
                session.number,
                _local(session.start),
                session.get_status_display(),
                session.weight_kg,
                session.dose_mg,
                session.dose_change_reason,
                session.lot_number,
                "",
                "; ".join(t for t in (session.adverse_events, session.interventions, session.notes) if t),
            ]
        )
        for r in session.vitals.all():
            values = f"{r.systolic}/{r.diastolic} HR {r.heart_rate} SpO2 {r.spo2} RR {r.respiratory_rate}"
            rows.append(
                ["vitals", session.number, _local(r.taken_at), r.get_phase_display(), "", "", "", "", values, ""]
            )
    for m in course.measures.all():
        number = m.session.number if m.session_id else ""
        rows.append([m.get_instrument_display(), number, _local(m.taken_at), m.when, "", "", "", "", m.total, ""])
    return _csv(header, rows)
