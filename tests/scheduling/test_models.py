from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from scheduling.models import Appointment, ReminderSettings
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, ProviderFactory

START = dt.datetime(2026, 3, 9, 15, tzinfo=dt.UTC)


@pytest.fixture
def buffered_type(db):
    return AppointmentTypeFactory(
        duration=dt.timedelta(minutes=60), buffer_before=dt.timedelta(minutes=10), buffer_after=dt.timedelta(minutes=15)
    )


def test_save_keeps_buffered_bounds_in_step(buffered_type) -> None:
    appointment = AppointmentFactory(appointment_type=buffered_type, start=START)
    assert appointment.blocked_start == START - dt.timedelta(minutes=10)
    assert appointment.blocked_end == START + dt.timedelta(minutes=75)

    appointment.start += dt.timedelta(hours=1)
    appointment.end += dt.timedelta(hours=1)
    appointment.save(update_fields=["start", "end"])
    appointment.refresh_from_db()
    assert appointment.blocked_start == START + dt.timedelta(minutes=50)


def test_end_must_follow_start(buffered_type) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(appointment_type=buffered_type, start=START, end=START)


def test_cancelled_needs_a_time(buffered_type) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(appointment_type=buffered_type, start=START, status=Appointment.Status.CANCELLED)


@pytest.mark.postgres
def test_database_refuses_overlap_including_buffers(db, buffered_type) -> None:
    provider = ProviderFactory()
    AppointmentFactory(appointment_type=buffered_type, provider=provider, start=START)
    # Starts 20 minutes after the first one ends: clear of its end, but inside its 15 + 10 minutes of buffers.
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(appointment_type=buffered_type, provider=provider, start=START + dt.timedelta(minutes=80))
    # 25 minutes after: the buffers just touch, which is allowed (half-open ranges).
    AppointmentFactory(appointment_type=buffered_type, provider=provider, start=START + dt.timedelta(minutes=85))
    assert Appointment.objects.count() == 2


@pytest.mark.postgres
def test_pending_blocks_but_cancelled_and_other_providers_do_not(db, buffered_type) -> None:
    provider = ProviderFactory()
    AppointmentFactory(appointment_type=buffered_type, provider=provider, start=START, status="pending")
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(appointment_type=buffered_type, provider=provider, start=START)
    AppointmentFactory(appointment_type=buffered_type, provider=ProviderFactory(), start=START)
    AppointmentFactory(
        appointment_type=buffered_type,
        provider=provider,
        start=START,
        status=Appointment.Status.CANCELLED,
        cancelled_at=START,
    )
    assert Appointment.objects.count() == 3


def test_reminder_settings_default_to_24_and_2_hours(db) -> None:
    offsets = ReminderSettings.load().offsets
    assert offsets == [dt.timedelta(hours=24), dt.timedelta(hours=2)]


def test_history_is_kept(buffered_type) -> None:
    appointment = AppointmentFactory(appointment_type=buffered_type, start=START)
    appointment.staff_notes = "Prefers mornings"
    appointment.save()
    assert appointment.history.count() == 2


def test_demo_seed_is_idempotent(db) -> None:
    import io

    from clinic import demo as clinic_demo
    from scheduling import demo
    from scheduling.models import AppointmentType, Provider

    clinic_demo.seed()
    demo.seed(stdout=io.StringIO())
    counts = (Provider.objects.count(), AppointmentType.objects.count(), Appointment.objects.count())
    demo.seed(stdout=io.StringIO())
    assert (Provider.objects.count(), AppointmentType.objects.count(), Appointment.objects.count()) == counts
    assert counts[:2] == (2, 2)
    assert counts[2] >= 1
    assert set(AppointmentType.objects.values_list("slug", flat=True)) == {
        "phone-consultation",
        "consultation-assessment",
    }
    assert AppointmentType.objects.get(slug="consultation-assessment").requires_screening


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed", "denied"),
    [
        ("front_desk", ["add_appointment", "change_appointment", "add_timeblock", "view_provider"], ["add_provider"]),
        ("nurse", ["view_appointment", "change_appointment"], ["add_appointment", "add_timeblock"]),
        ("clinician", ["view_appointment", "change_appointment", "view_provider"], ["add_timeblock"]),
        ("clinic_admin", ["add_provider", "change_appointmenttype", "add_weeklyhours", "change_remindersettings"], []),
    ],
)
def test_role_permissions(request, role, allowed, denied) -> None:
    user = request.getfixturevalue(role)
    for codename in allowed:
        assert user.has_perm(f"scheduling.{codename}"), codename
    for codename in denied:
        assert not user.has_perm(f"scheduling.{codename}"), codename


ADMIN_MODELS = [
    "provider",
    "appointmenttype",
    "weeklyhours",
    "availabilityexception",
    "clinicclosure",
    "timeblock",
    "remindersettings",
    "appointment",
]


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_admin_pages_render_for_the_clinic_admin(model, clinic_admin, staff_client_for) -> None:
    from django.urls import reverse

    from tests.scheduling.factories import (
        AvailabilityExceptionFactory,
        ClinicClosureFactory,
        TimeBlockFactory,
        WeeklyHoursFactory,
    )

    appointment = AppointmentFactory(start=START)
    WeeklyHoursFactory(provider=appointment.provider)
    AvailabilityExceptionFactory(provider=appointment.provider)
    ClinicClosureFactory()
    TimeBlockFactory(provider=appointment.provider)
    ReminderSettings.load()
    clinic_admin.is_staff = True
    clinic_admin.save()
    client = staff_client_for(clinic_admin)
    changelist = client.get(reverse(f"admin:scheduling_{model}_changelist"), {"q": "x"})
    assert changelist.status_code == 200
    obj = {"appointment": appointment, "provider": appointment.provider}.get(model)
    if obj is not None:
        assert client.get(reverse(f"admin:scheduling_{model}_change", args=[obj.pk])).status_code == 200


def test_appointments_cannot_be_added_or_deleted_in_admin(clinic_admin, staff_client_for) -> None:
    from django.urls import reverse

    appointment = AppointmentFactory(start=START)
    client = staff_client_for(clinic_admin)
    assert client.get(reverse("admin:scheduling_appointment_add")).status_code == 403
    assert client.get(reverse("admin:scheduling_appointment_delete", args=[appointment.pk])).status_code == 403


def test_admin_edits_staff_notes_only_and_keeps_history(clinic_admin, staff_client_for) -> None:
    from django.urls import reverse

    appointment = AppointmentFactory(start=START)
    client = staff_client_for(clinic_admin)
    url = reverse("admin:scheduling_appointment_change", args=[appointment.pk])
    response = client.post(url, {"staff_notes": "Prefers a call after 4 pm", "status": "cancelled"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.staff_notes == "Prefers a call after 4 pm"
    assert appointment.status == Appointment.Status.CONFIRMED  # read-only in admin
    assert appointment.history.first().history_user == clinic_admin


def test_a_save_without_new_times_keeps_the_booked_bounds(buffered_type) -> None:
    appointment = AppointmentFactory(appointment_type=buffered_type, start=START)
    buffered_type.buffer_after = dt.timedelta(hours=3)
    buffered_type.save()
    appointment.staff_notes = "Wheelchair access"
    appointment.save(update_fields=["staff_notes", "updated_at"])
    appointment.refresh_from_db()
    assert appointment.blocked_end == START + dt.timedelta(minutes=75)
