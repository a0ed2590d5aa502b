from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.models import Notification
from intake import selectors, services
from intake.exceptions import AlreadyDecided, NotEditable, NotReady
from intake.models import Decision, Screening, ScreeningVersion, StepAnswer, UrgentAlert
from tests.conftest import verified_client
from tests.intake.answers import CSSRS_HIGH, clean_posts, fill, save_step, submitted

pytestmark = pytest.mark.django_db


def test_clean_screening_has_no_flags_and_submits(patient):
    screening = submitted(patient)
    version = screening.versions.get()
    assert screening.status == Screening.Status.SUBMITTED
    assert version.status == ScreeningVersion.Status.SUBMITTED and version.submitted_at
    assert not version.flags.exists()
    scores = {s.instrument: (s.total, s.band) for s in version.scores.all()}
    assert scores["phq9"] == (8, "mild")
    assert scores["dast10"] == (0, "none")  # item 3 "yes" is the healthy answer


def test_double_submit_is_idempotent(patient):
    screening = fill(patient)
    draft = selectors.draft_for_patient(patient=patient)
    assert services.screening_submit(version=draft, by=patient.user) is True
    assert services.screening_submit(version=draft, by=patient.user) is False
    assert screening.versions.count() == 1


def test_submit_refuses_an_unfinished_questionnaire(patient):
    posts = clean_posts()
    del posts["substances"]
    fill(patient, posts)
    with pytest.raises(NotReady, match="Alcohol and drugs"):
        services.screening_submit(version=selectors.draft_for_patient(patient=patient), by=patient.user)


def test_submitted_answers_cannot_change_in_service_or_database(patient):
    screening = submitted(patient)
    version = screening.versions.get()
    with pytest.raises(NotEditable):
        services.step_save(version=version, step="about", data={"weight_kg": 80})
    answer = StepAnswer.objects.get(version=version, step="about")
    with pytest.raises(IntegrityError), transaction.atomic():
        StepAnswer.objects.filter(pk=answer.pk).update(data={"weight_kg": 99})
    with pytest.raises(IntegrityError), transaction.atomic():
        StepAnswer.objects.create(version=version, step="extra", data={})
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningVersion.objects.filter(pk=version.pk).update(status="draft", submitted_at=None)
    answer.refresh_from_db()
    assert answer.data["weight_kg"] == 70


def test_request_for_more_information_opens_a_prefilled_version(patient, clinician):
    screening = submitted(patient)
    services.screening_decide(screening=screening, kind="more_info", note="Please add your recent BP.", by=clinician)
    screening.refresh_from_db()
    assert screening.status == Screening.Status.MORE_INFO
    first, second = screening.versions.order_by("number")
    assert second.is_draft and second.number == 2
    assert {a.step for a in second.answers.all()} == {a.step for a in first.answers.all()} - {"consent"}
    save_step(second, patient, "consent", clean_posts()["consent"])
    assert services.screening_submit(version=second, by=patient.user)
    screening.refresh_from_db()
    assert screening.status == Screening.Status.SUBMITTED
    assert first.answers.count() == 8  # the first version is untouched


def test_decision_history_and_patient_email(patient, clinician, on_commit):
    screening = submitted(patient)
    with on_commit(execute=True):
        services.screening_decide(screening=screening, kind="approved", note="", by=clinician)
    decision = Decision.objects.get()
    assert decision.decided_by == clinician and decision.decided_at
    with pytest.raises(AlreadyDecided):
        services.screening_decide(screening=screening, kind="declined", note="x", by=clinician)
    [email] = mail.outbox
    assert email.to == [patient.user.email]
    assert "news" in email.subject.lower()
    assert "PHQ" not in email.body and "approved" not in email.body.lower()


def test_crisis_blood_pressure_in_a_draft_alerts_once(patient, settings, on_commit):
    selectors.clinic_settings().__class__.objects.filter(pk=1).update(
        oncall_recipients="oncall@clinic.example\nsecond@clinic.example"
    )
    screening = services.screening_start(patient=patient)
    draft = selectors.draft_for_patient(patient=patient)
    post = clean_posts()["blood_pressure"] | {"reading_1_systolic": "190", "reading_1_diastolic": "100"}
    with on_commit(execute=True):
        save_step(draft, patient, "blood_pressure", post)
        save_step(draft, patient, "blood_pressure", post)  # saved again: still one alert
    assert UrgentAlert.objects.filter(screening=screening).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["oncall@clinic.example", "second@clinic.example"]
    for message in mail.outbox:
        assert "/staff/screening-alerts/" in message.body  # a link that names nothing
        assert patient.legal_last_name not in message.body and "190" not in message.body
    screening.refresh_from_db()
    assert screening.severity_rank == 4


def test_cssrs_high_alerts_before_submission(patient, clinician, on_commit):
    screening = services.screening_start(patient=patient)
    draft = selectors.draft_for_patient(patient=patient)
    posts = clean_posts()
    save_step(draft, patient, "mood", posts["mood"] | {"phq9_9": "2"})
    assert {f.code for f in draft.flags.all()} == {"suicidal_ideation"}
    with on_commit(execute=True):
        save_step(draft, patient, "safety", CSSRS_HIGH)
    alert = UrgentAlert.objects.get(screening=screening)
    assert alert.code == "cssrs_high"
    # No on-call recipients set: the clinicians are told.
    assert [m.to for m in mail.outbox] == [[clinician.email]]
    assert Notification.objects.filter(kind="intake/urgent_alert").count() == 1
    assert services.alert_acknowledge(alert=alert, by=clinician) is True
    assert services.alert_acknowledge(alert=alert, by=clinician) is False
    assert selectors.alerts_open() == []


def test_in_clinic_reading_feeds_the_flags(patient, nurse):
    screening = submitted(patient)
    services.bp_reading_record(
        screening=screening, systolic=150, diastolic=85, taken_at=timezone.now() - dt.timedelta(minutes=5), by=nurse
    )
    version = screening.versions.get()
    assert {f.code for f in version.flags.all()} == {"bp_high"}
    with pytest.raises(ValueError):
        services.bp_reading_record(screening=screening, systolic=80, diastolic=90, taken_at=timezone.now(), by=nurse)


def test_clinic_thresholds_come_from_settings(patient):
    selectors.clinic_settings().__class__.objects.filter(pk=1).update(bp_review_systolic=115)
    screening = fill(patient)
    assert {f.code for f in screening.versions.get().flags.all()} == {"bp_high"}


def test_asking_for_more_information_raises_no_second_alert(patient, clinician, on_commit):
    """The prefilled version carries answers that already alerted; only the patient's own saves alert again."""
    posts = clean_posts()
    posts["mood"] = posts["mood"] | {"phq9_9": "2"}
    posts["safety"] = CSSRS_HIGH
    with on_commit(execute=True):
        screening = submitted(patient, posts)
    first_alert = UrgentAlert.objects.get(screening=screening)
    services.alert_acknowledge(alert=first_alert, by=clinician)
    sent = Notification.objects.filter(kind="intake/urgent_alert").count()
    with on_commit(execute=True):
        services.screening_decide(screening=screening, kind="more_info", note="Please add your BP.", by=clinician)
    assert UrgentAlert.objects.filter(screening=screening).count() == 1
    assert Notification.objects.filter(kind="intake/urgent_alert").count() == sent
    draft = selectors.draft_for_patient(patient=patient)
    assert {f.code for f in draft.flags.all()} >= {"cssrs_high"}  # staff still see the flag on the new version


def test_the_alert_email_opens_the_version_that_raised_it(patient, clinician, on_commit):
    services.screening_start(patient=patient)
    draft = selectors.draft_for_patient(patient=patient)
    save_step(draft, patient, "mood", clean_posts()["mood"] | {"phq9_9": "2"})
    with on_commit(execute=True):
        save_step(draft, patient, "safety", CSSRS_HIGH)
    alert = UrgentAlert.objects.get()
    assert f"/staff/screening-alerts/{alert.pk}/" in mail.outbox[-1].body  # a link that names nothing
    opened = verified_client(clinician).get(f"/staff/screening-alerts/{alert.pk}/")
    assert opened["Location"] == f"/staff/screenings/{draft.screening_id}/?version={draft.number}"
