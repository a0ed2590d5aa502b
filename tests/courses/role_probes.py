"""How the role walk tries each action of the infusion courses table in docs/roles.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from clinic.lib.time import clinic_tz
from scheduling.models import InfusionChair, InfusionCourse, InfusionHours, InfusionSession, Protocol
from tests.factories import PatientFactory
from tests.role_walk import Call, Probe, World
from tests.scheduling.course_fixtures import approve


def _course(world: World) -> InfusionCourse:
    if "course" not in world.extra:
        protocol = Protocol.objects.get(slug="depression-induction")
        protocol.max_dose_mg = Decimal(60)
        protocol.observation_minutes = 60
        protocol.save()
        for weekday in range(7):
            InfusionHours.objects.create(weekday=weekday, start_time=dt.time(8), end_time=dt.time(18))
        # Patients of their own: other apps' probes give the world's patients screenings of their own.
        patient = PatientFactory()
        approve(patient)
        world.extra["course"] = InfusionCourse.objects.create(
            patient=patient, protocol=protocol, indication="depression", clinician=world.staff["Clinician"]
        )
    return world.extra["course"]


def _session(world: World) -> InfusionSession:
    if "session" not in world.extra:
        chair = InfusionChair.objects.create(name="Chair 1")
        day = timezone.localdate(timezone=clinic_tz()) + dt.timedelta(days=2)
        start = dt.datetime.combine(day, dt.time(9), tzinfo=clinic_tz())
        world.extra["session"] = InfusionSession.objects.create(
            course=_course(world), number=1, chair=chair, start=start, end=start + dt.timedelta(minutes=100)
        )
    return world.extra["session"]


def _step(world: World, step: str, data: dict | None = None) -> Call:
    return Call("POST", reverse("scheduling:staff-session-step", args=[_session(world).pk, step]), data or {})


def _ready_patient(world: World) -> int:
    if "ready" not in world.extra:
        world.extra["ready"] = PatientFactory()
        approve(world.extra["ready"])
    return world.extra["ready"].pk


PROBES = {
    "See the chair board and the courses": [
        Probe("chair-board", lambda w: Call("GET", reverse("scheduling:staff-chair-board"))),
        Probe("chair-board-poll", lambda w: Call("GET", reverse("scheduling:staff-chair-board"), htmx=True)),
        Probe("course-list", lambda w: Call("GET", reverse("scheduling:staff-course-list"))),
        Probe("course-detail", lambda w: Call("GET", reverse("scheduling:staff-course-detail", args=[_course(w).pk]))),
    ],
    "Open a session with its vitals and dose": [
        Probe("session", lambda w: Call("GET", reverse("scheduling:staff-session-detail", args=[_session(w).pk]))),
    ],
    "Document a session": [
        Probe("check-in", lambda w: _step(w, "check-in")),
        Probe("vitals", lambda w: _step(w, "vitals", {"vitals-phase": "pre", "vitals-systolic": "120"})),
        Probe("dose", lambda w: _step(w, "dose", {"dose-weight_kg": "70"})),
        Probe("no-show", lambda w: _step(w, "no-show")),
        Probe(
            "kiosk",
            lambda w: Call("POST", reverse("scheduling:staff-session-kiosk", args=[_session(w).pk])),
        ),
    ],
    "Override a hold, sign off a discharge": [
        Probe("override", lambda w: _step(w, "override", {"override-reason": "Known"})),
        Probe("signoff", lambda w: _step(w, "signoff", {"signoff-reason": "Stable"})),
    ],
    "Create a course": [
        Probe("course-new", lambda w: Call("GET", reverse("scheduling:staff-course-new", args=[_ready_patient(w)]))),
    ],
    "Stop a course": [
        Probe(
            "course-stop",
            lambda w: Call("POST", reverse("scheduling:staff-course-stop", args=[_course(w).pk]), {"reason": "Test"}),
        ),
    ],
    "Schedule a course's sessions": [
        Probe("course-plan", lambda w: Call("GET", reverse("scheduling:staff-course-plan", args=[_course(w).pk]))),
        Probe("session-move", lambda w: Call("GET", reverse("scheduling:staff-session-move", args=[_session(w).pk]))),
    ],
    "Export courses as CSV": [
        Probe("course-list-export", lambda w: Call("GET", reverse("scheduling:staff-course-list-export"))),
        Probe("course-export", lambda w: Call("GET", reverse("scheduling:staff-course-export", args=[_course(w).pk]))),
    ],
}
