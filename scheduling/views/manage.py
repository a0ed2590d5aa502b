"""The signed link in emails: see, reschedule or cancel an appointment without logging in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from scheduling import selectors
from scheduling.forms import valid_zone
from scheduling.links import appointment_from_token
from scheduling.models import Appointment
from scheduling.views import changes

View = Callable[..., HttpResponse]


def _token_appointment(view: View) -> View:
    """Load the appointment from the token; an expired or forged link gets a clear 400 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            appointment = appointment_from_token(token)
        except signing.SignatureExpired:
            return render(request, "scheduling/link_invalid.html", {"expired": True}, status=400)
        except signing.BadSignature:
            return render(request, "scheduling/link_invalid.html", {"expired": False}, status=400)
        return view(request, appointment, token, *args, **kwargs)

    return wrapped


def _urls(token: str) -> changes.ChangeUrls:
    kwargs = {"token": token}
    return changes.ChangeUrls(
        detail=reverse("scheduling:manage", kwargs=kwargs),
        cancel=reverse("scheduling:manage-cancel", kwargs=kwargs),
        reschedule=reverse("scheduling:manage-reschedule", kwargs=kwargs),
        reschedule_confirm=reverse("scheduling:manage-reschedule-confirm", kwargs=kwargs),
    )


def _tz(request: HttpRequest, appointment: Appointment) -> str:
    return valid_zone(request.GET.get("tz") or request.POST.get("tz"), appointment.patient.time_zone)


@require_GET
@_token_appointment
def manage(request: HttpRequest, appointment: Appointment, token: str) -> HttpResponse:
    context = {
        "appointment": appointment,
        "urls": _urls(token),
        "can_change": selectors.patient_change_refusal(appointment) is None,
        "tz": _tz(request, appointment),
        "via_link": True,
    }
    return render(request, "scheduling/appointment_detail.html", context)


@require_http_methods(["GET", "POST"])
@_token_appointment
def manage_cancel(request: HttpRequest, appointment: Appointment, token: str) -> HttpResponse:
    # The link holder acts for the patient (by=None): the cutoff applies.
    return changes.cancel(request, appointment, urls=_urls(token), by=None)


@require_GET
@_token_appointment
def manage_reschedule(request: HttpRequest, appointment: Appointment, token: str) -> HttpResponse:
    return changes.reschedule_pick(request, appointment, urls=_urls(token), tz=_tz(request, appointment))


@require_http_methods(["GET", "POST"])
@_token_appointment
def manage_reschedule_confirm(request: HttpRequest, appointment: Appointment, token: str) -> HttpResponse:
    urls, tz = _urls(token), _tz(request, appointment)
    return changes.reschedule_confirm(request, appointment, urls=urls, by=None, tz=tz)
