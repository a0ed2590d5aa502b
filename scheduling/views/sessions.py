"""Staff screens of infusion sessions: the chair board for a day (htmx polling), and the session documentation
screen with one POST per step (check-in, vitals, dose, start, stop, checklist, discharge). The rules are services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clinic.decorators import staff_required
from clinic.lib.access import log_patient_access, log_patients_listed
from clinic.lib.time import clamp_url_date, clinic_tz
from scheduling.course_forms import ChecklistForm, DoseForm, NotesForm, ReasonForm, VitalsForm
from scheduling.exceptions import CourseError
from scheduling.models import CLINICAL_VALUES_PERM, InfusionSession
from scheduling.selectors import courses as selectors
from scheduling.services import sessions as session_services

BOARD_PERM = "scheduling.view_infusionsession"
CLINICAL_PERM = CLINICAL_VALUES_PERM
DOCUMENT_PERM = "scheduling.document_infusionsession"
OVERRIDE_PERM = "scheduling.override_infusionsession"

Step = tuple[type[forms.Form] | None, Callable[[InfusionSession, dict[str, Any], Any], Any]]

STEPS: dict[str, Step] = {
    "check-in": (None, lambda s, d, u: session_services.session_check_in(session=s, by=u)),
    "vitals": (VitalsForm, lambda s, d, u: session_services.vitals_record(session=s, by=u, **d)),
    "dose": (DoseForm, lambda s, d, u: session_services.session_dose_set(session=s, by=u, **d)),
    "start": (None, lambda s, d, u: session_services.session_start(session=s, by=u)),
    "stop-infusion": (None, lambda s, d, u: session_services.session_stop_infusion(session=s, by=u)),
    "checklist": (
        ChecklistForm,
        lambda s, d, u: session_services.discharge_checklist_save(
            session=s, checks=d, escort_name=d["escort_name"], by=u
        ),
    ),
    "discharge": (None, lambda s, d, u: session_services.session_discharge(session=s, by=u)),
    "abort": (ReasonForm, lambda s, d, u: session_services.session_abort(session=s, reason=d["reason"], by=u)),
    "no-show": (None, lambda s, d, u: session_services.session_no_show(session=s, by=u)),
    "notes": (NotesForm, lambda s, d, u: session_services.session_notes_save(session=s, by=u, **d)),
    # A clinician's decisions
    "override": (ReasonForm, lambda s, d, u: session_services.gate_override(session=s, reason=d["reason"], by=u)),
    "signoff": (ReasonForm, lambda s, d, u: session_services.discharge_signoff(session=s, reason=d["reason"], by=u)),
}
CLINICIAN_STEPS = {"override", "signoff"}


@staff_required(BOARD_PERM)
@require_GET
def chair_board(request: HttpRequest) -> HttpResponse:
    try:
        day = clamp_url_date(dt.date.fromisoformat(request.GET.get("date", "")))
    except ValueError:
        day = timezone.localdate(timezone=clinic_tz())
    clinical = request.user.has_perm(CLINICAL_PERM)
    columns = [
        (column.chair, [(s, session_services.session_alerts(s) if clinical else []) for s in column.sessions])
        for column in selectors.chair_board(day=day)
    ]
    log_patients_listed(request, (session.course.patient_id for _, sessions in columns for session, _ in sessions))
    template = "partials/chair_board.html" if request.headers.get("HX-Request") else "chair_board.html"
    context = {"day": day, "columns": columns, "clinical": clinical, "now": timezone.now()}
    return render(request, f"scheduling/staff/{template}", context)


def _page(request: HttpRequest, session: InfusionSession, bound: dict[str, forms.Form] | None = None) -> dict:
    forms_by_step = {
        name: form(prefix=name, initial=_initial(session, name)) for name, (form, _) in STEPS.items() if form
    }
    forms_by_step |= bound or {}
    targets = session_services.STEP_TARGETS
    refusals = {step: session_services.session_refusal(session, to) for step, to in targets.items()}
    return {
        "session": session,
        "course": session.course,
        "forms": forms_by_step,
        "gate": session_services.gate_state(session),
        "due_at": session_services.vitals_due_at(session),
        "discharge_refusal": session_services.discharge_refusal(session),
        "can": {step.replace("-", "_"): refusal is None for step, refusal in refusals.items()},
        "alerts": session_services.session_alerts(session),
        "kiosk_refusal": session_services.kiosk_refusal(session),
        "check_in_refusal": refusals["check-in"],
    }


def _initial(session: InfusionSession, step: str) -> dict[str, Any]:
    if step == "vitals":
        return {"phase": session_services.current_phase(session)}
    if step == "dose":
        return {"weight_kg": session.weight_kg, "lot_number": session.lot_number}
    if step == "checklist":
        return {name: getattr(session, name) for name in (*session_services.CHECKLIST, "escort_name")}
    if step == "notes":
        return {
            "adverse_events": session.adverse_events,
            "interventions": session.interventions,
            "notes": session.notes,
        }
    return {}


@staff_required(CLINICAL_PERM)
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for_staff(pk=pk)
    log_patient_access(request, session.course.patient, session)
    return render(request, "scheduling/staff/session_detail.html", _page(request, session))


@staff_required(DOCUMENT_PERM, OVERRIDE_PERM)
@require_POST
def session_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    needed = OVERRIDE_PERM if step in CLINICIAN_STEPS else DOCUMENT_PERM
    # A step answers with the session screen (its vitals, dose and alerts) when it is refused: both are needed.
    if not (request.user.has_perm(needed) and request.user.has_perm(CLINICAL_PERM)):
        raise PermissionDenied
    session = selectors.session_for_staff(pk=pk)
    form_class, action = STEPS[step]
    form = form_class(request.POST, prefix=step) if form_class else None
    try:
        if form is not None and not form.is_valid():
            raise CourseError("Please correct the fields marked below.")
        action(session, form.cleaned_data if form else {}, request.user)
    except CourseError as error:
        if form is not None and not form.errors:
            form.add_error(None, error.message)
        context = _page(request, selectors.session_for_staff(pk=pk), {step: form} if form else None)
        context["error"] = error.message
        return render(request, "scheduling/staff/session_detail.html", context, status=400)
    messages.success(request, "Saved.")
    return redirect("scheduling:staff-session-detail", session.pk)
