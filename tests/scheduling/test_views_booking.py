from __future__ import annotations

import datetime as dt
import re
from unittest import mock
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from clinic.models import Patient
from scheduling.models import Appointment
from tests.factories import PatientFactory
from tests.scheduling import view_fixtures
from tests.scheduling.factories import AppointmentFactory, ProviderFactory, provider_with_hours
from tests.scheduling.view_fixtures import NOW, THURSDAY_11AM, WEDNESDAY_10AM, slot_param, slot_urls

appointment = view_fixtures.appointment
frozen = view_fixtures.frozen

pytestmark = pytest.mark.usefixtures("frozen")

VISITOR = {
    "legal_first_name": "Jordan",
    "legal_last_name": "Lee",
    "email": "jordan.lee@example.com",
    "phone": "617 555 0101",
    "date_of_birth": "1990-02-03",
    "time_zone": "America/Denver",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def pick_url(type_slug="phone-consultation", **params):
    url = reverse("scheduling:book-pick", args=[type_slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def confirm_url(provider, start, type_slug="phone-consultation", tz="America/New_York"):
    url = reverse("scheduling:book-confirm", args=[type_slug])
    return f"{url}?provider={provider.pk}&start={slot_param(start)}&tz={tz}"


def details_url(provider, start, type_slug="phone-consultation"):
    url = reverse("scheduling:book-details", args=[type_slug])
    return f"{url}?provider={provider.pk}&start={slot_param(start)}"


def confirm_form(client, provider, start):
    """GET the confirm page and return the POST data its form holds (with its idempotency key)."""
    response = client.get(confirm_url(provider, start))
    assert response.status_code == 200, response.content[:500]
    key = re.search(rb'name="idempotency_key" value="([^"]+)"', response.content).group(1).decode()
    return {"provider": provider.pk, "start": slot_param(start), "idempotency_key": key, "tz": "America/New_York"}


def html(response) -> str:
    """The page with entities and URL escapes undone, to look for links in it."""
    return unquote(response.content.decode().replace("&amp;", "&"))


def as_visitor(client):
    session = client.session
    session["scheduling_visitor"] = {**VISITOR, "phone": "+16175550101"}
    session.save()
    return client


# --- Choosing a type, a day and a time --------------------------------------------------------------


def test_start_lists_bookable_types(client, phone_type) -> None:
    response = client.get(reverse("scheduling:book-start"))
    assert response.status_code == 200
    assert phone_type.name.encode() in response.content
    assert reverse("scheduling:book-pick", args=[phone_type.slug]).encode() in response.content


def test_start_rejects_post(client, db) -> None:
    assert client.post(reverse("scheduling:book-start")).status_code == 405


def test_home_page_and_nav_link_to_booking(client, db) -> None:
    response = client.get(reverse("clinic:home"))
    assert response.content.count(reverse("scheduling:book-start").encode()) >= 2


def test_calendar_shows_only_days_with_openings(client, provider, phone_type) -> None:
    response = client.get(pick_url(tz="America/New_York"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "March 2026" in content
    # Weekdays are open, weekends are not.
    assert "date=2026-03-04" in content
    assert "date=2026-03-07" not in content
    assert "date=2026-03-08" not in content


def test_late_in_a_month_with_nothing_left_the_picker_opens_on_the_next(client, provider, phone_type, frozen) -> None:
    frozen.move_to(dt.datetime(2026, 3, 31, 23, tzinfo=dt.UTC))  # 7 pm in New York, the last day's hours are over
    content = client.get(pick_url(tz="America/New_York")).content.decode()
    assert "April 2026" in content and "date=2026-04-01" in content
    # Asked for by name, the month stays, empty as it is.
    content = client.get(pick_url(tz="America/New_York", month="2026-03")).content.decode()
    assert "No open times in March" in content


def test_month_navigation_with_htmx_returns_the_partial(client, provider, phone_type) -> None:
    response = client.get(pick_url(tz="America/New_York", month="2026-04"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"April 2026" in response.content
    assert b"<html" not in response.content


def test_times_are_shown_in_the_chosen_zone_with_clinic_time(client, provider, phone_type) -> None:
    response = client.get(pick_url(tz="America/Los_Angeles", month="2026-03", date="2026-03-04"))
    content = response.content.decode()
    assert "6:00 AM" in content  # 9 am in New York
    assert "9:00 AM clinic time" in content
    first_available = f"/book/phone-consultation/confirm/?start={slot_param(WEDNESDAY_10AM - dt.timedelta(hours=1))}"
    assert f"{first_available}&tz=America/Los_Angeles" in slot_urls(response)  # one button a time, any clinician


@pytest.mark.parametrize("params", [{"tz": "Not/AZone"}, {"month": "2026-99"}, {"date": "yesterday"}])
def test_bad_picker_parameters_fall_back(client, provider, phone_type, params) -> None:
    assert client.get(pick_url(**params)).status_code == 200


def test_unknown_or_inactive_type_is_404(client, phone_type) -> None:
    assert client.get(pick_url("no-such-type")).status_code == 404
    phone_type.active = False
    phone_type.save()
    assert client.get(pick_url()).status_code == 404


# --- Visitor details --------------------------------------------------------------------------------


def test_visitor_is_asked_for_details_first(client, provider, phone_type) -> None:
    response = client.get(confirm_url(provider, WEDNESDAY_10AM))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("scheduling:book-details", args=["phone-consultation"]))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2030-01-01", "cannot be in the future"),
        ("phone", "12", "valid phone number"),
        ("email", "not-an-email", "valid email"),
        ("legal_first_name", "", "required"),
    ],
)
def test_bad_details_get_clear_errors(client, provider, phone_type, field, value, message) -> None:
    response = client.post(details_url(provider, WEDNESDAY_10AM), {**VISITOR, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "scheduling_visitor" not in client.session


def test_good_details_go_to_confirm(client, provider, phone_type) -> None:
    response = client.post(details_url(provider, WEDNESDAY_10AM), VISITOR)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("scheduling:book-confirm", args=["phone-consultation"]))
    assert client.session["scheduling_visitor"]["email"] == "jordan.lee@example.com"


# --- Confirming -------------------------------------------------------------------------------------


def test_visitor_books_gets_account_and_emails(
    client, provider, phone_type, django_capture_on_commit_callbacks
) -> None:
    as_visitor(client)
    data = confirm_form(client, provider, WEDNESDAY_10AM)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url(provider, WEDNESDAY_10AM).split("?")[0], data)
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("scheduling:book-done-visitor"))
    assert appointment.patient.user.email == "jordan.lee@example.com"
    assert appointment.patient.time_zone == "America/Denver"
    assert len(mail.outbox) == 2  # the confirmation and the set-password link
    assert any(m.attachments for m in mail.outbox), "the confirmation carries an .ics"
    done = client.get(response["Location"])
    assert done.status_code == 200
    assert b"You are booked" in done.content


def test_a_visitors_booked_page_offers_calendar_links_from_the_receipt(client, provider, phone_type) -> None:
    """Google and Outlook, built from what the visitor chose (the page names no appointment); the .ics is in the
    confirmation email."""
    as_visitor(client)
    data = confirm_form(client, provider, WEDNESDAY_10AM)
    done = client.get(client.post(confirm_url(provider, WEDNESDAY_10AM).split("?")[0], data)["Location"])
    page = done.content.decode()
    google = next(h for h in re.findall(r'href="([^"]+)"', page) if "calendar.google.com" in h)
    query = parse_qs(urlsplit(google.replace("&amp;", "&")).query)
    assert query["dates"] == ["20260304T150000Z/20260304T151500Z"]
    assert query["text"][0].startswith("Appointment with ")
    assert reverse("scheduling:portal-home") in query["details"][0]
    assert "outlook.live.com" in page
    assert "attached to your confirmation email" in page
    assert ".ics file)</a>" not in page


def test_booking_page_of_another_session_is_404(client, anon_client, provider, phone_type) -> None:
    as_visitor(client)
    data = confirm_form(client, provider, WEDNESDAY_10AM)
    client.post(confirm_url(provider, WEDNESDAY_10AM).split("?")[0], data)
    appointment = Appointment.objects.get()
    assert anon_client.get(reverse("scheduling:book-done", args=[appointment.pk])).status_code == 404
    assert client.get(reverse("scheduling:book-done", args=[appointment.pk])).status_code == 404  # no ids for visitors
    assert anon_client.get(reverse("scheduling:book-done-visitor")).status_code == 404


def _visitor_booking(email: str, provider, start, on_commit) -> tuple:
    from django.test import Client as _Client

    visitor = as_visitor(_Client())
    session = visitor.session
    session["scheduling_visitor"]["email"] = email
    session.save()
    data = confirm_form(visitor, provider, start)
    with on_commit(execute=True):
        response = visitor.post(confirm_url(provider, start).split("?")[0], data)
        again = visitor.post(confirm_url(provider, start).split("?")[0], data)
    page = visitor.get(response["Location"])
    return response, again, page


def test_a_staff_email_gets_the_same_answer_as_any_other(
    provider, phone_type, front_desk, django_capture_on_commit_callbacks
) -> None:
    """Issue 12, finding 9: the answer must not tell a visitor that an email belongs to staff."""
    PatientFactory(user__email="known.patient@example.com")
    answers = {}
    for n, email in enumerate(["brand.new@example.com", "known.patient@example.com", front_desk.email]):
        start = WEDNESDAY_10AM + dt.timedelta(hours=n)
        response, again, page = _visitor_booking(email, provider, start, django_capture_on_commit_callbacks)
        answers[email] = (response.status_code, response["Location"], again["Location"], page.status_code)
        assert b"You are booked" in page.content
        assert f"Wednesday, March 4, 2026 at {['10:00 AM', '11:00 AM', '12:00 PM'][n]}".encode() in page.content
    assert len(set(answers.values())) == 1, answers
    assert Appointment.objects.count() == 2  # nothing was booked on the staff account
    staff_mail = [m for m in mail.outbox if m.to == [front_desk.email]]
    assert len(staff_mail) == 1 and "nothing was booked" in staff_mail[0].body


def test_existing_email_is_not_revealed(client, provider, phone_type) -> None:
    existing = PatientFactory(user__email="jordan.lee@example.com")
    as_visitor(client)
    data = confirm_form(client, provider, WEDNESDAY_10AM)
    response = client.post(confirm_url(provider, WEDNESDAY_10AM).split("?")[0], data)
    assert response.status_code == 302
    assert Appointment.objects.get().patient == existing
    assert Patient.objects.count() == 1


def test_double_submit_makes_one_appointment(client, provider, phone_type) -> None:
    as_visitor(client)
    data = confirm_form(client, provider, WEDNESDAY_10AM)
    url = confirm_url(provider, WEDNESDAY_10AM).split("?")[0]
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Appointment.objects.count() == 1


def test_confirm_form_is_guarded_against_double_clicks(patient_client, provider, phone_type) -> None:
    response = patient_client.get(confirm_url(provider, WEDNESDAY_10AM))
    assert b"data-once" in response.content


def test_patient_books_without_details(patient_client, patient, provider, phone_type) -> None:
    data = confirm_form(patient_client, provider, WEDNESDAY_10AM)
    response = patient_client.post(confirm_url(provider, WEDNESDAY_10AM).split("?")[0], data)
    appointment = Appointment.objects.get()
    assert appointment.patient == patient
    assert appointment.booked_by == patient.user
    assert patient_client.get(response["Location"]).status_code == 200


def test_slot_just_taken_offers_nearest_alternatives(patient_client, provider, phone_type) -> None:
    data = confirm_form(patient_client, provider, WEDNESDAY_10AM)
    AppointmentFactory(provider=provider, appointment_type=phone_type, start=WEDNESDAY_10AM)
    response = patient_client.post(confirm_url(provider, WEDNESDAY_10AM).split("?")[0], data)
    assert response.status_code == 409
    assert "just taken" in html(response)
    assert "shown in Eastern Time – New York:" in html(response)  # the zone is named wherever times are
    offered = " ".join(slot_urls(response))  # buttons, so Space chooses them too
    for neighbour in (WEDNESDAY_10AM - dt.timedelta(minutes=15), WEDNESDAY_10AM + dt.timedelta(minutes=15)):
        assert slot_param(neighbour) in offered
    assert Appointment.objects.count() == 1


def test_a_time_just_taken_offers_the_chosen_clinicians_own_times(patient_client, provider, phone_type) -> None:
    other = provider_with_hours(phone_type)  # free at the taken time: the first available would offer it
    data = confirm_form(patient_client, provider, WEDNESDAY_10AM)
    AppointmentFactory(provider=provider, appointment_type=phone_type, start=WEDNESDAY_10AM)
    response = patient_client.post(confirm_url(provider, WEDNESDAY_10AM).split("?")[0], data)
    assert response.status_code == 409
    offered = slot_urls(response)
    assert offered and all(f"provider={provider.pk}" in url for url in offered)
    assert f"provider={other.pk}" not in html(response)


def test_off_grid_start_is_not_offered(patient_client, provider, phone_type) -> None:
    response = patient_client.get(confirm_url(provider, WEDNESDAY_10AM + dt.timedelta(minutes=7)))
    assert response.status_code == 409
    assert b"not available" in response.content


def test_off_grid_start_post_books_nothing(patient_client, provider, phone_type) -> None:
    data = confirm_form(patient_client, provider, WEDNESDAY_10AM)
    data["start"] = slot_param(WEDNESDAY_10AM + dt.timedelta(minutes=7))
    response = patient_client.post(confirm_url(provider, WEDNESDAY_10AM).split("?")[0], data)
    assert response.status_code == 409
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (NOW - dt.timedelta(days=1), "already passed"),
        ("garbage", "not valid"),
        ("2026-03-04T15:00", "not valid"),  # naive
    ],
)
def test_past_or_malformed_start_gets_a_clear_400(patient_client, provider, phone_type, start, message) -> None:
    start = slot_param(start) if isinstance(start, dt.datetime) else start
    url = reverse("scheduling:book-confirm", args=["phone-consultation"])
    response = patient_client.get(f"{url}?provider={provider.pk}&start={start}")
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("provider_id", ["999999", "abc"])
def test_tampered_provider_gets_a_clear_400(patient_client, provider, phone_type, provider_id) -> None:
    url = reverse("scheduling:book-confirm", args=["phone-consultation"])
    response = patient_client.get(f"{url}?provider={provider_id}&start={slot_param(WEDNESDAY_10AM)}")
    assert response.status_code == 400
    assert b"does not offer" in response.content


def test_provider_of_another_type_is_refused(patient_client, provider, phone_type) -> None:
    stranger = ProviderFactory()
    data = confirm_form(patient_client, provider, WEDNESDAY_10AM)
    data["provider"] = stranger.pk
    response = patient_client.post(confirm_url(provider, WEDNESDAY_10AM).split("?")[0], data)
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_staff_cannot_use_the_patient_booking(client, front_desk, provider, phone_type) -> None:
    client.force_login(front_desk)
    assert client.get(confirm_url(provider, WEDNESDAY_10AM)).status_code == 403


def test_confirm_rejects_put(patient_client, phone_type) -> None:
    assert patient_client.put(reverse("scheduling:book-confirm", args=["phone-consultation"])).status_code == 405


# --- Rate limits ------------------------------------------------------------------------------------


def test_booking_post_is_rate_limited_per_email(patient_client, provider, phone_type, settings) -> None:
    settings.BOOKING_RATE_LIMITS = {"ip": (100, 3600), "email": (1, 3600)}
    url = confirm_url(provider, WEDNESDAY_10AM).split("?")[0]
    patient_client.post(url, confirm_form(patient_client, provider, WEDNESDAY_10AM))
    response = patient_client.post(url, confirm_form(patient_client, provider, THURSDAY_11AM))
    assert response.status_code == 429
    assert Appointment.objects.count() == 1


def test_booking_post_is_rate_limited_per_ip(client, provider, phone_type, settings) -> None:
    settings.BOOKING_RATE_LIMITS = {"ip": (1, 3600), "email": (100, 3600)}
    url = confirm_url(provider, WEDNESDAY_10AM).split("?")[0]
    as_visitor(client)
    client.post(url, confirm_form(client, provider, WEDNESDAY_10AM))
    as_visitor(client)
    session = client.session
    session["scheduling_visitor"]["email"] = "someone.else@example.com"
    session.save()
    response = client.post(url, confirm_form(client, provider, THURSDAY_11AM))
    assert response.status_code == 429


def test_retries_of_one_booking_count_once(patient_client, provider, phone_type, settings) -> None:
    settings.BOOKING_RATE_LIMITS = {"ip": (3, 3600), "email": (2, 3600)}
    url = confirm_url(provider, WEDNESDAY_10AM).split("?")[0]
    data = confirm_form(patient_client, provider, WEDNESDAY_10AM)
    responses = [patient_client.post(url, data) for _ in range(10)]  # the same POST again and again
    assert {response.status_code for response in responses} == {302}
    assert Appointment.objects.count() == 1
    second = patient_client.post(url, confirm_form(patient_client, provider, THURSDAY_11AM))
    assert second.status_code == 302  # a second, distinct booking is the second one counted
    third = confirm_form(patient_client, provider, THURSDAY_11AM + dt.timedelta(hours=1))
    assert patient_client.post(url, third).status_code == 429
    assert patient_client.post(url, third).status_code == 429  # and its retry is refused the same way


def test_booking_limit_per_ip_is_per_client_behind_the_proxy(client, provider, phone_type, settings) -> None:
    settings.TRUSTED_PROXIES = 1
    settings.BOOKING_RATE_LIMITS = {"ip": (1, 3600), "email": (100, 3600)}
    url = confirm_url(provider, WEDNESDAY_10AM).split("?")[0]
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    as_visitor(client)
    first = client.post(
        url, confirm_form(client, provider, WEDNESDAY_10AM), HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy
    )
    assert first.status_code == 302
    other = as_visitor(Client())
    session = other.session
    session["scheduling_visitor"]["email"] = "someone.else@example.com"
    session.save()
    data = confirm_form(other, provider, THURSDAY_11AM)
    assert other.post(url, data, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 302
    again = confirm_form(other, provider, THURSDAY_11AM + dt.timedelta(hours=1))
    assert other.post(url, again, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 429


def test_cache_outage_does_not_block_booking(patient_client, provider, phone_type) -> None:
    data = confirm_form(patient_client, provider, WEDNESDAY_10AM)
    with mock.patch("clinic.lib.ratelimit.cache.add", side_effect=ConnectionError("redis down")):
        response = patient_client.post(confirm_url(provider, WEDNESDAY_10AM).split("?")[0], data)
    assert response.status_code == 302
    assert Appointment.objects.count() == 1


def test_picker_query_count_does_not_grow(client, provider, phone_type) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.scheduling.view_fixtures import make_appointments

    path = pick_url(tz="America/New_York", month="2026-03", date="2026-03-03")
    make_appointments(2, provider=provider, appointment_type=phone_type)
    client.get(path)
    with CaptureQueriesContext(connection) as small:
        client.get(path)
    later = dt.datetime(2026, 3, 3, 15, tzinfo=dt.UTC)
    make_appointments(12, provider=provider, appointment_type=phone_type, start=later)
    with CaptureQueriesContext(connection) as large:
        response = client.get(path)
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_booked_page_of_another_patient_is_404(client, other_patient, appointment) -> None:
    client.force_login(other_patient.user)
    assert client.get(reverse("scheduling:book-done", args=[appointment.pk])).status_code == 404


def test_booked_page_for_its_owner(patient_client, appointment) -> None:
    response = patient_client.get(reverse("scheduling:book-done", args=[appointment.pk]))
    assert response.status_code == 200
    assert b"You are booked" in response.content


def test_details_step_shows_the_chosen_time_and_clinician_with_a_way_back(client, provider, frozen) -> None:
    url = reverse("scheduling:book-details", args=["phone-consultation"])
    page = client.get(f"{url}?provider={provider.pk}&start={slot_param(WEDNESDAY_10AM)}&tz=America/Los_Angeles")
    content = page.content.decode()
    assert page.status_code == 200
    assert "Wednesday, March 4, 2026 at 7:00 AM" in content and "(Pacific Time – Los Angeles)" in content
    assert "Clinic time: Wednesday, March 4 at 10:00 AM (Eastern Time – New York)" in content
    assert provider.display_name in content
    assert ">Choose another time</a>" in content
    assert client.get(f"{url}?provider={provider.pk}&start=nonsense").status_code == 400


def test_the_faulttest_visitors_find_the_times_a_day_page_offers(client, provider, phone_type) -> None:
    # `make faulttest` books through these pages: since the times became buttons in GET forms, a visitor that looked
    # for links found none and every booking of the run failed with "no open time found".
    from tools.faulttest.visitors import slot_links

    day = client.get(pick_url(tz="America/New_York", date="2026-03-04"))
    offered = slot_urls(day)
    assert offered and slot_links(day.content.decode()) == offered
    response = client.get(offered[0])
    assert response.status_code == 302 and "details" in response["Location"]
