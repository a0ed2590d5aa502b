from __future__ import annotations

from django.db import models

from clinic.models import AccessLog, Patient, User


def access_log_record(
    *,
    user: User,
    patient: Patient,
    obj: models.Model | None = None,
    action: str = AccessLog.Action.VIEW,
    ip_address: str | None = None,
) -> AccessLog:
    """Append one entry to the PHI access log."""
    obj = obj or patient
    return AccessLog.objects.create(
        user=user,
        patient=patient,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        action=action,
        ip_address=ip_address,
    )
