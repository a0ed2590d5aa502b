"""The patient's check-in questionnaire before (and, for pain, after) a session, from the portal or the reminder's
link. PHQ-9 item 9 above 0 shows crisis resources at once and asks the C-SSRS screener; a high risk alerts staff."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clinic.decorators import patient_required
from clinic.selectors import patient_for_user
from scheduling.course_forms import CssrsForm, measure_answers, measure_form_class
from scheduling.exceptions import CourseError
from scheduling.models import InfusionSession
from scheduling.selectors import courses as selectors
from scheduling.services import measures as measure_services


def _own(request: HttpRequest, pk: int) -> InfusionSession:
    return selectors.session_for_patient(patient=patient_for_user(request.user), pk=pk)


def _when(session: InfusionSession) -> str:
    return "after" if session.status == InfusionSession.Status.COMPLETED else "before"


@patient_required
@require_http_methods(["GET", "POST"])
def session_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    session = _own(request, pk)
    when = _when(session)
    due = measure_services.measures_due(session, when)
    instrument = due[0] if due else ""
    form = measure_form_class(instrument)(request.POST or None) if instrument else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            result = measure_services.measure_record(
                session=session, instrument=instrument, when=when, answers=measure_answers(form)
            )
        except CourseError as error:
            form.add_error(None, error.message)
        else:
            if result.crisis:
                return render(request, "scheduling/checkin_safety.html", {"session": session, "form": CssrsForm()})
            return redirect("scheduling:session-checkin", session.pk)
    context = {"session": session, "form": form, "instrument": instrument, "when": when, "remaining": len(due)}
    return render(request, "scheduling/checkin.html", context, status=400 if form is not None and form.errors else 200)


@patient_required
@require_POST
def session_checkin_safety(request: HttpRequest, pk: int) -> HttpResponse:
    session = _own(request, pk)
    form = CssrsForm(request.POST)
    if form.is_valid():
        try:
            measure_services.cssrs_record(session=session, answers=form.answers())
        except CourseError as error:
            form.add_error(None, error.message)
        else:
            messages.info(request, "Thank you. Our team reads these answers. If you need help now, call or text 988.")
            return redirect("scheduling:session-checkin", session.pk)
    return render(request, "scheduling/checkin_safety.html", {"session": session, "form": form}, status=400)
