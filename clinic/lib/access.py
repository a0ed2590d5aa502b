"""The one helper views call when they show a patient's record to someone."""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest

from clinic.lib.http import client_ip
from clinic.models import AccessLog, Patient
from clinic.services import access_log_record


def log_patient_access(
    request: HttpRequest,
    patient: Patient,
    obj: models.Model | None = None,
    action: str = AccessLog.Action.VIEW,
) -> None:
    access_log_record(
        user=request.user,
        patient=patient,
        obj=obj,
        action=action,
        ip_address=client_ip(request),
    )
