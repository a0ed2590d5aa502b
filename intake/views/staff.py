"""Staff review: the queue, the detail page, decisions, in-clinic readings, acknowledging alerts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from clinic.decorators import staff_required
from clinic.lib.access import log_patient_access, log_patients_listed
from clinic.lib.http import query_id
from intake import selectors, services
from intake.exceptions import AlreadyDecided, ScreeningError
from intake.forms import BloodPressureReadingForm, DecisionForm, QueueFilterForm

VIEW_PERM = "intake.view_screening"
DECIDE_PERM = "intake.decide_screening"
READING_PERM = "intake.add_bloodpressurereading"
ACK_PERM = "intake.acknowledge_urgentalert"
ALERT_PERM = "intake.view_urgentalert"
PER_PAGE = 25


@staff_required(VIEW_PERM)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    status, severity = form.values()
    page = Paginator(selectors.screening_queue(status=status, severity=severity), PER_PAGE).get_page(
        request.GET.get("page")
    )
    log_patients_listed(request, (screening.patient_id for screening in page.object_list))
    query = "&".join(f"{k}={v}" for k, v in (("status", status), ("severity", severity)) if v)
    return render(request, "intake/staff/queue.html", {"form": form, "page": page, "filter_query": query})


@staff_required(VIEW_PERM)
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, pk)


def _detail_page(
    request: HttpRequest,
    pk: int,
    *,
    decision_form: DecisionForm | None = None,
    reading_form: BloodPressureReadingForm | None = None,
) -> HttpResponse:
    """The detail page; a form that did not validate comes back bound, with what was typed and its errors (400)."""
    review = selectors.screening_review(pk=pk, version=query_id(request.GET.get("version")))
    log_patient_access(request, review.screening.patient, review.screening)
    bound = decision_form is not None or reading_form is not None
    if decision_form is None and request.user.has_perm(DECIDE_PERM):
        decision_form = DecisionForm()
    if reading_form is None and request.user.has_perm(READING_PERM):
        reading_form = BloodPressureReadingForm()
    context = {
        "review": review,
        "screening": review.screening,
        "decision_form": decision_form,
        "reading_form": reading_form,
    }
    return render(request, "intake/staff/detail.html", context, status=400 if bound else 200)


@staff_required(DECIDE_PERM)
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for_staff(pk=pk)
    form = DecisionForm(request.POST)
    if not screening.is_awaiting_decision:
        messages.error(request, AlreadyDecided.MESSAGE)
    elif not form.is_valid():  # the note as typed, errors beside it
        if not request.user.has_perm(VIEW_PERM):
            raise PermissionDenied
        return _detail_page(request, pk, decision_form=form)
    else:
        try:
            services.screening_decide(screening=screening, by=request.user, **form.cleaned_data)
        except ScreeningError as error:  # decided a moment ago by someone else
            messages.error(request, str(error))
        else:
            messages.success(request, "Decision recorded. The patient is emailed that there is news.")
    return redirect("intake:staff-detail", pk=pk)


@staff_required(READING_PERM)
@require_POST
def record_reading(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for_staff(pk=pk)
    form = BloodPressureReadingForm(request.POST)
    if not form.is_valid():  # the page again, with the numbers as typed and what to fix
        if not request.user.has_perm(VIEW_PERM):
            raise PermissionDenied
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _detail_page(request, pk, reading_form=form)
    try:
        services.bp_reading_record(screening=screening, by=request.user, **form.cleaned_data)
    except (ValueError, ValidationError):
        messages.error(request, "That reading is not plausible; check both numbers.")
    else:
        messages.success(request, "Reading recorded.")
    return redirect("intake:staff-detail", pk=pk)


@staff_required(ALERT_PERM)
@require_GET
def alert_open(request: HttpRequest, pk: int) -> HttpResponse:
    """The link in an alert's email: it names nothing (a course session's address would name the treatment, and the
    email guard would stop the alert), and leads to what raised the alert."""
    return redirect(selectors.alert_for_staff(pk=pk).review_url())


@staff_required(ACK_PERM)
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_for_staff(pk=pk)
    if services.alert_acknowledge(alert=alert, by=request.user):
        messages.success(request, "Alert acknowledged.")
    else:
        messages.info(request, "Someone had already acknowledged this alert.")
    return redirect("intake:staff-detail", pk=alert.screening_id)
