"""The front desk books for a patient on the phone: find or add the patient, pick a time, confirm."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from clinic import selectors as clinic_selectors
from clinic.decorators import staff_required
from clinic.lib.access import log_patient_access, log_patients_listed
from clinic.lib.search import search_redirect, search_response, staff_search
from clinic.models import AccessLog, Patient
from clinic.services import patient_register
from scheduling import selectors, services
from scheduling.exceptions import BookingError, SlotUnavailable
from scheduling.forms import StaffBookingConfirmForm, StaffNewPatientForm, StaffTypeForm, slot_param
from scheduling.models import AppointmentType
from scheduling.views.common import error_page, first_error, slot_taken_page, with_query
from scheduling.views.picker import build_picker

BOOK_PERM = "scheduling.add_appointment"
SHORT_NOTICE_PERM = "scheduling.book_short_notice"  # times inside the type's online minimum notice
RESULTS_PER_PAGE = 10


def _type(request: HttpRequest) -> AppointmentType | None:
    form = StaffTypeForm(request.POST if request.method == "POST" else request.GET)
    if form.is_valid():
        return form.cleaned_data["type"]
    return None if form.data.get("type") else selectors.bookable_types().first()


def _may_book_short_notice(request: HttpRequest) -> bool:
    return request.user.has_perm(SHORT_NOTICE_PERM)


def _confirm_url(patient: Patient, appointment_type: AppointmentType, slot: Any) -> str:
    url = reverse("scheduling:staff-book-confirm", args=[patient.pk])
    query = {"type": appointment_type.slug, "provider": slot.provider.pk, "start": slot_param(slot.start)}
    return with_query(url, **query, short_notice=1 if slot.short_notice else None)


@staff_required(BOOK_PERM)
@require_http_methods(["GET", "POST"])
def book_find(request: HttpRequest) -> HttpResponse:
    search = staff_search(request)  # POSTed, so the caller's name never lands in a URL
    if redirected := search_redirect(request, search, base_url=reverse("scheduling:staff-book")):
        return redirected
    patients = clinic_selectors.patients_search(query=search.query) if search.query else Patient.objects.none()
    page = Paginator(patients, RESULTS_PER_PAGE).get_page(request.GET.get("page") if request.method == "GET" else 1)
    log_patients_listed(request, (patient.pk for patient in page.object_list))
    return search_response(
        request,
        search,
        base_url=reverse("scheduling:staff-book"),
        template="scheduling/staff/book_find.html",
        partial="scheduling/staff/partials/book_patients.html",
        context={"page": page, "query": search.query},
    )


@staff_required("clinic.add_patient")
@require_http_methods(["GET", "POST"])
def book_new_patient(request: HttpRequest) -> HttpResponse:
    form = StaffNewPatientForm(request.POST or None, initial={"time_zone": settings.CLINIC_TIME_ZONE})
    if request.method == "POST" and form.is_valid():
        patient = patient_register(password=None, **form.registration_data())
        log_patient_access(request, patient, patient, action=AccessLog.Action.CREATE)
        messages.success(request, f"{patient.full_name} is added and has been emailed a link to set a password.")
        return redirect("scheduling:staff-book-pick", patient_pk=patient.pk)
    return render(request, "scheduling/staff/book_new_patient.html", {"form": form})


@staff_required(BOOK_PERM)
@require_GET
def book_pick(request: HttpRequest, patient_pk: int) -> HttpResponse:
    patient = clinic_selectors.patient_for_staff(pk=patient_pk)
    appointment_type = _type(request)
    if appointment_type is None:
        return error_page(request, "Choose a consultation type from the list.", back_url=request.path, for_staff=True)
    log_patient_access(request, patient)
    picker = build_picker(
        request,
        appointment_type=appointment_type,
        base_url=request.path,
        base_params={"type": appointment_type.slug},
        slot_url=lambda slot, tz: _confirm_url(patient, appointment_type, slot),
        default_tz=settings.CLINIC_TIME_ZONE,
        fixed_zone=True,
        for_staff=True,
        allow_short_notice=_may_book_short_notice(request),
    )
    context = {
        "patient": patient,
        "picker": picker,
        "appointment_type": appointment_type,
        "type_form": StaffTypeForm(initial={"type": appointment_type.slug}),
        "types": selectors.bookable_types(),
    }
    template = "scheduling/partials/picker.html" if request.htmx else "scheduling/staff/book_pick.html"
    return render(request, template, context)


@staff_required(BOOK_PERM)
@require_http_methods(["GET", "POST"])
def book_confirm(request: HttpRequest, patient_pk: int) -> HttpResponse:
    data = request.POST if request.method == "POST" else StaffBookingConfirmForm.with_new_key(request.GET)
    if StaffBookingConfirmForm.asks_short_notice(data) and not _may_book_short_notice(request):
        raise PermissionDenied  # a forged flag is refused outright, never booked at short notice
    patient = clinic_selectors.patient_for_staff(pk=patient_pk)
    appointment_type = _type(request)
    back_url = reverse("scheduling:staff-book-pick", args=[patient.pk])
    if appointment_type is None:
        return error_page(request, "Choose a consultation type from the list.", back_url=back_url, for_staff=True)
    form = StaffBookingConfirmForm(data, appointment_type=appointment_type)
    if not form.is_valid():
        return error_page(request, first_error(form), back_url=back_url, for_staff=True)
    if request.method == "POST":
        return _book(request, form, patient)
    slot = selectors.slot_at(
        appointment_type=appointment_type, allow_short_notice=_may_book_short_notice(request), **_slot(form)
    )
    if slot is None:
        return _taken(request, form, patient, "That time is not available.")
    log_patient_access(request, patient)
    context = {"form": form, "patient": patient, "appointment_type": appointment_type, "tz": settings.CLINIC_TIME_ZONE}
    return render(
        request, "scheduling/staff/book_confirm.html", {**context, **_slot(form), "short_notice": slot.short_notice}
    )


def _slot(form: StaffBookingConfirmForm) -> dict[str, Any]:
    return {"provider": form.cleaned_data["provider"], "start": form.cleaned_data["start"]}


def _taken(request: HttpRequest, form: StaffBookingConfirmForm, patient: Patient, message: str) -> HttpResponse:
    return slot_taken_page(
        request,
        for_staff=True,
        allow_short_notice=_may_book_short_notice(request),
        appointment_type=form.appointment_type,
        around=form.cleaned_data["start"],
        slot_url=lambda slot: _confirm_url(patient, form.appointment_type, slot),
        back_url=with_query(reverse("scheduling:staff-book-pick", args=[patient.pk]), type=form.appointment_type.slug),
        tz=settings.CLINIC_TIME_ZONE,
        message=message,
    )


def _book(request: HttpRequest, form: StaffBookingConfirmForm, patient: Patient) -> HttpResponse:
    try:
        appointment = services.book_appointment(
            patient=patient,
            appointment_type=form.appointment_type,
            booked_by=request.user,
            idempotency_key=str(form.cleaned_data["idempotency_key"]),
            # Only ever for a holder of the permission (``book_confirm`` refused anyone else who asked).
            allow_short_notice=form.cleaned_data["short_notice"] and _may_book_short_notice(request),
            **_slot(form),
        )
    except SlotUnavailable as error:
        return _taken(request, form, patient, str(error))
    except BookingError as error:
        return error_page(
            request, str(error), back_url=reverse("scheduling:staff-book-pick", args=[patient.pk]), for_staff=True
        )
    messages.success(request, "Booked. The patient has been emailed a confirmation.")
    return redirect("scheduling:staff-appointment-detail", pk=appointment.pk)
