from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import AccessLog
from intake import services
from intake.models import Decision, Screening, UrgentAlert
from tests.conftest import verified_client
from tests.factories import PatientFactory
from tests.intake.answers import CSSRS_HIGH, clean_posts, save_step, submitted

pytestmark = pytest.mark.django_db


def _detail(screening: Screening) -> str:
    return reverse("intake:staff-detail", args=[screening.pk])


def test_nurse_sees_answers_scores_flags_and_the_view_is_logged(patient, nurse):
    posts = clean_posts()
    posts["history"]["glaucoma"] = "yes"
    screening = submitted(patient, posts)
    page = verified_client(nurse).get(_detail(screening))
    assert page.status_code == 200
    content = page.content.decode()
    assert "glaucoma" in content.lower() and "Source:" in content and "PHQ-9" in content and "sertraline" in content
    assert "118/76" in content and "normal" in content  # the home reading with its category
    assert "Record decision" not in content  # nurses do not decide
    entry = AccessLog.objects.get()
    assert entry.patient == patient and entry.user == nurse


def test_front_desk_sees_status_only(patient, front_desk):
    from tests.scheduling.factories import AppointmentFactory

    screening = submitted(patient)
    client = verified_client(front_desk)
    assert client.get(_detail(screening)).status_code == 403
    assert client.get(reverse("intake:staff-queue")).status_code == 403
    response = client.post(reverse("intake:staff-decide", args=[screening.pk]), {"kind": "approved"})
    assert response.status_code == 403
    appointment = AppointmentFactory(patient=patient)
    page = client.get(reverse("scheduling:staff-appointment-detail", args=[appointment.pk])).content.decode()
    assert "Submitted, awaiting review" in page and _detail(screening) not in page
    assert not Decision.objects.exists()


def test_clinician_decides_each_way_with_history(patient, clinician):
    screening = submitted(patient)
    client = verified_client(clinician)
    response = client.post(reverse("intake:staff-decide", args=[screening.pk]), {"kind": "more_info", "note": ""})
    assert response.status_code == 400 and not Decision.objects.exists()  # a message is required
    assert "Write the message" in response.content.decode()
    # A note too long is refused on the page itself, with what was typed still in the box.
    long_note = "Please send your home readings. " * 70
    response = client.post(reverse("intake:staff-decide", args=[screening.pk]), {"kind": "declined", "note": long_note})
    assert response.status_code == 400 and "at most 2000 characters" in response.content.decode()
    assert long_note.strip() in response.content.decode() and not Decision.objects.exists()
    client.post(reverse("intake:staff-decide", args=[screening.pk]), {"kind": "more_info", "note": "Your BP please"})
    screening.refresh_from_db()
    assert screening.status == "more_info" and screening.versions.count() == 2
    client.post(reverse("intake:staff-decide", args=[screening.pk]), {"kind": "approved"})  # not awaiting now
    assert Decision.objects.count() == 1
    page = client.get(_detail(screening) + "?version=1").content.decode()
    assert "Request more information" in page and "Your BP please" in page


def test_tampered_decision_kind_is_refused(patient, clinician):
    screening = submitted(patient)
    client = verified_client(clinician)
    client.post(reverse("intake:staff-decide", args=[screening.pk]), {"kind": "superapprove", "note": "x"})
    screening.refresh_from_db()
    assert screening.status == "submitted"


def test_differences_from_the_earlier_version(patient, clinician):
    screening = submitted(patient)
    services.screening_decide(screening=screening, kind="more_info", note="Weight?", by=clinician)
    draft = screening.versions.get(number=2)
    save_step(draft, patient, "about", clean_posts()["about"] | {"weight_kg": "82"})
    save_step(draft, patient, "consent", clean_posts()["consent"])
    services.screening_submit(version=draft, by=patient.user)
    page = verified_client(clinician).get(_detail(screening)).content.decode()
    assert "Changed since version 1" in page and "82" in page


def test_nurse_records_a_reading_and_bad_readings_get_a_message(patient, nurse):
    screening = submitted(patient)
    client = verified_client(nurse)
    url = reverse("intake:staff-reading", args=[screening.pk])
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"systolic": "70", "diastolic": "90", "taken_at": when})
    assert not screening.bp_readings.exists()
    page = response.content.decode()
    assert response.status_code == 400 and "bottom number below" in page
    assert 'value="70"' in page and 'value="90"' in page and f'value="{when}"' in page  # nothing typed is lost
    client.post(url, {"systolic": "185", "diastolic": "95", "taken_at": when})
    reading = screening.bp_readings.get()
    assert reading.taken_by == nurse
    assert UrgentAlert.objects.filter(screening=screening, code="bp_crisis").exists()


@pytest.mark.parametrize("taken_at", ["0001-01-01T09:00", "1900-01-01T09:00", "2020-01-01T09:00"])
def test_an_old_in_clinic_reading_is_refused(patient, nurse, taken_at):
    """Every in-clinic reading feeds later versions' flags: one from long ago must not (found by the hostile pass)."""
    screening = submitted(patient)
    url = reverse("intake:staff-reading", args=[screening.pk])
    response = verified_client(nurse).post(url, {"systolic": "185", "diastolic": "95", "taken_at": taken_at})
    assert response.status_code == 400
    assert not screening.bp_readings.exists()


def test_banner_on_staff_home_until_acknowledged(patient, nurse, clinician):
    services.screening_start(patient=patient)
    from intake import selectors

    draft = selectors.draft_for_patient(patient=patient)
    save_step(draft, patient, "mood", clean_posts()["mood"] | {"phq9_9": "3"})
    save_step(draft, patient, "safety", CSSRS_HIGH)
    alert = UrgentAlert.objects.get()
    client = verified_client(nurse)
    detail = client.get(_detail(draft.screening)).content.decode()
    assert "The suicide-risk screen (C-SSRS) shows high risk." in detail and "cssrs_high" not in detail
    home = client.get(reverse("scheduling:staff-home")).content.decode()
    assert "urgent screening alert" in home and patient.legal_last_name not in home
    client.post(reverse("intake:staff-alert-acknowledge", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.acknowledged_by == nurse and alert.acknowledged_at
    assert "urgent screening alert" not in client.get(reverse("scheduling:staff-home")).content.decode()


def test_queue_puts_urgent_first_then_oldest_and_filters(clinician):
    first, second, urgent = (submitted(PatientFactory()) for _ in range(3))
    Screening.objects.filter(pk=urgent.pk).update(severity_rank=4)
    client = verified_client(clinician)
    page = client.get(reverse("intake:staff-queue"))
    order = [s.pk for s in page.context["page"].object_list]
    assert order == [urgent.pk, first.pk, second.pk]
    filtered = client.get(reverse("intake:staff-queue"), {"severity": "urgent"}).context["page"].object_list
    assert [s.pk for s in filtered] == [urgent.pk]
    assert client.get(reverse("intake:staff-queue"), {"status": "bogus"}).status_code == 200


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queue_and_detail_query_counts_do_not_grow(clinician, nurse):
    client = verified_client(clinician)
    screenings = [submitted(PatientFactory())]
    small_queue = _queries(client, reverse("intake:staff-queue"))
    small_detail = _queries(client, _detail(screenings[0]))
    for _ in range(4):
        screenings.append(submitted(PatientFactory()))
    big = screenings[-1]
    for n in range(3):
        services.bp_reading_record(screening=big, systolic=120 + n, diastolic=80, taken_at=timezone.now(), by=nurse)
    services.bp_reading_record(screening=big, systolic=190, diastolic=100, taken_at=timezone.now(), by=nurse)
    services.alert_acknowledge(alert=big.alerts.get(), by=nurse)  # an acknowledged alert on version 1
    services.screening_decide(screening=big, kind="more_info", note="More", by=clinician)
    services.bp_reading_record(screening=big, systolic=185, diastolic=95, taken_at=timezone.now(), by=nurse)
    for _ in range(2):  # drafts that raised an alert: in the default queue too
        services.alert_acknowledge(alert=_draft_with_high_risk(PatientFactory()).alerts.get(), by=nurse)
    assert len(client.get(reverse("intake:staff-queue")).context["page"].object_list) == 7
    assert _queries(client, reverse("intake:staff-queue")) == small_queue
    assert _queries(client, reverse("intake:staff-queue") + "?status=all") == small_queue
    assert _queries(client, _detail(big)) == small_detail
    assert _queries(client, _detail(big) + "?version=2") == small_detail  # the draft, with its changes and alert


def test_staff_wrong_methods_are_405(patient, clinician):
    screening = submitted(patient)
    client = verified_client(clinician)
    assert client.get(reverse("intake:staff-decide", args=[screening.pk])).status_code == 405
    assert client.post(_detail(screening)).status_code == 405
    assert client.get(reverse("intake:staff-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("number", ["²", "1" * 5000])
def test_a_version_number_that_is_not_a_plain_number_shows_the_latest_not_500(patient, nurse, number):
    # "²".isdigit() is True but int("²") raises; so does int() of a string of more than 4300 digits.
    screening = submitted(patient)
    page = verified_client(nurse).get(_detail(screening), {"version": number})
    assert page.status_code == 200 and page.context["review"].version.number == 1


def _draft_with_high_risk(patient) -> Screening:
    """A draft that raised the C-SSRS high-risk alert on its own, never submitted."""
    screening = services.screening_start(patient=patient)
    from intake import selectors

    save_step(selectors.draft_for_patient(patient=patient), patient, "safety", CSSRS_HIGH)
    screening.refresh_from_db()
    return screening


def _queue_rows(client, **params) -> dict[int, str]:
    """The default queue's screenings, each with the status it shows."""
    page = client.get(reverse("intake:staff-queue"), params)
    return {s.pk: s.queue_label for s in page.context["page"].object_list}


def test_a_draft_that_raised_an_alert_stays_in_the_queue_until_submitted_and_decided(patient, nurse, clinician):
    screening = _draft_with_high_risk(patient)
    quiet_draft = services.screening_start(patient=PatientFactory())  # no alert: not for the queue yet
    client = verified_client(clinician)
    assert _queue_rows(client) == {screening.pk: "Draft — urgent alert open"}
    services.alert_acknowledge(alert=UrgentAlert.objects.get(), by=nurse)
    rows = _queue_rows(client)
    assert rows == {screening.pk: "Draft — urgent alert acknowledged"} and quiet_draft.pk not in rows
    page = client.get(reverse("intake:staff-queue")).content.decode()
    assert "Draft — urgent alert acknowledged" in page
    draft = screening.versions.get()
    for step, post in clean_posts().items():
        save_step(draft, patient, step, post)
    services.screening_submit(version=draft, by=patient.user)
    assert _queue_rows(client) == {screening.pk: "Submitted, awaiting review"}
    screening.refresh_from_db()
    services.screening_decide(screening=screening, kind="more_info", note="Let us talk first", by=clinician)
    # The new draft carries the answers but raised nothing itself: the alert was reviewed with the decision.
    assert _queue_rows(client) == {}
    assert screening.pk in _queue_rows(client, status="more_info")


def test_a_more_info_draft_that_raises_a_new_alert_comes_back_to_the_queue(patient, nurse, clinician):
    screening = submitted(patient)
    services.screening_decide(screening=screening, kind="more_info", note="Weight?", by=clinician)
    assert _queue_rows(verified_client(clinician)) == {}
    services.bp_reading_record(screening=screening, systolic=190, diastolic=100, taken_at=timezone.now(), by=nurse)
    assert _queue_rows(verified_client(clinician)) == {screening.pk: "Draft — urgent alert open"}


@pytest.mark.parametrize("status", [value for value, _ in Screening.Status.choices])
def test_awaiting_a_decision_is_one_rule_for_the_row_and_the_filter(patient, status):
    screening = submitted(patient)
    Screening.objects.filter(pk=screening.pk).update(status=status)
    screening.refresh_from_db()
    assert screening.is_awaiting_decision == (status == "submitted")
    assert Screening.objects.filter(Screening.awaiting_decision_q()).exists() == screening.is_awaiting_decision


def test_the_page_and_the_decide_view_ask_the_screening_whether_it_awaits_a_decision(patient, clinician, monkeypatch):
    screening = submitted(patient)
    client = verified_client(clinician)
    decide = reverse("intake:staff-decide", args=[screening.pk])
    assert "Record decision" in client.get(_detail(screening)).content.decode()
    # The rule in one place: change it there, and the page and the view both follow.
    monkeypatch.setattr(Screening, "is_awaiting_decision", property(lambda self: False))
    assert "Record decision" not in client.get(_detail(screening)).content.decode()
    for post in ({"kind": "more_info", "note": ""}, {"kind": "approved"}):  # a stale form, filled in or not
        response = client.post(decide, post, follow=True)
        assert response.redirect_chain and "not awaiting a decision" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_decided_screening_refuses_a_stale_form_with_a_message_not_the_form(patient, clinician):
    screening = submitted(patient)
    services.screening_decide(screening=screening, kind="declined", note="Not suitable", by=clinician)
    client = verified_client(clinician)
    assert "Record decision" not in client.get(_detail(screening)).content.decode()
    response = client.post(reverse("intake:staff-decide", args=[screening.pk]), {"kind": "referred", "note": ""})
    assert response.status_code == 302
    assert Decision.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (None, "Not submitted yet"),
        ("in_progress", "Not submitted yet"),
        ("more_info", "Not submitted yet"),
        ("submitted", "Submitted, awaiting review"),
        ("approved", "Decided"),
        ("declined", "Decided"),
        ("referred", "Decided"),
    ],
)
def test_front_desk_sees_the_screenings_own_summary_label_and_never_the_decision(patient, front_desk, status, label):
    from intake import selectors
    from tests.scheduling.factories import AppointmentFactory

    if status is not None:
        Screening.objects.filter(pk=submitted(patient).pk).update(status=status)
    assert selectors.screening_state(patient=patient).summary_label == label
    appointment = AppointmentFactory(patient=patient)
    page = verified_client(front_desk).get(reverse("scheduling:staff-appointment-detail", args=[appointment.pk]))
    content = page.content.decode()
    assert label in content
    for decision_label in ("Approved", "Declined", "Referred elsewhere", "More information requested"):
        assert decision_label not in content
