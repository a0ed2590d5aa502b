"""Cancel and reschedule by the patient, shared by the portal and the signed link from emails."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from scheduling import selectors, services
from scheduling.exceptions import BookingError, SlotUnavailable
from scheduling.forms import CancelForm, RescheduleForm, slot_param
from scheduling.models import Appointment
from scheduling.views.common import error_page, first_error, slot_taken_page, with_query
from scheduling.views.picker import build_picker


@dataclass(frozen=True)
class ChangeUrls:
    detail: str
    cancel: str
    reschedule: str
    reschedule_confirm: str


def cancel(
    request: HttpRequest, appointment: Appointment, *, urls: ChangeUrls, by: AbstractBaseUser | None
) -> HttpResponse:
    if (refusal := selectors.patient_change_refusal(appointment)) is not None:
        return error_page(request, str(refusal), back_url=urls.detail)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(appointment=appointment, by=by, reason=form.cleaned_data["reason"])
        except BookingError as error:
            return error_page(request, str(error), back_url=urls.detail)
        messages.success(request, "Your appointment is cancelled. We have emailed you a confirmation.")
        return redirect(urls.detail)
    context = {"appointment": appointment, "form": form, "urls": urls, "tz": appointment.patient.time_zone}
    return render(request, "scheduling/appointment_cancel.html", context)


def reschedule_pick(request: HttpRequest, appointment: Appointment, *, urls: ChangeUrls, tz: str) -> HttpResponse:
    if (refusal := selectors.patient_change_refusal(appointment)) is not None:
        return error_page(request, str(refusal), back_url=urls.detail)
    picker = build_picker(
        request,
        appointment_type=appointment.appointment_type,
        provider=appointment.provider,
        base_url=urls.reschedule,
        slot_url=lambda slot, zone: with_query(urls.reschedule_confirm, start=slot_param(slot.start), tz=zone),
        default_tz=tz,
    )
    template = "scheduling/partials/picker.html" if request.htmx else "scheduling/reschedule_pick.html"
    context = {"picker": picker, "appointment": appointment, "appointment_type": appointment.appointment_type}
    return render(request, template, {**context, "urls": urls})


def reschedule_confirm(
    request: HttpRequest, appointment: Appointment, *, urls: ChangeUrls, by: AbstractBaseUser | None, tz: str
) -> HttpResponse:
    if (refusal := selectors.patient_change_refusal(appointment)) is not None:
        return error_page(request, str(refusal), back_url=urls.detail)
    form = RescheduleForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return error_page(request, first_error(form), back_url=with_query(urls.reschedule, tz=tz))
    new_start = form.cleaned_data["start"]
    try:
        if request.method == "GET":
            _check_open(appointment, new_start)
            context = {"appointment": appointment, "form": form, "new_start": new_start, "tz": tz, "urls": urls}
            return render(request, "scheduling/reschedule_confirm.html", context)
        services.appointment_reschedule(appointment=appointment, new_start=new_start, by=by)
    except SlotUnavailable as error:
        return slot_taken_page(
            request,
            appointment_type=appointment.appointment_type,
            around=new_start,
            provider=appointment.provider,
            slot_url=lambda slot: with_query(urls.reschedule_confirm, start=slot_param(slot.start), tz=tz),
            back_url=with_query(urls.reschedule, tz=tz),
            tz=tz,
            message=str(error),
        )
    except BookingError as error:
        return error_page(request, str(error), back_url=urls.detail)
    messages.success(request, "Your appointment is moved. We have emailed you the new time.")
    return redirect(urls.detail)


def _check_open(appointment: Appointment, start: object) -> None:
    if not selectors.slot_is_available(
        appointment_type=appointment.appointment_type,
        provider=appointment.provider,
        start=start,
        ignore_appointment_id=appointment.pk,
    ):
        raise SlotUnavailable("That time is not available. Please choose another time.")
