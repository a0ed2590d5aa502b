"""Helpers shared by the patient, signed-link and staff views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from clinic.models import Patient
from scheduling import selectors
from scheduling.forms import slot_param, valid_zone
from scheduling.ics import appointment_ics, ics_filename
from scheduling.models import Appointment, AppointmentType, Provider


def request_patient(request: HttpRequest) -> Patient | None:
    user = request.user
    return getattr(user, "patient", None) if user.is_authenticated else None


def viewer_tz(request: HttpRequest, patient: Patient | None = None) -> str:
    """The zone to show times in: ?tz= when valid, else the patient's own, else the clinic's."""
    patient = patient or request_patient(request)
    default = patient.time_zone if patient else settings.CLINIC_TIME_ZONE
    return valid_zone(request.GET.get("tz") or request.POST.get("tz"), default)


def with_query(url: str, **params: Any) -> str:
    return f"{url}?{urlencode({k: v for k, v in params.items() if v not in (None, '')})}"


def slot_query(slot: Any, **extra: Any) -> dict[str, Any]:
    """A slot in a URL; a slot with no provider is "first available clinician"."""
    provider = {"provider": slot.provider.pk} if slot.provider is not None else {}
    return {**provider, "start": slot_param(slot.start), **extra}


def error_page(
    request: HttpRequest, message: str, *, back_url: str = "", status: int = 400, for_staff: bool = False
) -> HttpResponse:
    """``for_staff`` words the page for staff ("call us" is for patients)."""
    context = {"message": message, "back_url": back_url, "for_staff": for_staff}
    return render(request, "scheduling/error.html", context, status=status)


def slot_taken_page(
    request: HttpRequest,
    *,
    appointment_type: AppointmentType,
    around: dt.datetime,
    slot_url: Callable[[Any], str],
    back_url: str,
    tz: str,
    provider: Provider | None = None,
    message: str = "",
    for_staff: bool = False,
    allow_short_notice: bool = False,
) -> HttpResponse:
    """Someone took the time a moment ago: say so kindly and offer the nearest free times (with
    ``allow_short_notice``, for staff who hold the permission, those inside the online notice too, marked)."""
    nearest = selectors.nearest_slots(
        appointment_type=appointment_type,
        around=around,
        provider=provider,
        limit=3,
        allow_short_notice=allow_short_notice,
    )
    context = {
        "alternatives": [{"slot": slot, "url": slot_url(slot)} for slot in nearest],
        "back_url": back_url,
        "tz": tz,
        "message": message,
        "appointment_type": appointment_type,
        "for_staff": for_staff,
        "short_notice_label": appointment_type.minimum_notice_label if any(s.short_notice for s in nearest) else "",
    }
    return render(request, "scheduling/slot_taken.html", context, status=409)


def first_error(form: Any) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return "Please choose a time again."


def calendar_file_response(appointment: Appointment) -> HttpResponse:
    """The appointment's .ics as a download (Apple Calendar and any other app that opens calendar files); once the
    appointment is cancelled, the cancellation, which removes it from a calendar that holds it."""
    cancelled = appointment.status == Appointment.Status.CANCELLED
    response = HttpResponse(
        appointment_ics(appointment, cancelled=cancelled), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(appointment)}"'
    return response
