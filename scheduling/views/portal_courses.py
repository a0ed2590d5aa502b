"""The patient's own infusion course: the plan, the upcoming sessions, the progress chart and the after-care article."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clinic.decorators import patient_required
from clinic.selectors import patient_for_user
from education.selectors import article_get_published
from scheduling.charts import course_charts, pain_rows
from scheduling.course_forms import PatientMoveForm
from scheduling.exceptions import CourseError
from scheduling.selectors import courses as selectors
from scheduling.services import courses as course_services

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
        "upcoming": [
            (s, course_services.patient_move_refusal(s)) for s in sessions if s.start >= now and s.status == "scheduled"
        ],
        "past": [s for s in sessions if not (s.start >= now and s.status == "scheduled")],
        "done": sum(1 for s in sessions if s.status == "completed"),
        "charts": course_charts(course),
        "pain": pain_rows(course),
        "after_care": after_care,
        "tz": course.patient.time_zone,
    }
    return render(request, "scheduling/my_course.html", context)


@patient_required
@require_http_methods(["GET", "POST"])
def my_session_move(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_for_user(request.user)
    session = selectors.session_for_patient(patient=patient, pk=pk)
    form = PatientMoveForm(request.POST or None, tz=patient.time_zone)
    refusal = course_services.patient_move_refusal(session)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            course_services.session_move_for_patient(session=session, start=form.cleaned_data["start"], by=request.user)
        except CourseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Session {session.number} moved.")
            return redirect("scheduling:my-course", session.course_id)
    context = {"session": session, "form": form, "refusal": refusal, "tz": patient.time_zone}
    status = 400 if form.errors or (refusal and request.method == "POST") else 200
    return render(request, "scheduling/my_session_move.html", context, status=status)
