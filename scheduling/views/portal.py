"""The patient's portal home and their own appointments."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from clinic.decorators import patient_required
from clinic.selectors import patient_for_user
from education.selectors import required_reading_status
from intake.selectors import screening_state
from scheduling import selectors
from scheduling.ics import add_to_calendar_links
from scheduling.models import Appointment
from scheduling.selectors import courses as course_selectors
from scheduling.views import changes
from scheduling.views.common import calendar_file_response, viewer_tz

PAST_PER_PAGE = 20
UPCOMING_ON_HOME = 3


def _own(request: HttpRequest, pk: int) -> Appointment:
    return selectors.appointment_for_patient(patient=patient_for_user(request.user), pk=pk)


def _urls(appointment: Appointment) -> changes.ChangeUrls:
    args = [appointment.pk]
    return changes.ChangeUrls(
        detail=reverse("scheduling:appointment-detail", args=args),
        cancel=reverse("scheduling:appointment-cancel", args=args),
        reschedule=reverse("scheduling:appointment-reschedule", args=args),
        reschedule_confirm=reverse("scheduling:appointment-reschedule-confirm", args=args),
    )


@patient_required
@require_GET
def portal_home(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    upcoming, _ = selectors.patient_appointments(patient=patient)
    context = {
        "patient": patient,
        "upcoming": list(upcoming[:UPCOMING_ON_HOME]),
        "required_reading": required_reading_status(patient),
        "screening_state": screening_state(patient=patient),
        "tz": patient.time_zone,
        **course_selectors.course_summary_for_patient(patient=patient),
    }
    return render(request, "scheduling/portal_home.html", context)


@patient_required
@require_GET
def appointment_list(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    upcoming, past = selectors.patient_appointments(patient=patient)
    page = Paginator(past, PAST_PER_PAGE).get_page(request.GET.get("page"))
    context = {"upcoming": list(upcoming), "page": page, "tz": patient.time_zone}
    return render(request, "scheduling/appointment_list.html", context)


@patient_required
@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _own(request, pk)
    context = {
        "appointment": appointment,
        "urls": _urls(appointment),
        "can_change": selectors.patient_change_refusal(appointment) is None,
        "tz": viewer_tz(request),
        "calendar_links": add_to_calendar_links(appointment),
        "calendar_file_url": reverse("scheduling:appointment-calendar", args=[appointment.pk]),
        "screening_state": screening_state(patient=appointment.patient),
    }
    return render(request, "scheduling/appointment_detail.html", context)


@patient_required
@require_GET
def appointment_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    return calendar_file_response(_own(request, pk))


@patient_required
@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _own(request, pk)
    return changes.cancel(request, appointment, urls=_urls(appointment), by=request.user)


@patient_required
@require_GET
def appointment_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _own(request, pk)
    return changes.reschedule_pick(request, appointment, urls=_urls(appointment), tz=viewer_tz(request))


@patient_required
@require_http_methods(["GET", "POST"])
def appointment_reschedule_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _own(request, pk)
    urls = _urls(appointment)
    return changes.reschedule_confirm(request, appointment, urls=urls, by=request.user, tz=viewer_tz(request))
