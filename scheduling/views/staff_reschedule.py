"""The front desk moves an appointment to another open time (any provider who offers its type); the patient is emailed.

The same booking service and slot selector as every other change: ``appointment_reschedule`` re-checks the slot under
the calendar lock, and the outbox sends the patient the new time with a fresh calendar file.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from clinic.decorators import staff_required
from clinic.lib.access import log_patient_access
from scheduling import selectors, services
from scheduling.exceptions import AppointmentNotActive, BookingError, SlotUnavailable
from scheduling.forms import SlotForm, slot_param
from scheduling.models import Appointment
from scheduling.views.common import error_page, first_error, slot_taken_page, with_query
from scheduling.views.picker import build_picker

RESCHEDULE_PERM = "scheduling.reschedule_appointment"


def _active(pk: int) -> tuple[Appointment, str]:
    """The appointment, and why it cannot be moved ("" when it can)."""
    appointment = selectors.appointment_for_staff(pk=pk)
    return appointment, "" if appointment.is_active else AppointmentNotActive.default_message


def _confirm_url(appointment: Appointment, slot: Any) -> str:
    url = reverse("scheduling:staff-appointment-reschedule-confirm", args=[appointment.pk])
    return with_query(url, provider=slot.provider.pk, start=slot_param(slot.start))


def _detail_url(appointment: Appointment) -> str:
    return reverse("scheduling:staff-appointment-detail", args=[appointment.pk])


@staff_required(RESCHEDULE_PERM)
@require_GET
def reschedule_pick(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, refusal = _active(pk)
    if refusal:
        return error_page(request, refusal, back_url=_detail_url(appointment), for_staff=True)
    log_patient_access(request, appointment.patient, appointment)
    picker = build_picker(
        request,
        appointment_type=appointment.appointment_type,
        base_url=request.path,
        slot_url=lambda slot, tz: _confirm_url(appointment, slot),
        default_tz=settings.CLINIC_TIME_ZONE,
        fixed_zone=True,
        for_staff=True,
    )
    context = {"appointment": appointment, "picker": picker, "appointment_type": appointment.appointment_type}
    template = "scheduling/partials/picker.html" if request.htmx else "scheduling/staff/reschedule_pick.html"
    return render(request, template, {**context, "tz": settings.CLINIC_TIME_ZONE})


@staff_required(RESCHEDULE_PERM)
@require_http_methods(["GET", "POST"])
def reschedule_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    appointment, refusal = _active(pk)
    back_url = reverse("scheduling:staff-appointment-reschedule", args=[appointment.pk])
    if refusal:
        return error_page(request, refusal, back_url=_detail_url(appointment), for_staff=True)
    form = SlotForm(
        request.POST if request.method == "POST" else request.GET, appointment_type=appointment.appointment_type
    )
    if not form.is_valid():
        return error_page(request, first_error(form), back_url=back_url, for_staff=True)
    slot = {"provider": form.cleaned_data["provider"], "start": form.cleaned_data["start"]}
    try:
        if request.method == "POST":
            services.appointment_reschedule(
                appointment=appointment, new_start=slot["start"], provider=slot["provider"], by=request.user
            )
            messages.success(request, "The appointment is moved and the patient has been emailed the new time.")
            return redirect(_detail_url(appointment))
        if not selectors.slot_is_available(
            appointment_type=appointment.appointment_type, ignore_appointment_id=appointment.pk, **slot
        ):
            raise SlotUnavailable("That time is not available.")
    except SlotUnavailable as error:
        return _taken(request, appointment, slot["start"], back_url=back_url, message=str(error))
    except BookingError as error:
        return error_page(request, str(error), back_url=_detail_url(appointment), for_staff=True)
    log_patient_access(request, appointment.patient, appointment)
    context = {"appointment": appointment, "form": form, "tz": settings.CLINIC_TIME_ZONE, "back_url": back_url}
    return render(request, "scheduling/staff/reschedule_confirm.html", {**context, **slot})


def _taken(request: HttpRequest, appointment: Appointment, around: Any, *, back_url: str, message: str) -> HttpResponse:
    return slot_taken_page(
        request,
        for_staff=True,
        appointment_type=appointment.appointment_type,
        around=around,
        slot_url=lambda slot: _confirm_url(appointment, slot),
        back_url=back_url,
        tz=settings.CLINIC_TIME_ZONE,
        message=message,
    )
