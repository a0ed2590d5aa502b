from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.models import AccessLog
from clinic.services import access_log_record

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted(patient, nurse) -> None:
    entry = access_log_record(user=nurse, patient=patient)
    entry.action = AccessLog.Action.EXPORT
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AccessLog.objects.all().update(action="export")
    with pytest.raises(ValidationError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get().action == AccessLog.Action.VIEW


def test_admin_can_view_but_not_change_or_delete(patient, nurse, clinic_admin, staff_client_for) -> None:
    entry = access_log_record(user=nurse, patient=patient)
    client = staff_client_for(clinic_admin)
    assert client.get(reverse("admin:clinic_accesslog_changelist")).status_code == 200
    detail = client.get(reverse("admin:clinic_accesslog_change", args=[entry.pk]))
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.post(reverse("admin:clinic_accesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_viewing_a_patient_record_is_logged_with_ip(patient, nurse, staff_client_for) -> None:
    client = staff_client_for(nurse)
    client.get(reverse("clinic:staff-patient-detail", args=[patient.pk]), REMOTE_ADDR="10.1.2.3")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.patient, entry.action) == (nurse, patient, AccessLog.Action.VIEW)
    assert (entry.object_type, entry.object_id, entry.ip_address) == ("clinic.patient", str(patient.pk), "10.1.2.3")
