"""The public booking flow: type, day, time, details (visitors only), confirm, booked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from clinic.lib.http import query_id
from clinic.models import Patient
from intake.selectors import screening_state
from scheduling import selectors, services
from scheduling.exceptions import BookingError, SlotUnavailable
from scheduling.forms import BookingConfirmForm, SlotForm, VisitorDetailsForm
from scheduling.ics import add_to_calendar_links, event_links, receipt_event
from scheduling.models import Appointment, AppointmentType, Provider
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
RECEIPT_KEY = "scheduling_receipt"


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
    """One button per time, for the first available clinician; a patient may choose a clinician instead."""
    appointment_type = _type_or_404(type_slug)
    clinicians = list(selectors.providers_for_type(appointment_type=appointment_type))
    wanted = query_id(request.GET.get("provider"))
    chosen = next((p for p in clinicians if p.pk == wanted), None)
    picker = build_picker(
        request,
        appointment_type=appointment_type,
        base_url=reverse("scheduling:book-pick", args=[type_slug]),
        slot_url=lambda slot, tz: _confirm_url(appointment_type, slot, tz),
        default_tz=viewer_tz(request),
        provider=chosen,
        base_params={"provider": chosen.pk} if chosen else {},
        any_provider=True,
        clinicians=clinicians if len(clinicians) > 1 else [],
    )
    template = "scheduling/partials/picker.html" if request.htmx else "scheduling/book_pick.html"
    return render(request, template, {"picker": picker, "appointment_type": appointment_type})


@require_http_methods(["GET", "POST"])
def book_details(request: HttpRequest, type_slug: str) -> HttpResponse:
    appointment_type = _type_or_404(type_slug)
    confirm_url = with_query(reverse("scheduling:book-confirm", args=[type_slug]), **request.GET.dict())
    if _booking_patient(request) is not None:
        return redirect(confirm_url)
    back_url = _pick_url(appointment_type, viewer_tz(request))
    slot = SlotForm(request.GET, appointment_type=appointment_type, any_provider=True)
    if not slot.is_valid():
        return error_page(request, first_error(slot), back_url=back_url)
    initial = request.session.get(VISITOR_KEY) or {"time_zone": viewer_tz(request)}
    form = VisitorDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        request.session[VISITOR_KEY] = form.to_session()
        return redirect(confirm_url)
    context = {
        "form": form,
        "appointment_type": appointment_type,
        "back_url": back_url,
        "start": slot.cleaned_data["start"],
        "provider": slot.cleaned_data["provider"],
        "tz": viewer_tz(request),
    }
    return render(request, "scheduling/book_details.html", context)


@require_http_methods(["GET", "POST"])
def book_confirm(request: HttpRequest, type_slug: str) -> HttpResponse:
    appointment_type = _type_or_404(type_slug)
    patient, visitor = _booking_patient(request), request.session.get(VISITOR_KEY)
    if patient is None and not visitor:
        return redirect(with_query(reverse("scheduling:book-details", args=[type_slug]), **request.GET.dict()))
    tz = viewer_tz(request, patient)
    if request.method == "GET":
        data = BookingConfirmForm.with_new_key(request.GET)
        form = BookingConfirmForm(data, appointment_type=appointment_type, any_provider=True)
    else:
        form = BookingConfirmForm(request.POST, appointment_type=appointment_type, any_provider=True)
    if not form.is_valid():
        return error_page(request, first_error(form), back_url=_pick_url(appointment_type, tz))
    data = form.cleaned_data
    if request.method == "POST":
        return _book(request, form, patient=patient, visitor=visitor, tz=tz)
    if not _still_open(appointment_type, data["provider"], data["start"]):
        return _slot_taken(
            request,
            appointment_type,
            data["start"],
            tz,
            provider=data["provider"],
            message="That time is not available.",
        )
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


def _still_open(appointment_type: AppointmentType, provider: Provider | None, start: dt.datetime) -> bool:
    if provider is None:
        return bool(selectors.providers_free_at(appointment_type=appointment_type, start=start))
    return selectors.slot_is_available(appointment_type=appointment_type, provider=provider, start=start)


def _slot_taken(
    request: HttpRequest,
    appointment_type: AppointmentType,
    around: dt.datetime,
    tz: str,
    *,
    provider: Provider | None,
    message: str = "",
) -> HttpResponse:
    """The nearest other times, with the clinician the patient chose (any clinician for "first available")."""
    back_url = _pick_url(appointment_type, tz)
    return slot_taken_page(
        request,
        appointment_type=appointment_type,
        around=around,
        slot_url=lambda slot: _confirm_url(appointment_type, slot, tz),
        back_url=with_query(back_url, provider=provider.pk) if provider else back_url,
        tz=tz,
        provider=provider,
        message=message,
    )


def _book(
    request: HttpRequest, form: BookingConfirmForm, *, patient: Patient | None, visitor: dict | None, tz: str
) -> HttpResponse:
    data = form.cleaned_data
    email = patient.user.email if patient else visitor["email"]
    if not booking_allowed(request, email=email, attempt=str(data["idempotency_key"])):
        return error_page(request, "Too many booking attempts. Please wait an hour, or call us.", status=429)
    chosen: list[Provider] = []
    try:
        appointment = _book_for(request, form, patient=patient, visitor=visitor, chosen=chosen)
    except SlotUnavailable as error:  # taken a moment ago, or (InvalidSlot) never open
        return _slot_taken(
            request, form.appointment_type, data["start"], tz, provider=data["provider"], message=str(error)
        )
    except BookingError as error:
        return error_page(request, str(error), back_url=_pick_url(form.appointment_type, tz))
    if patient is not None:
        return redirect(with_query(reverse("scheduling:book-done", args=[appointment.pk]), tz=tz))
    # A visitor gets the same answer whoever owns the email (a new one, a patient's, a staff member's, for
    # which nothing is booked): a receipt of what they chose, on a page whose address names no appointment.
    # The visitor's details stay in the session, so a repeated POST of this form finds its booking.
    request.session[RECEIPT_KEY] = {
        "provider": chosen[-1].pk,
        "type": form.appointment_type.pk,
        "start": data["start"].isoformat(),
    }
    return redirect(with_query(reverse("scheduling:book-done-visitor"), tz=tz))


def _book_for(
    request: HttpRequest,
    form: BookingConfirmForm,
    *,
    patient: Patient | None,
    visitor: dict | None,
    chosen: list[Provider],
) -> Appointment | None:
    """Book the chosen clinician, or the first available one; ``chosen`` receives the clinician it went to."""
    data = form.cleaned_data
    common = {
        "appointment_type": form.appointment_type,
        "start": data["start"],
        "idempotency_key": str(data["idempotency_key"]),
    }

    def book(provider: Provider) -> Appointment | None:
        chosen.append(provider)
        if patient is not None:
            return services.book_appointment(patient=patient, booked_by=request.user, provider=provider, **common)
        details = {**visitor, "date_of_birth": dt.date.fromisoformat(visitor["date_of_birth"])}
        return services.book_for_visitor(**details, provider=provider, **common)

    if data["provider"] is not None:
        return book(data["provider"])
    return services.book_first_available(appointment_type=form.appointment_type, start=data["start"], book=book)


@require_GET
def book_done(request: HttpRequest, pk: int) -> HttpResponse:
    patient = request_patient(request)
    if patient is None:
        raise Http404
    appointment = selectors.appointment_for_patient(patient=patient, pk=pk)
    context = {
        "start": appointment.start,
        "provider": appointment.provider,
        "appointment_type": appointment.appointment_type,
        "status": appointment.get_status_display(),
        "tz": viewer_tz(request, patient),
        "patient": patient,
        "screening_state": screening_state(patient=patient),
        "calendar_links": add_to_calendar_links(appointment),
        "calendar_file_url": reverse("scheduling:appointment-calendar", args=[appointment.pk]),
    }
    return render(request, "scheduling/book_done.html", context)


@require_GET
def book_done_visitor(request: HttpRequest) -> HttpResponse:
    """What this browser session last booked as a visitor, from its receipt (never another session's)."""
    receipt = request.session.get(RECEIPT_KEY)
    if not receipt:
        raise Http404
    provider = get_object_or_404(Provider, pk=receipt["provider"])
    appointment_type = get_object_or_404(AppointmentType, pk=receipt["type"])
    start = dt.datetime.fromisoformat(receipt["start"])
    context = {
        "start": start,
        "provider": provider,
        "appointment_type": appointment_type,
        "status": Appointment.Status.CONFIRMED.label,
        "tz": viewer_tz(request),
        "patient": None,
        # The .ics file comes with the confirmation email; this page names no appointment to download it from.
        "calendar_links": event_links(receipt_event(appointment_type=appointment_type, start=start)),
    }
    return render(request, "scheduling/book_done.html", context)
