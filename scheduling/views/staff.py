"""Staff: the staff home, the calendar, marking and cancelling, blocking time. Each action checks its own permission.

Booking by phone is in ``staff_booking``, moving an appointment in ``staff_reschedule``; docs/roles.md is the table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import selectors as clinic_selectors
from clinic.decorators import staff_required
from clinic.lib.access import log_patient_access, log_patients_listed
from clinic.lib.http import query_id
from clinic.lib.time import clinic_tz
from intake import selectors as intake_selectors
from scheduling import selectors, services
from scheduling.calendar_grid import Entry, Grid, build_grid
from scheduling.exceptions import BookingError
from scheduling.forms import CalendarForm, MarkForm, StaffCancelForm, TimeBlockForm
from scheduling.selectors import courses as course_selectors
from scheduling.views.common import first_error, with_query

VIEW_PERM = "scheduling.view_appointment"
MARK_PERM = "scheduling.mark_appointment"
CANCEL_PERM = "scheduling.cancel_appointment"
BLOCK_ANY_PERM = "scheduling.add_timeblock"
BLOCK_OWN_PERM = "scheduling.block_own_time"
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
        "delivery": _delivery(user) if user.has_perm("clinic.view_notification") else None,
        "roles": [group.name for group in user.groups.all()],
        "today": timezone.localdate(timezone=clinic_tz()),
        "urgent_alerts": intake_selectors.alerts_open() if user.has_perm("intake.view_urgentalert") else [],
    }
    if user.has_perm(VIEW_PERM):
        start, end = day_bounds(context["today"])
        context["todays_appointments"] = list(selectors.calendar_appointments(start=start, end=end))
        log_patients_listed(request, (appointment.patient_id for appointment in context["todays_appointments"]))
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
    show_sessions = provider is None and request.user.has_perm("scheduling.view_infusionsession")
    sessions = list(course_selectors.calendar_sessions(start=start, end=end)) if show_sessions else []
    shown = [item.patient_id for item in appointments] + [session.course.patient_id for session in sessions]
    log_patients_listed(request, shown)
    step = dt.timedelta(days=days)
    params = {"view": view, "provider": provider.pk if provider else ""}
    context = {
        "form": form,
        "view": view,
        "first": first,
        "last": first + step - dt.timedelta(days=1),
        "grid": _grid(view, first, days, provider, appointments, blocks, sessions),
        "removable_blocks": _removable(request, blocks),
        "prev_url": with_query(reverse("scheduling:staff-calendar"), date=(first - step).isoformat(), **params),
        "next_url": with_query(reverse("scheduling:staff-calendar"), date=(first + step).isoformat(), **params),
        "today_url": with_query(reverse("scheduling:staff-calendar"), **params),
        "provider": provider,
        "date_note": form.date_note,
    }
    template = "scheduling/staff/partials/calendar_body.html" if request.htmx else "scheduling/staff/calendar.html"
    return render(request, template, context)


def _grid(
    view: str, first: dt.date, days: int, provider: Any, appointments: list, blocks: list, sessions: list
) -> Grid:
    """The week has a column per day; a day has a column per provider (those at work, and any with bookings) and
    one per infusion chair in use."""
    zone = clinic_tz()
    today = timezone.localdate(timezone=zone)
    dates = [first + dt.timedelta(days=n) for n in range(days)]
    if view == "week":
        columns = [(d, formats.date_format(d, "l, F j")) for d in dates]
        now_keys = [today] if today in dates else []
    else:
        shown = [provider] if provider else _providers_for_day(appointments, blocks)
        chairs = sorted({s.chair_id: s.chair for s in sessions}.values(), key=lambda c: (c.name, c.pk))
        columns = [(p.pk, p.display_name) for p in shown] + [(("chair", c.pk), c.name) for c in chairs]
        now_keys = [key for key, _ in columns] if first == today else []
    entries = []
    for date in dates:
        day_start, day_end = day_bounds(date)
        for kind, items in (("appointment", appointments), ("block", blocks), ("session", sessions)):
            for item in items:
                if item.start < day_end and item.end > day_start:  # clipped to the day it shows in
                    own = ("chair", item.chair_id) if kind == "session" else item.provider_id
                    key = date if view == "week" else own
                    entries.append(Entry(item, kind, key, max(item.start, day_start), min(item.end, day_end)))
    return build_grid(columns=columns, entries=entries, zone=zone, now=timezone.now(), now_keys=now_keys)


def _removable(request: HttpRequest, blocks: list) -> set[int]:
    mine = set(selectors.providers_user_may_block(user=request.user).values_list("pk", flat=True))
    return {block.pk for block in blocks if block.provider_id in mine}


def _providers_for_day(appointments: list, blocks: list) -> list:
    booked = {item.provider_id: item.provider for item in (*appointments, *blocks)}
    active = {p.pk: p for p in selectors.active_providers()}
    return sorted({**active, **booked}.values(), key=lambda p: (p.display_name, p.pk))


@staff_required(VIEW_PERM)
@require_GET
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_for_staff(pk=pk)
    log_patient_access(request, appointment.patient, appointment)
    marks = appointment.allowed_marks(timezone.now())
    context = {"appointment": appointment, "marks": marks, "tz": settings.CLINIC_TIME_ZONE}
    if request.user.has_perm("intake.view_screening_status"):
        context["screening_state"] = intake_selectors.screening_state(patient=appointment.patient)
    return render(request, "scheduling/staff/appointment_detail.html", context)


@staff_required(MARK_PERM)
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


@staff_required(CANCEL_PERM)
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


@staff_required(BLOCK_ANY_PERM, BLOCK_OWN_PERM)
@require_http_methods(["GET", "POST"])
def block_time(request: HttpRequest) -> HttpResponse:
    providers = selectors.providers_user_may_block(user=request.user)
    wanted = query_id((request.POST if request.method == "POST" else request.GET).get("provider"))
    if wanted is not None and not providers.filter(pk=wanted).exists():
        raise PermissionDenied  # another provider's calendar, for someone who may block only their own
    initial = {"provider": wanted} if wanted is not None else {}
    form = TimeBlockForm(request.POST or None, providers=providers, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            block = services.time_block_create(by=request.user, **form.cleaned_data)
        except BookingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The time is blocked.")
            day = block.start.astimezone(clinic_tz()).date().isoformat()
            return redirect(with_query(reverse("scheduling:staff-calendar"), date=day, provider=block.provider_id))
    return render(request, "scheduling/staff/block_time.html", {"form": form, "has_providers": providers.exists()})


@staff_required(BLOCK_ANY_PERM, BLOCK_OWN_PERM)
@require_POST
def block_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Give blocked time back from the calendar: any provider's with ``add_timeblock``, else one's own."""
    block = selectors.time_block_for_staff(pk=pk)
    if not selectors.providers_user_may_block(user=request.user).filter(pk=block.provider_id).exists():
        raise PermissionDenied
    day = block.start.astimezone(clinic_tz()).date().isoformat()
    services.time_block_delete(time_block=block, by=request.user)
    messages.success(request, "The blocked time is removed.")
    return redirect(with_query(reverse("scheduling:staff-calendar"), date=day, provider=block.provider_id))
