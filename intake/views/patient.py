"""The patient's questionnaire: overview, one page per step, review, submit, and the submitted answers."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.decorators import patient_required
from clinic.selectors import patient_for_user
from education.selectors import required_reading_status
from intake import questionnaire, selectors, services
from intake.exceptions import NotEditable, NotReady


def _progress(answers: questionnaire.Answers, sex: str, current: str = "") -> dict[str, Any]:
    steps = questionnaire.applicable_steps(answers, sex)
    done = [questionnaire.step_complete(step, answers, sex) for step in steps]
    items = [{"step": s, "done": d, "current": s.slug == current} for s, d in zip(steps, done, strict=True)]
    return {"items": items, "done": sum(done), "total": len(steps), "percent": round(100 * sum(done) / len(steps))}


@patient_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    draft = selectors.draft_for_patient(patient=patient)
    context: dict[str, Any] = {
        "state": selectors.screening_state(patient=patient),
        "draft": draft,
        "submitted": selectors.submitted_for_patient(patient=patient),
        "decision": selectors.decision_latest_for_patient(patient=patient),
    }
    if draft is not None:
        context["progress"] = _progress(selectors.version_answers(draft), patient.sex_at_birth)
    return render(request, "intake/home.html", context)


@patient_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    services.screening_start(patient=patient)
    draft = selectors.draft_for_patient(patient=patient)
    if draft is None:
        return redirect("intake:home")
    first = questionnaire.first_incomplete(selectors.version_answers(draft), patient.sex_at_birth)
    return redirect("intake:step", slug=first.slug) if first else redirect("intake:review")


@patient_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, slug: str) -> HttpResponse:
    patient = patient_for_user(request.user)
    draft, current = selectors.draft_for_patient(patient=patient), questionnaire.step_get(slug)
    if current is None:
        raise Http404
    if draft is None:  # submitted in another tab, or never started: say so where the questionnaire is
        if selectors.submitted_for_patient(patient=patient) is not None:
            messages.info(request, NotEditable.MESSAGE)
        return redirect("intake:home")
    sex, answers = patient.sex_at_birth, selectors.version_answers(draft)
    blocked = _out_of_order(current, answers, sex)
    if blocked is not None:
        return blocked
    form = current.form_class(request.POST or None, sex=sex, saved=answers.get(slug))
    if request.method == "POST" and form.is_valid():
        try:
            services.step_save(version=draft, step=slug, data=form.to_data())
        except NotEditable as error:
            messages.error(request, str(error))
            return redirect("intake:home")
        return redirect(_next_url(current, selectors.version_answers(draft), sex))
    context = {
        "step": current,
        "form": form,
        "progress": _progress(answers, sex, current=slug),
        "crisis": _crisis(current, form, answers),
        "depends": json.dumps(form.depends_on),
        "required_reading": required_reading_status(patient) if slug == "consent" else None,
    }
    return render(request, "intake/step.html", context, status=400 if form.is_bound else 200)


def _out_of_order(current: questionnaire.Step, answers: questionnaire.Answers, sex: str) -> HttpResponse | None:
    """A step that does not apply, or one reached by URL before the earlier steps are done, sends the patient on."""
    steps = questionnaire.applicable_steps(answers, sex)
    if current not in steps:
        return redirect(_next_url(current, answers, sex))
    first = questionnaire.first_incomplete(answers, sex)
    if first is not None and steps.index(first) < steps.index(current):
        return redirect("intake:step", slug=first.slug)
    return None


def _next_url(current: questionnaire.Step, answers: questionnaire.Answers, sex: str) -> str:
    order = [s.slug for s in questionnaire.STEPS]
    later = [s for s in questionnaire.applicable_steps(answers, sex) if order.index(s.slug) > order.index(current.slug)]
    return reverse("intake:step", args=[later[0].slug]) if later else reverse("intake:review")


def _crisis(current: questionnaire.Step, form: Any, answers: questionnaire.Answers) -> bool:
    """Crisis resources show on the mood step once item 9 is above 0, and on the safety step always."""
    if current.slug == "safety":
        return True
    if current.slug != "mood":
        return False
    value = form.data.get("phq9_9") if form.is_bound else answers.get("mood", {}).get("phq9_9")
    return str(value) not in ("", "0", "None")


@patient_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    draft = selectors.draft_for_patient(patient=patient)
    if draft is None:
        return redirect("intake:home")
    answers = selectors.version_answers(draft)
    reading = required_reading_status(patient)
    context = {
        "draft": draft,
        "sections": selectors.answers_by_step(draft, patient.sex_at_birth),
        "missing": questionnaire.first_incomplete(answers, patient.sex_at_birth),
        "required_reading": reading,
        "reading_done": all(item.done for item in reading),
        "progress": _progress(answers, patient.sex_at_birth),
    }
    return render(request, "intake/review.html", context)


@patient_required
@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    draft = selectors.draft_for_patient(patient=patient)
    if draft is None:  # a second click or a second tab: it is already in
        return redirect("intake:home")
    try:
        services.screening_submit(version=draft, by=request.user)
    except NotReady as error:
        messages.error(request, str(error))
        return redirect("intake:review")
    messages.success(request, "Thank you. Your answers are with the care team.")
    return redirect("intake:answers", pk=draft.pk)


@patient_required
@require_GET
def answers(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_for_user(request.user)
    version = selectors.version_for_patient(patient=patient, pk=pk)
    if version.is_draft:
        return redirect("intake:review")
    context = {
        "version": version,
        "state": selectors.screening_state(patient=patient),
        "sections": selectors.answers_by_step(version, patient.sex_at_birth),
    }
    return render(request, "intake/answers.html", context)
