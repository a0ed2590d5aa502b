from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clinic.decorators import patient_required
from clinic.selectors import patient_for_user


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "clinic/home.html")


@patient_required
@require_GET
def portal(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    return render(request, "clinic/portal.html", {"patient": patient})
