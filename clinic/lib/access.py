"""The helpers views (and admin) call when they show patients to someone: every showing is logged."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.http import HttpRequest

from clinic.lib.http import client_ip
from clinic.models import AccessLog, Patient
from clinic.services import access_log_record, access_log_record_list

# Per page, the patients this session was last logged as shown, so an htmx refresh that shows nothing new writes
# nothing. Ids only; bounded so the session stays small.
LISTED_SESSION_KEY = "access_log_listed"
LISTED_MAX_IDS = 500


def _page(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name[:100] if match else request.path[:100]


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
        page=_page(request),
    )


def log_patients_listed(request: HttpRequest, patient_ids: Iterable[int]) -> int:
    """Log the patients a list, search or calendar page showed: one row each, in one insert.

    A full page load logs everyone on it. An htmx request (typing in a search, moving the calendar) logs only the
    patients this session has not been logged as seeing on this page since its last full load, so a refresh that
    shows nothing new writes nothing. Returns how many rows were written.
    """
    ids = list(dict.fromkeys(int(pk) for pk in patient_ids))
    page = _page(request)
    listed = request.session.get(LISTED_SESSION_KEY, {})
    earlier = listed.get(page, []) if getattr(request, "htmx", False) else []
    new = [pk for pk in ids if pk not in set(earlier)]
    listed[page] = [*earlier, *new][-LISTED_MAX_IDS:]
    request.session[LISTED_SESSION_KEY] = listed
    if not new:
        return 0
    return access_log_record_list(user=request.user, patient_ids=new, page=page, ip_address=client_ip(request))
