"""Kiosk mode: a staff member hands a clinic tablet to one patient at check-in. Starting it signs the staff member out
of the tablet, so the patient can reach nothing but their own questionnaire; it ends (the session is wiped) when the
last questionnaire is submitted, or after ``KIOSK_MINUTES``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_http_methods, require_POST

from clinic.decorators import staff_required
from scheduling.course_forms import CssrsForm, measure_answers, measure_form_class
from scheduling.exceptions import CourseError
from scheduling.models import InfusionSession
from scheduling.selectors import courses as selectors
from scheduling.services import measures as measure_services
from scheduling.services import sessions as session_services

KIOSK_KEY = "kiosk_session"
KIOSK_MINUTES = 30


@staff_required("scheduling.document_infusionsession")
@require_POST
def kiosk_start(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_staff(pk=pk)
    refusal = session_services.kiosk_refusal(session)
    if refusal:
        messages.error(request, refusal)
        return redirect("scheduling:staff-session-detail", session.pk)
    logout(request)  # a fresh session: the tablet no longer carries the staff member's login
    until = timezone.now() + dt.timedelta(minutes=KIOSK_MINUTES)
    request.session[KIOSK_KEY] = {"id": session.pk, "until": until.isoformat()}
    return redirect("scheduling:kiosk")


def _kiosk_session(request: HttpRequest) -> InfusionSession | None:
    data = request.session.get(KIOSK_KEY) or {}
    until = parse_datetime(data.get("until") or "")
    if not data.get("id") or until is None or until <= timezone.now():
        return None
    return InfusionSession.objects.select_related("course__patient", "course__protocol").filter(pk=data["id"]).first()


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest) -> HttpResponse:
    session = _kiosk_session(request)
    if session is None:
        request.session.flush()
        return render(request, "scheduling/kiosk_done.html", {"ended": True})
    due = measure_services.measures_due(session, "before")
    if not due:
        request.session.flush()
        return render(request, "scheduling/kiosk_done.html", {"ended": False})
    form = measure_form_class(due[0])(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = measure_services.measure_record(
                session=session, instrument=due[0], when="before", answers=measure_answers(form)
            )
        except CourseError as error:
            form.add_error(None, error.message)
        else:
            if result.crisis:
                return render(request, "scheduling/kiosk_safety.html", {"form": CssrsForm()})
            return redirect("scheduling:kiosk")
    context = {"session": session, "form": form, "instrument": due[0], "remaining": len(due)}
    return render(request, "scheduling/kiosk.html", context, status=400 if form.errors else 200)


@require_POST
def kiosk_safety(request: HttpRequest) -> HttpResponse:
    session = _kiosk_session(request)
    if session is None:
        request.session.flush()
        return render(request, "scheduling/kiosk_done.html", {"ended": True})
    form = CssrsForm(request.POST)
    if form.is_valid():
        try:
            measure_services.cssrs_record(session=session, answers=form.answers())
        except CourseError as error:
            form.add_error(None, error.message)
        else:
            return redirect("scheduling:kiosk")
    return render(request, "scheduling/kiosk_safety.html", {"form": form}, status=400)
