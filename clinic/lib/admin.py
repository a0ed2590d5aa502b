"""Django admin pages that show patients: only for roles that may see patients there, and always logged."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import unquote
from django.db import models
from django.http import HttpRequest, HttpResponse

from clinic.lib.access import log_patient_access, log_patients_listed
from clinic.models import AccessLog, Patient

ADMIN_PERM = "clinic.view_patients_in_admin"


class PatientRecordsAdminMixin:
    """Mix into a ModelAdmin whose rows name a patient (``patient_field``, or the Patient model itself).

    - Every permission also needs ``clinic.view_patients_in_admin`` (docs/roles.md: front desk, nurses and
      clinicians read patients on the staff pages, which log each view, not in admin).
    - The list writes one access-log row per patient on the page; the change, history and historical-version
      pages write one row for the record shown (an update when a change is saved, a create when one is added).
    """

    patient_field: str | None = "patient"  # None: the model is Patient

    def _patient_of(self, obj: models.Model) -> Patient:
        return obj if self.patient_field is None else getattr(obj, self.patient_field)

    def _patient_id_of(self, obj: models.Model) -> int:
        return obj.pk if self.patient_field is None else getattr(obj, f"{self.patient_field}_id")

    def _may_see_patients(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ADMIN_PERM)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) and self._may_see_patients(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self._may_see_patients(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may_see_patients(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return super().has_add_permission(request, *args) and self._may_see_patients(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_see_patients(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if response.status_code == 200 and changelist is not None:
            # Evaluates the page's rows once; the template then renders from the same, cached queryset.
            log_patients_listed(request, (self._patient_id_of(obj) for obj in changelist.result_list))
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        saved = request.method == "POST" and response.status_code == 302
        if response.status_code == 200 or saved:
            action = AccessLog.Action.UPDATE if saved else AccessLog.Action.VIEW
            self._log_one(request, object_id, action, (getattr(response, "context_data", None) or {}).get("original"))
        return response

    def response_add(self, request: HttpRequest, obj: models.Model, post_url_continue: str | None = None) -> Any:
        log_patient_access(request, self._patient_of(obj), obj, action=AccessLog.Action.CREATE)
        return super().response_add(request, obj, post_url_continue)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            self._log_one(request, object_id, AccessLog.Action.VIEW)
        return response

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if response.status_code == 200:
            self._log_one(request, object_id, AccessLog.Action.VIEW)
        return response

    def _log_one(self, request: HttpRequest, object_id: str, action: str, obj: models.Model | None = None) -> None:
        obj = obj if obj is not None else self.get_object(request, unquote(object_id))
        if obj is not None:
            log_patient_access(request, self._patient_of(obj), obj, action=action)
