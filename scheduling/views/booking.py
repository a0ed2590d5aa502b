"""The public booking flow: type, day, time, details (visitors only), confirm, booked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from clinic.models import Patient
from intake.selectors import screening_state
from scheduling import selectors, services
from scheduling.exceptions import BookingError, SlotUnavailable
from scheduling.forms import BookingConfirmForm, VisitorDetailsForm
from scheduling.models import Appointment, AppointmentType
from scheduling.ratelimit import booking_allowed
from scheduling.views.common import (
    error_page,
    first_error,
    request_patient,
    slot_query,
    slot_taken_page,
    viewer_tz,
    with_query,
)
from scheduling.views.picker import build_picker

VISITOR_KEY = "scheduling_visitor"
BOOKED_KEY = "scheduling_booked"


def _type_or_404(slug: str) -> AppointmentType:
    return get_object_or_404(selectors.bookable_types(), slug=slug)


def _booking_patient(request: HttpRequest) -> Patient | None:
    """The logged-in patient, or None for a visitor. Staff book from the staff screens instead."""
    if request.user.is_authenticated and request_patient(request) is None:
        raise PermissionDenied("Staff book appointments from the staff area.")
    return request_patient(request)


def _confirm_url(appointment_type: AppointmentType, slot: Any, tz: str) -> str:
    url = reverse("scheduling:book-confirm", args=[appointment_type.slug])
    return with_query(url, **slot_query(slot, tz=tz))


def _pick_url(appointment_type: AppointmentType, tz: str) -> str:
    return with_query(reverse("scheduling:book-pick", args=[appointment_type.slug]), tz=tz)


@require_GET
def book_start(request: HttpRequest) -> HttpResponse:
    return render(request, "scheduling/book_start.html", {"types": selectors.bookable_types()})


@require_GET
def book_pick(request: HttpRequest, type_slug: str) -> HttpResponse:
    appointment_type = _type_or_404(type_slug)
    picker = build_picker(
        request,
        appointment_type=appointment_type,
        base_url=reverse("scheduling:book-pick", args=[type_slug]),
        slot_url=lambda slot, tz: _confirm_url(appointment_type, slot, tz),
        default_tz=viewer_tz(request),
    )
    template = "scheduling/partials/picker.html" if request.htmx else "scheduling/book_pick.html"
    return render(request, template, {"picker": picker, "appointment_type": appointment_type})


@require_http_methods(["GET", "POST"])
def book_details(request: HttpRequest, type_slug: str) -> HttpResponse:
    appointment_type = _type_or_404(type_slug)
    confirm_url = with_query(reverse("scheduling:book-confirm", args=[type_slug]), **request.GET.dict())
    if _booking_patient(request) is not None:
        return redirect(confirm_url)
    initial = request.session.get(VISITOR_KEY) or {"time_zone": viewer_tz(request)}
    form = VisitorDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        request.session[VISITOR_KEY] = form.to_session()
        return redirect(confirm_url)
    back_url = _pick_url(appointment_type, viewer_tz(request))
    context = {"form": form, "appointment_type": appointment_type, "back_url": back_url}
    return render(request, "scheduling/book_details.html", context)


@require_http_methods(["GET", "POST"])
def book_confirm(request: HttpRequest, type_slug: str) -> HttpResponse:
    appointment_type = _type_or_404(type_slug)
    patient, visitor = _booking_patient(request), request.session.get(VISITOR_KEY)
    if patient is None and not visitor:
        return redirect(with_query(reverse("scheduling:book-details", args=[type_slug]), **request.GET.dict()))
    tz = viewer_tz(request, patient)
    if request.method == "GET":
        form = BookingConfirmForm(BookingConfirmForm.with_new_key(request.GET), appointment_type=appointment_type)
    else:
        form = BookingConfirmForm(request.POST, appointment_type=appointment_type)
    if not form.is_valid():
        return error_page(request, first_error(form), back_url=_pick_url(appointment_type, tz))
    data = form.cleaned_data
    if request.method == "POST":
        return _book(request, form, patient=patient, visitor=visitor, tz=tz)
    if not selectors.slot_is_available(
        appointment_type=appointment_type, provider=data["provider"], start=data["start"]
    ):
        return _slot_taken(request, appointment_type, data["start"], tz, message="That time is not available.")
    context = {
        "form": form,
        "appointment_type": appointment_type,
        "provider": data["provider"],
        "start": data["start"],
        "tz": tz,
        "patient": patient,
        "visitor": visitor,
        "details_url": with_query(reverse("scheduling:book-details", args=[type_slug]), **request.GET.dict()),
    }
    return render(request, "scheduling/book_confirm.html", context)


def _slot_taken(
    request: HttpRequest, appointment_type: AppointmentType, around: dt.datetime, tz: str, message: str = ""
) -> HttpResponse:
    return slot_taken_page(
        request,
        appointment_type=appointment_type,
        around=around,
        slot_url=lambda slot: _confirm_url(appointment_type, slot, tz),
        back_url=_pick_url(appointment_type, tz),
        tz=tz,
        message=message,
    )


def _book(
    request: HttpRequest, form: BookingConfirmForm, *, patient: Patient | None, visitor: dict | None, tz: str
) -> HttpResponse:
    data = form.cleaned_data
    if not booking_allowed(request, email=patient.user.email if patient else visitor["email"]):
        return error_page(request, "Too many booking attempts. Please wait an hour, or call us.", status=429)
    try:
        appointment = _book_for(request, form, patient=patient, visitor=visitor)
    except SlotUnavailable as error:  # taken a moment ago, or (InvalidSlot) never open
        return _slot_taken(request, form.appointment_type, data["start"], tz, message=str(error))
    except BookingError as error:
        return error_page(request, str(error), back_url=_pick_url(form.appointment_type, tz))
    # The visitor's details stay in the session, so a repeated POST of this form finds its booking.
    request.session[BOOKED_KEY] = [*request.session.get(BOOKED_KEY, [])[-9:], appointment.pk]
    return redirect(with_query(reverse("scheduling:book-done", args=[appointment.pk]), tz=tz))


def _book_for(
    request: HttpRequest, form: BookingConfirmForm, *, patient: Patient | None, visitor: dict | None
) -> Appointment:
    data = form.cleaned_data
    common = {
        "provider": data["provider"],
        "appointment_type": form.appointment_type,
        "start": data["start"],
        "idempotency_key": str(data["idempotency_key"]),
    }
    if patient is not None:
        return services.book_appointment(patient=patient, booked_by=request.user, **common)
    details = dict(visitor)
    details["date_of_birth"] = dt.date.fromisoformat(details["date_of_birth"])
    return services.book_for_visitor(**details, **common)


@require_GET
def book_done(request: HttpRequest, pk: int) -> HttpResponse:
    patient = request_patient(request)
    if patient is not None:
        appointment = selectors.appointment_for_patient(patient=patient, pk=pk)
    else:
        appointment = selectors.appointment_for_visitor(pk=pk, booked_ids=request.session.get(BOOKED_KEY, []))
    context = {"appointment": appointment, "tz": viewer_tz(request, patient), "patient": patient}
    if patient is not None:
        context["screening_state"] = screening_state(patient=patient)
    return render(request, "scheduling/book_done.html", context)
