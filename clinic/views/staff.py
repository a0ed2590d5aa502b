from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from clinic import selectors, services
from clinic.decorators import staff_required
from clinic.forms import PatientSearchForm
from clinic.lib.access import log_patient_access

PATIENTS_PER_PAGE = 25


@staff_required("clinic.view_patient")
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    form = PatientSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.patients_search(query=query), PATIENTS_PER_PAGE).get_page(request.GET.get("page"))
    template = "clinic/staff/partials/patient_rows.html" if request.htmx else "clinic/staff/patient_list.html"
    return render(request, template, {"form": form, "page": page, "query": query})


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
