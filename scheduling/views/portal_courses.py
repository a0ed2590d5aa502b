"""The patient's own infusion course: the plan, the upcoming sessions, the progress chart and the after-care article."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clinic.decorators import patient_required
from clinic.selectors import patient_for_user
from education.selectors import article_get_published
from scheduling.charts import course_charts, pain_rows
from scheduling.selectors import courses as selectors

AFTER_CARE_SLUG = "after-your-infusion"


@patient_required
@require_GET
def my_course_latest(request: HttpRequest) -> HttpResponse:
    course = selectors.courses_for_patient(patient=patient_for_user(request.user)).first()
    if course is None:
        raise Http404
    return redirect("scheduling:my-course", course.pk)


@patient_required
@require_GET
def my_course(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_for_patient(patient=patient_for_user(request.user), pk=pk)
    sessions = list(course.sessions.all())
    now = timezone.now()
    try:
        after_care = article_get_published(slug=AFTER_CARE_SLUG)
    except Http404:
        after_care = None
    context = {
        "course": course,
        "upcoming": [s for s in sessions if s.start >= now and s.status == "scheduled"],
        "past": [s for s in sessions if not (s.start >= now and s.status == "scheduled")],
        "done": sum(1 for s in sessions if s.status == "completed"),
        "charts": course_charts(course),
        "pain": pain_rows(course),
        "after_care": after_care,
        "tz": course.patient.time_zone,
    }
    return render(request, "scheduling/my_course.html", context)
