"""One button per time: "first available clinician", assigned fairly at confirmation (issue 11, section 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from scheduling import services
from scheduling.exceptions import SlotUnavailable
from scheduling.models import Appointment
from scheduling.selectors import providers_free_at
from tests.factories import PatientFactory
from tests.scheduling import view_fixtures
from tests.scheduling.factories import AppointmentFactory, provider_with_hours
from tests.scheduling.view_fixtures import WEDNESDAY_10AM, slot_param, slot_urls

frozen = view_fixtures.frozen
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def two(phone_type):
    """Two clinicians with the same hours: Dr. Avery and Dr. Blake."""
    return (
        provider_with_hours(phone_type, display_name="Dr. Avery"),
        provider_with_hours(phone_type, display_name="Dr. Blake"),
    )


def _pick(client, **params):
    url = reverse("scheduling:book-pick", args=["phone-consultation"])
    return client.get(url, {"tz": "America/New_York", "month": "2026-03", "date": "2026-03-04", **params})


def test_each_time_is_offered_once_for_the_first_available_clinician(client, two) -> None:
    response = _pick(client)
    urls = slot_urls(response)
    assert len(urls) == len(set(urls))
    assert all("provider=" not in url for url in urls)
    assert f"start={slot_param(WEDNESDAY_10AM)}" in " ".join(urls)
    content = response.content.decode()
    assert "Each time is with the first available clinician." in content
    assert content.lower().count("first available clinician") == 2  # said once above the times, once in the select
    assert '<option value="">First available clinician</option>' in content


def test_a_patient_can_still_choose_a_clinician(client, two) -> None:
    blake = two[1]
    response = _pick(client, provider=blake.pk)
    assert all(f"provider={blake.pk}" in url for url in slot_urls(response))
    content = response.content.decode()
    assert f'<option value="{blake.pk}" selected>' in content
    assert f"Each time is with {blake.display_name}." in content


def test_the_clinician_with_fewer_bookings_that_day_comes_first(two) -> None:
    avery, blake = two
    AppointmentFactory(provider=avery, start=WEDNESDAY_10AM + dt.timedelta(hours=2))
    assert providers_free_at(appointment_type=avery.appointment_types.get(), start=WEDNESDAY_10AM) == [blake, avery]
    AppointmentFactory(provider=blake, start=WEDNESDAY_10AM + dt.timedelta(hours=3))
    assert providers_free_at(appointment_type=avery.appointment_types.get(), start=WEDNESDAY_10AM) == [avery, blake]


def test_first_available_books_the_next_clinician_when_one_was_just_taken(two, phone_type) -> None:
    avery, blake = two
    patient = PatientFactory()

    def book(provider):
        if provider == avery:  # taken a moment after the list was made
            AppointmentFactory(provider=avery, appointment_type=phone_type, start=WEDNESDAY_10AM)
        return services.book_appointment(
            patient=patient, provider=provider, appointment_type=phone_type, start=WEDNESDAY_10AM
        )

    appointment = services.book_first_available(appointment_type=phone_type, start=WEDNESDAY_10AM, book=book)
    assert appointment.provider == blake
    assert Appointment.objects.filter(start=WEDNESDAY_10AM).count() == 2  # never two for one clinician


def test_first_available_refuses_when_everyone_is_taken(two, phone_type) -> None:
    for provider in two:
        AppointmentFactory(provider=provider, appointment_type=phone_type, start=WEDNESDAY_10AM)
    with pytest.raises(SlotUnavailable):
        services.book_first_available(appointment_type=phone_type, start=WEDNESDAY_10AM, book=lambda p: None)


def test_the_page_books_the_first_available_clinician(patient_client, patient, two) -> None:
    url = reverse("scheduling:book-confirm", args=["phone-consultation"])
    page = patient_client.get(f"{url}?start={slot_param(WEDNESDAY_10AM)}&tz=America/New_York")
    assert "The first available clinician" in page.content.decode()
    key = page.context["form"]["idempotency_key"].value()
    response = patient_client.post(
        url, {"start": slot_param(WEDNESDAY_10AM), "idempotency_key": key, "tz": "America/New_York"}
    )
    assert response.status_code == 302
    assert Appointment.objects.get(patient=patient).provider == two[0]  # equal bookings: by name
    for provider in two:
        AppointmentFactory(provider=provider, start=WEDNESDAY_10AM + dt.timedelta(minutes=30))
    taken = patient_client.get(f"{url}?start={slot_param(WEDNESDAY_10AM + dt.timedelta(minutes=30))}")
    assert taken.status_code == 409
