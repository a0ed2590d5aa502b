from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic import selectors, services
from clinic.decorators import staff_required
from clinic.lib.access import log_patient_access, log_patients_listed
from clinic.lib.search import search_redirect, search_response, staff_search

PATIENTS_PER_PAGE = 25


@staff_required("clinic.view_patient")
@require_http_methods(["GET", "POST"])
def patient_list(request: HttpRequest) -> HttpResponse:
    search = staff_search(request)  # POSTed, so the term never lands in a URL
    if redirected := search_redirect(request, search, base_url=reverse("clinic:staff-patient-list")):
        return redirected
    patients = selectors.patients_search(query=search.query)
    page = Paginator(patients, PATIENTS_PER_PAGE).get_page(request.GET.get("page") if request.method == "GET" else 1)
    log_patients_listed(request, (patient.pk for patient in page.object_list))
    return search_response(
        request,
        search,
        base_url=reverse("clinic:staff-patient-list"),
        template="clinic/staff/patient_list.html",
        partial="clinic/staff/partials/patient_rows.html",
        context={"page": page, "query": search.query},
    )


@staff_required("clinic.view_patient")
@require_GET
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = selectors.patient_for_staff(pk=pk)
    log_patient_access(request, patient)
    context = {"patient": patient, "recent_access": selectors.patient_recent_access(patient=patient)}
    return render(request, "clinic/staff/patient_detail.html", context)


@staff_required("clinic.resolve_notification")
@require_POST
def notification_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_failed_for_staff(pk=pk)
    if services.notification_resolve(notification=notification, by=request.user):
        messages.success(request, f"The {notification.kind_label.lower()} email to {notification.address} is resolved.")
    else:
        messages.info(request, "That email was already resolved.")
    return redirect(settings.STAFF_HOME_URL)
