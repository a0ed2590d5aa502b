from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clinic.models import Notification
from intake import selectors
from intake.models import Screening, UrgentAlert
from tests.education.factories import AcknowledgementFactory, ArticleFactory
from tests.intake.answers import CSSRS_HIGH, clean_posts, fill, submitted

pytestmark = pytest.mark.django_db


def _step(slug: str) -> str:
    return reverse("intake:step", args=[slug])


def test_patient_completes_every_step_and_submits(patient, patient_client: Client):
    response = patient_client.post(reverse("intake:start"))
    assert response["Location"] == _step("about")
    for slug, post in clean_posts().items():
        assert patient_client.get(_step(slug)).status_code == 200
        response = patient_client.post(_step(slug), post)
        assert response.status_code == 302, (slug, response.content[:2000])
    assert response["Location"] == reverse("intake:review")
    page = patient_client.get(reverse("intake:review"))
    assert b"sertraline 50 mg" in page.content
    response = patient_client.post(reverse("intake:submit"))
    version = selectors.submitted_for_patient(patient=patient)
    assert response["Location"] == reverse("intake:answers", args=[version.pk])
    # A second click, or a second tab, changes nothing and errs nowhere.
    assert patient_client.post(reverse("intake:submit"))["Location"] == reverse("intake:home")
    assert Screening.objects.get().versions.count() == 1
    page = patient_client.get(reverse("intake:answers", args=[version.pk]))
    assert b"Submitted, awaiting review" in page.content and b"sertraline" in page.content
    # Nothing is open for changes: a step from an old tab says so, on the questionnaire's page, instead of a 404.
    response = patient_client.post(_step("about"), clean_posts()["about"] | {"weight_kg": "99"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("intake:home")
    assert "were submitted and can no longer be changed" in response.content.decode()
    assert selectors.version_answers(version)["about"]["weight_kg"] == 70


@pytest.mark.parametrize(
    ("step", "change", "message"),
    [
        ("blood_pressure", {"reading_1_systolic": "320"}, b"50 to 300"),
        ("blood_pressure", {"reading_1_diastolic": "15"}, b"20 to 200"),
        ("blood_pressure", {"reading_1_systolic": "90", "reading_1_diastolic": "95"}, b"bottom number below"),
        ("about", {"weight_kg": "25"}, b"between 30 and 300 kg"),
        ("about", {"height_cm": "260"}, b"between 100 and 250 cm"),
        ("mood", {"phq9_1": "7"}, b"Select a valid choice"),
        ("about", {"reasons": ["hacking"]}, b"Select a valid choice"),
    ],
)
def test_bad_input_gets_a_message_and_loses_nothing(patient, patient_client, step, change, message):
    posts = clean_posts()
    order = list(posts)
    fill(patient, {s: posts[s] for s in order[: order.index(step)]})
    response = patient_client.post(_step(step), posts[step] | change)
    assert response.status_code == 400
    assert message in response.content
    assert b"Nothing you entered has been lost" in response.content
    kept = next(v for v in (posts[step] | change).values() if isinstance(v, str) and v not in ("yes", "no"))
    assert f'value="{kept}"'.encode() in response.content or kept.encode() in response.content
    assert step not in selectors.version_answers(selectors.draft_for_patient(patient=patient))


def test_a_step_skipped_by_url_sends_the_patient_back(patient, patient_client):
    fill(patient, {"about": clean_posts()["about"]})
    response = patient_client.post(_step("mood"), clean_posts()["mood"])
    assert response["Location"] == _step("blood_pressure")
    assert "mood" not in selectors.version_answers(selectors.draft_for_patient(patient=patient))


def test_questions_appear_only_when_they_apply(patient_client, patient):
    posts = clean_posts()
    fill(patient, {s: posts[s] for s in ("about", "blood_pressure", "history", "mental_health")})
    assert patient_client.get(_step("ptsd"))["Location"] == _step("substances")  # neither PTSD nor item 9
    page = patient_client.get(_step("about"))
    assert b"pregnant" in page.content
    patient.sex_at_birth = "male"
    patient.save()
    assert b"pregnant" not in patient_client.get(_step("about")).content


def test_item_9_shows_crisis_resources_on_that_step_and_the_safety_screener_follows(patient, patient_client, clinician):
    posts = clean_posts()
    fill(patient, {s: posts[s] for s in ("about", "blood_pressure", "history", "mental_health")})
    page = patient_client.get(_step("mood")).content.decode()
    assert 'id="crisis-resources" class="alert alert-danger" role="alert" aria-labelledby="crisis-title" hidden' in page
    # An invalid save keeps the answer and shows the resources at once, from the server.
    response = patient_client.post(_step("mood"), {"phq9_9": "2"})
    assert b'aria-labelledby="crisis-title">' in response.content and b"988" in response.content
    response = patient_client.post(_step("mood"), posts["mood"] | {"phq9_9": "1"})
    assert response["Location"] == _step("safety")
    page = patient_client.get(_step("safety"))
    assert b'aria-labelledby="crisis-title">' in page.content and b"Have you wished you were dead" in page.content
    patient_client.post(_step("safety"), CSSRS_HIGH)
    assert UrgentAlert.objects.filter(code="cssrs_high").exists()
    assert Notification.objects.filter(kind="intake/urgent_alert").exists()


def test_cssrs_follow_up_questions_are_required_only_after_a_yes(patient, patient_client):
    posts = clean_posts()
    fill(
        patient,
        {
            **{s: posts[s] for s in ("about", "blood_pressure", "history", "mental_health")},
            "mood": posts["mood"] | {"phq9_9": "1"},
        },
    )
    response = patient_client.post(_step("safety"), {"wish_dead": "yes", "thoughts": "yes", "behaviour_lifetime": "no"})
    assert response.status_code == 400 and b"Please answer this question." in response.content
    response = patient_client.post(
        _step("safety"), {"wish_dead": "yes", "thoughts": "no", "behaviour_lifetime": "no", "intent": "yes"}
    )
    assert response.status_code == 302  # a hidden question's answer is dropped, not stored
    data = selectors.version_answers(selectors.draft_for_patient(patient=patient))["safety"]
    assert "intent" not in data


def test_submission_waits_for_current_required_reading(patient, patient_client):
    article = ArticleFactory(required_before_treatment=True)
    fill(patient)
    response = patient_client.post(reverse("intake:submit"))
    assert response["Location"] == reverse("intake:review")
    assert selectors.submitted_for_patient(patient=patient) is None
    assert b"required reading" in patient_client.get(reverse("intake:review")).content
    AcknowledgementFactory(patient=patient, article=article, version=article.version)
    patient_client.post(reverse("intake:submit"))
    assert selectors.submitted_for_patient(patient=patient) is not None


def test_another_patients_answers_are_404(patient, other_patient, patient_client):
    version = submitted(other_patient).versions.get()
    assert patient_client.get(reverse("intake:answers", args=[version.pk])).status_code == 404


def test_another_patients_draft_is_never_touched(patient, other_patient, patient_client):
    fill(other_patient, {"about": clean_posts()["about"]})
    patient_client.post(reverse("intake:start"))
    patient_client.post(_step("about"), clean_posts()["about"] | {"weight_kg": "99", "screening": "1", "version": "1"})
    theirs = selectors.version_answers(selectors.draft_for_patient(patient=other_patient))
    assert theirs["about"]["weight_kg"] == 70


@pytest.mark.parametrize("name", ["home", "review"])
def test_anonymous_goes_to_login_and_staff_get_403(name, anon_client, nurse):
    url = reverse(f"intake:{name}")
    assert "/account/login/" in anon_client.get(url)["Location"]
    staff = Client()
    staff.force_login(nurse)
    assert staff.get(url).status_code == 403


def test_wrong_methods_are_405(patient_client):
    assert patient_client.get(reverse("intake:submit")).status_code == 405
    assert patient_client.get(reverse("intake:start")).status_code == 405
    assert patient_client.post(reverse("intake:home")).status_code == 405


def test_portal_and_booked_page_show_the_status(patient, patient_client):
    page = patient_client.get(reverse("scheduling:portal-home"))
    assert b"Not started" in page.content and reverse("intake:home").encode() in page.content
    submitted(patient)
    assert b"Submitted, awaiting review" in patient_client.get(reverse("scheduling:portal-home")).content


def test_substances_step_shows_the_dast10_credit_and_grouped_instruments(patient, patient_client):
    posts = clean_posts()
    fill(patient, {s: posts[s] for s in ("about", "blood_pressure", "history", "mental_health", "mood")})
    page = patient_client.get(_step("substances")).content.decode()
    assert "Skinner" in page and "CAMH" in page
    assert "<legend" in page and "Drugs (DAST-10)" in page


def test_the_safety_screener_follows_item_9_at_once_even_when_ptsd_applies(patient, patient_client):
    # With PTSD among the reasons, the 20 PCL-5 questions must not stand between item 9 and the C-SSRS: a patient
    # who stops there would leave a high risk unscreened and no alert raised.
    posts = clean_posts()
    posts["about"]["reasons"] = ["depression", "ptsd"]
    fill(patient, {s: posts[s] for s in ("about", "blood_pressure", "history", "mental_health")})
    response = patient_client.post(_step("mood"), posts["mood"] | {"phq9_9": "1"})
    assert response["Location"] == _step("safety")
    response = patient_client.post(_step("safety"), CSSRS_HIGH)
    assert response["Location"] == _step("ptsd")
    assert UrgentAlert.objects.filter(code="cssrs_high").exists()
