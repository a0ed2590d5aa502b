"""The course chart: each score against the baseline, with response and remission from ``infusion_rules.outcome``.

Rendered on the server as SVG (the template draws it from these numbers) beside a text table with the same data.
"""

from __future__ import annotations

from dataclasses import dataclass

from intake.scoring import INSTRUMENT_NAMES
from scheduling.infusion_rules import OUTCOME_RANGES, outcome
from scheduling.models import InfusionCourse

WIDTH, HEIGHT, PAD = 480, 220, 36


@dataclass(frozen=True)
class ChartPoint:
    label: str
    total: int
    change: int
    response: bool
    remission: bool
    x: float
    y: float


@dataclass(frozen=True)
class CourseChart:
    instrument: str
    label: str
    baseline: int
    baseline_y: float
    points: list[ChartPoint]
    polyline: str
    maximum: int
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


LABELS = {code: INSTRUMENT_NAMES[code] for code in ("phq9", "gad7", "pcl5")}


def course_charts(course: InfusionCourse) -> list[CourseChart]:
    """One chart per instrument with a baseline and at least one score."""
    charts = []
    for instrument in ("phq9", "gad7", "pcl5"):
        baseline = getattr(course, f"baseline_{instrument}")
        measures = [m for m in course.measures.all() if m.instrument == instrument]
        if baseline is None or not measures:
            continue
        maximum = OUTCOME_RANGES[instrument][1]
        step = (WIDTH - 2 * PAD) / max(len(measures), 1)

        def y(total: int, maximum: int = maximum) -> float:
            return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * total / maximum, 1)

        points = []
        for index, m in enumerate(measures, start=1):
            result = outcome(baseline=baseline, current=m.total, instrument=instrument)
            label = f"Session {m.session.number}" if m.session_id else m.taken_at.strftime("%b %d")
            points.append(
                ChartPoint(
                    label,
                    m.total,
                    result.change,
                    result.response,
                    result.remission,
                    round(PAD + step * index, 1),
                    y(m.total),
                )
            )
        line = " ".join(f"{p.x},{p.y}" for p in [ChartPoint("", baseline, 0, False, False, PAD, y(baseline)), *points])
        charts.append(CourseChart(instrument, LABELS[instrument], baseline, y(baseline), points, line, maximum))
    return charts


@dataclass(frozen=True)
class PainRow:
    label: str
    before: int | None
    after: int | None


def pain_rows(course: InfusionCourse) -> list[PainRow]:
    """Pain ratings before and after each session (pain courses), for a table beside the chart."""
    rows: dict[int, dict[str, int]] = {}
    for m in course.measures.all():
        if m.instrument == "pain" and m.session_id:
            rows.setdefault(m.session.number, {})[m.when] = m.total
    return [PainRow(f"Session {n}", r.get("before"), r.get("after")) for n, r in sorted(rows.items())]
