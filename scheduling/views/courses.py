"""Staff screens of infusion courses: the list with progress, a course and its printable summary, creating,
planning and stopping a course, and the CSV exports. Each action checks its own permission (docs/roles.md)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.decorators import staff_required
from clinic.lib.access import log_patient_access, log_patients_listed
from clinic.lib.time import clinic_tz
from clinic.models import AccessLog, Patient
from intake import selectors as intake_selectors
from scheduling import exports
from scheduling.charts import course_charts, pain_rows
from scheduling.course_forms import (
    CourseCreateForm,
    CourseFilterForm,
    PlanFormSet,
    PlanRowForm,
    PlanStartForm,
    ReasonForm,
)
from scheduling.exceptions import CourseError
from scheduling.models import CLINICAL_VALUES_PERM
from scheduling.selectors import courses as selectors
from scheduling.services import courses as course_services

VIEW_PERM = "scheduling.view_infusioncourse"
CLINICAL_PERM = CLINICAL_VALUES_PERM
ADD_PERM = "scheduling.add_infusioncourse"
STOP_PERM = "scheduling.stop_infusioncourse"
SCHEDULE_PERM = "scheduling.schedule_infusioncourse"
EXPORT_PERM = "scheduling.export_infusioncourse"


@staff_required(VIEW_PERM)
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    form = CourseFilterForm(request.GET)
    courses = list(selectors.courses_for_staff(**form.values()))
    ready = list(selectors.patients_ready_for_a_course()) if request.user.has_perm(ADD_PERM) else []
    log_patients_listed(request, [course.patient_id for course in courses] + [patient.pk for patient in ready])
    return render(request, "scheduling/staff/course_list.html", {"form": form, "courses": courses, "ready": ready})


def _csv_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required(EXPORT_PERM)
@require_GET
def course_list_export(request: HttpRequest) -> HttpResponse:
    courses = list(selectors.courses_for_staff(**CourseFilterForm(request.GET).values()))
    for course in courses:
        log_patient_access(request, course.patient, course, action=AccessLog.Action.EXPORT)
    return _csv_response(exports.course_list_csv(courses), "courses.csv")


@staff_required(EXPORT_PERM)
@require_GET
def course_export(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_for_staff(pk=pk)
    log_patient_access(request, course.patient, course, action=AccessLog.Action.EXPORT)
    return _csv_response(exports.course_csv(course), f"course-{course.pk}.csv")


@staff_required(VIEW_PERM)
@require_GET
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_for_staff(pk=pk)
    log_patient_access(request, course.patient, course)
    clinical = request.user.has_perm(CLINICAL_PERM)
    sessions = list(course.sessions.all())
    context = {
        "course": course,
        "sessions": sessions,
        "clinical": clinical,
        "charts": course_charts(course) if clinical else [],
        "pain": pain_rows(course) if clinical else [],
        "stop_refusal": course_services.course_stop_refusal(course),
        "stop_cancels": len(course_services.cancelled_by_stop(sessions)),
        "movable": {session.pk for session in sessions if course_services.staff_move_refusal(session) is None},
        "schedule_refusal": course_services.course_schedule_refusal(course),
        "stop_form": ReasonForm(),
        "print": request.GET.get("print") == "1",
    }
    return render(request, "scheduling/staff/course_detail.html", context)


@staff_required(ADD_PERM)
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_pk)
    log_patient_access(request, patient, patient)  # the page shows the screening's scores and flags
    baseline = intake_selectors.course_baseline(patient=patient)
    form = CourseCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = course_services.course_create(
                patient=patient, clinician=request.user, by=request.user, **form.cleaned_data
            )
        except CourseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Course created. Now schedule its sessions.")
            return redirect("scheduling:staff-course-plan", course.pk)
    context = {"patient": patient, "baseline": baseline, "form": form, "usable": selectors.usable_protocols()}
    return render(request, "scheduling/staff/course_new.html", context, status=400 if form.errors else 200)


@staff_required(STOP_PERM)
@require_POST
def course_stop(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_for_staff(pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise CourseError("Say why the course is stopped: " + " ".join(form.errors.get("reason", [])))
        course_services.course_stop(course=course, reason=form.cleaned_data["reason"], by=request.user)
    except CourseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The course is stopped; its sessions not yet started are cancelled.")
    return redirect("scheduling:staff-course-detail", course.pk)


@staff_required(SCHEDULE_PERM)
@require_http_methods(["GET", "POST"])
def course_plan(request: HttpRequest, pk: int) -> HttpResponse:
    course = selectors.course_for_staff(pk=pk)
    log_patient_access(request, course.patient, course)
    start_form = PlanStartForm(request.GET or {"first_day": timezone.localdate(timezone=clinic_tz())})
    error = ""
    if request.method == "POST":
        formset = PlanFormSet(request.POST)
        if formset.is_valid():
            plan = [(row["start"], row["chair"]) for row in formset.cleaned_data if row]
            try:
                if not plan:
                    raise CourseError("Add at least one session with a time and a chair; nothing was booked.")
                course_services.plan_book(course=course, plan=plan, by=request.user)
            except CourseError as exc:
                error = exc.message
            else:
                messages.success(request, f"{len(plan)} session(s) booked.")
                return redirect("scheduling:staff-course-detail", course.pk)
    else:
        formset = PlanFormSet(initial=_suggestion(course, start_form))
    refusal = course_services.course_schedule_refusal(course)
    context = {"course": course, "formset": formset, "start_form": start_form, "refusal": refusal, "error": error}
    bad = error or any(formset.errors) or formset.non_form_errors()
    return render(request, "scheduling/staff/course_plan.html", context, status=400 if bad else 200)


def _suggestion(course: object, start_form: PlanStartForm) -> list[dict]:
    if not start_form.is_valid():
        return []
    try:
        plan = course_services.plan_suggest(course=course, first_day=start_form.cleaned_data["first_day"])
    except CourseError:
        return []
    return [{"start": p.start.astimezone(clinic_tz()).replace(tzinfo=None), "chair": p.chair} for p in plan]


@staff_required(SCHEDULE_PERM)
@require_http_methods(["GET", "POST"])
def session_move(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_staff(pk=pk)
    log_patient_access(request, session.course.patient, session)
    local = session.start.astimezone(clinic_tz()).replace(tzinfo=None)
    form = PlanRowForm(request.POST or None, initial={"start": local, "chair": session.chair})
    if request.method == "POST" and form.is_valid():
        try:
            course_services.session_reschedule(session=session, by=request.user, **form.cleaned_data)
        except CourseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Session {session.number} moved.")
            return redirect("scheduling:staff-course-detail", session.course_id)
    context = {"session": session, "form": form}
    return render(request, "scheduling/staff/session_move.html", context, status=400 if form.errors else 200)
