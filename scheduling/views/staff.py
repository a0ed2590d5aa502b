"""Staff: the staff home, the calendar, marking and cancelling, booking by phone, blocking time."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import selectors as clinic_selectors
from clinic.decorators import staff_required
from clinic.forms import PatientSearchForm
from clinic.lib.access import log_patient_access
from clinic.lib.time import clinic_tz
from scheduling import selectors, services
from scheduling.exceptions import BookingError
from scheduling.forms import CalendarForm, MarkForm, StaffCancelForm, TimeBlockForm
from scheduling.views.common import first_error, with_query

VIEW_PERM = "scheduling.view_appointment"
CHANGE_PERM = "scheduling.change_appointment"
FAILED_SHOWN = 20  # failed emails listed on the staff home page; the count covers them all


def day_bounds(first: dt.date, days: int = 1) -> tuple[dt.datetime, dt.datetime]:
    zone = clinic_tz()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(first + dt.timedelta(days=days), dt.time.min, tzinfo=zone)
    return start, end


@staff_required("clinic.access_staff_area")
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "search_form": PatientSearchForm(),
        "delivery": _delivery(user) if user.has_perm("clinic.view_notification") else None,
        "roles": [group.name for group in user.groups.all()],
        "today": timezone.localdate(timezone=clinic_tz()),
    }
    if user.has_perm(VIEW_PERM):
        start, end = day_bounds(context["today"])
        context["todays_appointments"] = list(selectors.calendar_appointments(start=start, end=end))
    return render(request, "scheduling/staff/home.html", context)


def _delivery(user: Any) -> dict[str, Any]:
    """Email delivery for staff: a mail server that refuses everything, and emails that failed for good."""
    failed = clinic_selectors.notifications_failed()
    return {
        "alert": clinic_selectors.mail_server_alert_open(),
        "failed_count": failed.count(),
        "failed": list(failed[:FAILED_SHOWN]),
        "can_resolve": user.has_perm("clinic.resolve_notification"),
    }


@staff_required(VIEW_PERM)
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    form = CalendarForm(request.GET)
    view, day, provider = form.values()
    first = day - dt.timedelta(days=(day.weekday() + 1) % 7) if view == "week" else day  # weeks start on Sunday
    days = 7 if view == "week" else 1
    start, end = day_bounds(first, days)
    appointments = list(selectors.calendar_appointments(start=start, end=end, provider=provider))
    blocks = list(selectors.calendar_blocks(start=start, end=end, provider=provider))
    step = dt.timedelta(days=days)
    params = {"view": view, "provider": provider.pk if provider else ""}
    context = {
        "form": form,
        "view": view,
        "first": first,
        "last": first + step - dt.timedelta(days=1),
        "days": _by_day(first, days, appointments, blocks),
        "prev_url": with_query(reverse("scheduling:staff-calendar"), date=(first - step).isoformat(), **params),
        "next_url": with_query(reverse("scheduling:staff-calendar"), date=(first + step).isoformat(), **params),
        "today_url": with_query(reverse("scheduling:staff-calendar"), **params),
        "provider": provider,
    }
    template = "scheduling/staff/partials/calendar_body.html" if request.htmx else "scheduling/staff/calendar.html"
    return render(request, template, context)


def _by_day(first: dt.date, days: int, appointments: list, blocks: list) -> list[dict[str, Any]]:
    zone = clinic_tz()

    def key(item: Any) -> dt.date:
        return item.start.astimezone(zone).date()

    appts = {day: list(items) for day, items in groupby(appointments, key=key)}
    blks = {day: list(items) for day, items in groupby(blocks, key=key)}
    dates = [first + dt.timedelta(days=n) for n in range(days)]
    return [{"date": d, "appointments": appts.get(d, []), "blocks": blks.get(d, [])} for d in dates]


@staff_required(VIEW_PERM)
@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_for_staff(pk=pk)
    log_patient_access(request, appointment.patient, appointment)
    context = {"appointment": appointment, "mark_form": MarkForm(), "tz": settings.CLINIC_TIME_ZONE}
    return render(request, "scheduling/staff/appointment_detail.html", context)


@staff_required(CHANGE_PERM)
@require_POST
def appointment_mark(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_for_staff(pk=pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("scheduling:staff-appointment-detail", pk=pk)
    try:
        services.appointment_mark(appointment=appointment, action=form.cleaned_data["action"], by=request.user)
    except BookingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Saved.")
    return redirect("scheduling:staff-appointment-detail", pk=pk)


@staff_required(CHANGE_PERM)
@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_for_staff(pk=pk)
    log_patient_access(request, appointment.patient, appointment)
    form = StaffCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(appointment=appointment, by=request.user, reason=form.cleaned_data["reason"])
        except BookingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The appointment is cancelled and the patient has been emailed.")
        return redirect("scheduling:staff-appointment-detail", pk=pk)
    context = {"appointment": appointment, "form": form, "tz": settings.CLINIC_TIME_ZONE}
    return render(request, "scheduling/staff/appointment_cancel.html", context)


@staff_required("scheduling.add_timeblock")
@require_http_methods(["GET", "POST"])
def block_time(request: HttpRequest) -> HttpResponse:
    form = TimeBlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            block = services.time_block_create(by=request.user, **form.cleaned_data)
        except BookingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The time is blocked.")
            day = block.start.astimezone(clinic_tz()).date().isoformat()
            return redirect(with_query(reverse("scheduling:staff-calendar"), date=day, provider=block.provider_id))
    return render(request, "scheduling/staff/block_time.html", {"form": form})
