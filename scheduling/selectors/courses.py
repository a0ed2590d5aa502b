"""Reads for infusion courses: the course list, one course, the chair board, a session; the patient's own courses.

Querysets come joined, so list pages keep a fixed number of queries however many rows they show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from clinic.lib.time import clinic_tz
from clinic.models import Patient
from intake import selectors as intake_selectors
from scheduling.models import (
    CHAIR_HOLDING_STATUSES,
    InfusionChair,
    InfusionCourse,
    InfusionSession,
    OutcomeMeasure,
    Protocol,
    VitalSignReading,
)

SESSION_JOINS = ("course__patient", "course__protocol", "chair")


def _sessions() -> QuerySet[InfusionSession]:
    return InfusionSession.objects.select_related(*SESSION_JOINS).prefetch_related(
        Prefetch("vitals", queryset=VitalSignReading.objects.order_by("taken_at", "pk")),
        Prefetch("measures", queryset=OutcomeMeasure.objects.order_by("taken_at", "pk")),
    )


def courses_for_staff(*, status: str = "", protocol: Protocol | None = None, query: str = "") -> QuerySet:
    """Courses with their progress (completed sessions of those planned)."""
    courses = InfusionCourse.objects.select_related("patient", "protocol", "clinician").annotate(
        done=Count("sessions", filter=Q(sessions__status=InfusionSession.Status.COMPLETED)),
        booked=Count("sessions", filter=Q(sessions__status__in=CHAIR_HOLDING_STATUSES)),
    )
    if status:
        courses = courses.filter(status=status)
    if protocol is not None:
        courses = courses.filter(protocol=protocol)
    if query:
        courses = courses.filter(
            Q(patient__legal_first_name__icontains=query) | Q(patient__legal_last_name__icontains=query)
        )
    return courses.order_by("-created_at", "-pk")


def course_for_staff(*, pk: int) -> InfusionCourse:
    courses = InfusionCourse.objects.select_related("patient", "protocol", "clinician", "stopped_by").prefetch_related(
        Prefetch("sessions", queryset=_sessions().order_by("number")),
        Prefetch("measures", queryset=OutcomeMeasure.objects.select_related("session").order_by("taken_at", "pk")),
    )
    return get_object_or_404(courses, pk=pk)


def session_for_staff(*, pk: int) -> InfusionSession:
    return get_object_or_404(_sessions(), pk=pk)


@dataclass(frozen=True)
class BoardColumn:
    chair: InfusionChair
    sessions: list[InfusionSession]


def chair_board(*, day: dt.date) -> list[BoardColumn]:
    """One column per active chair, with the day's sessions (vitals prefetched for the alerts)."""
    tz = clinic_tz()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    sessions = list(_sessions().filter(start__gte=start, start__lt=start + dt.timedelta(days=1)).order_by("start"))
    return [BoardColumn(chair, [s for s in sessions if s.chair_id == chair.pk]) for chair in active_chairs()]


def patients_ready_for_a_course() -> QuerySet[Patient]:
    """Patients whose latest screening is approved and who have no planned or active course."""
    return (
        Patient.objects.filter(pk__in=intake_selectors.approved_patient_ids())
        .exclude(infusion_courses__status__in=["planned", "active"])
        .order_by("legal_last_name", "legal_first_name", "pk")
    )


def active_chairs() -> QuerySet[InfusionChair]:
    """The chairs sessions may be booked on and the board shows, by name."""
    return InfusionChair.objects.filter(active=True).order_by("name", "pk")


def usable_protocols() -> list[Protocol]:
    return [p for p in Protocol.objects.filter(active=True) if p.is_usable]


# ---- The patient's own ---------------------------------------------------------------------------------------


def courses_for_patient(*, patient: Patient) -> QuerySet[InfusionCourse]:
    return (
        InfusionCourse.objects.filter(patient=patient)
        .select_related("protocol")
        .prefetch_related(
            Prefetch("sessions", queryset=InfusionSession.objects.order_by("number")),
            Prefetch("measures", queryset=OutcomeMeasure.objects.select_related("session").order_by("taken_at", "pk")),
        )
        .order_by("-created_at", "-pk")
    )


def course_for_patient(*, patient: Patient, pk: int) -> InfusionCourse:
    return get_object_or_404(courses_for_patient(patient=patient), pk=pk)


def course_summary_for_patient(*, patient: Patient) -> dict:
    """For the portal home: the latest course, its completed sessions and the next booked one (or nothing)."""
    course = InfusionCourse.objects.filter(patient=patient).select_related("protocol").order_by("-created_at").first()
    if course is None:
        return {"course": None}
    sessions = InfusionSession.objects.filter(course=course)
    upcoming = sessions.filter(status=InfusionSession.Status.SCHEDULED, start__gte=timezone.now()).order_by("start")
    return {
        "course": course,
        "course_done": sessions.filter(status=InfusionSession.Status.COMPLETED).count(),
        "next_session": upcoming.first(),
    }


def session_for_patient(*, patient: Patient, pk: int) -> InfusionSession:
    return get_object_or_404(InfusionSession.objects.select_related("course__protocol"), pk=pk, course__patient=patient)


def calendar_sessions(*, start: dt.datetime, end: dt.datetime) -> QuerySet[InfusionSession]:
    """Sessions in a calendar range beside the consultations (cancelled ones left out)."""
    return (
        InfusionSession.objects.filter(start__gte=start, start__lt=end)
        .exclude(status=InfusionSession.Status.CANCELLED)
        .select_related("course__patient", "chair")
        .order_by("start", "pk")
    )
