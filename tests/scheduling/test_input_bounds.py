"""Issue 12, findings 4 and 5: inputs that gave a 500, and the far-future time block. Each failed before its fix.

Production-like: pytest-django runs with DEBUG off, and the test client re-raises any server error.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from education.models import Article
from scheduling.models import AppointmentType, TimeBlock
from tests.factories import StaffFactory, give_backup_code
from tests.scheduling import view_fixtures
from tests.scheduling.factories import AppointmentTypeFactory

pytestmark = pytest.mark.django_db
appointment = view_fixtures.appointment
frozen = view_fixtures.frozen

HOSTILE_STARTS = ["0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00", "2027-08-01T10:00-23:59"]


@pytest.fixture
def superuser_client(staff_client_for) -> Client:
    return staff_client_for(StaffFactory(is_superuser=True))


# --- Finding 5 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["\x00", "knee\x00pain", "a\x00" * 300])
def test_search_with_a_nul_byte_answers(anon_client, q) -> None:
    assert anon_client.get(reverse("education:search"), {"q": q}).status_code == 200


@pytest.mark.parametrize("start", HOSTILE_STARTS)
def test_every_slot_confirm_page_refuses_out_of_range_starts(
    start, frozen, anon_client, patient_client, appointment, phone_type, provider, staff_client_for, front_desk
) -> None:
    from scheduling.links import manage_token

    desk = staff_client_for(front_desk)
    params = {"provider": provider.pk, "start": start}
    pages = [
        (anon_client, reverse("scheduling:book-confirm", args=[phone_type.slug])),
        (patient_client, reverse("scheduling:appointment-reschedule-confirm", args=[appointment.pk])),
        (anon_client, reverse("scheduling:manage-reschedule-confirm", args=[manage_token(appointment)])),
        (desk, reverse("scheduling:staff-book-confirm", args=[appointment.patient.pk]) + f"?type={phone_type.slug}"),
    ]
    for client, url in pages:
        response = client.get(url, params)
        assert response.status_code in (200, 302, 400), url
        response = client.post(url, {**params, "idempotency_key": "d9a4e1c6-52b4-4d7e-9c38-2f1c1a0c0b11"})
        assert response.status_code in (200, 302, 400), url


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("view", ["day", "week"])
def test_calendar_clamps_far_dates(staff_client_for, front_desk, date, view) -> None:
    response = staff_client_for(front_desk).get(reverse("scheduling:staff-calendar"), {"date": date, "view": view})
    assert response.status_code == 200


@pytest.mark.parametrize("next_url", ["foo", "\ufffd", "staff", "javascript:alert(1)", "//evil.example/"])
def test_welcome_with_a_bad_next_goes_home(patient_client, next_url) -> None:
    response = patient_client.get(reverse("clinic:after-login"), {"next": next_url})
    assert response.status_code == 302
    assert response.url == reverse("scheduling:portal-home")


def test_welcome_with_invalid_utf8_next_goes_home(patient_client) -> None:
    response = patient_client.get(reverse("clinic:after-login") + "?next=%ff%fe")
    assert response.status_code == 302


def test_second_factor_with_a_bad_next_verifies_the_session(front_desk) -> None:
    client = Client()
    client.force_login(front_desk)
    code = give_backup_code(front_desk)
    response = client.post(reverse("clinic:two-factor") + "?next=foo", {"token": code, "next": "foo"})
    assert response.status_code == 302
    assert response.url == reverse("clinic:after-login")
    assert client.get(reverse("scheduling:staff-home")).status_code == 200  # verified


def test_second_factor_keeps_a_safe_next(front_desk) -> None:
    client = Client()
    client.force_login(front_desk)
    response = client.post(reverse("clinic:two-factor"), {"token": give_backup_code(front_desk), "next": "/staff/"})
    assert response.url == "/staff/"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-04T10:00", "2027-08-01T10:00-23:59"),
        ("2026-03-04T10:00", "9999-12-31T23:59"),
        ("0001-01-01T00:00+14:00", "2026-03-04T10:00"),
        ("2026-03-04T10:00", "2026-09-04T10:00"),  # longer than 90 days
    ],
)
def test_block_time_refuses_out_of_range_times(staff_client_for, front_desk, provider, frozen, start, end) -> None:
    data = {"provider": provider.pk, "start": start, "end": end, "reason": "Meeting"}
    response = staff_client_for(front_desk).post(reverse("scheduling:staff-block-time"), data)
    assert response.status_code == 200
    assert not TimeBlock.objects.exists()


@pytest.mark.parametrize("end", ["2027-08-01 10:00", "9999-12-31 23:59", "2026-06-30 10:00"])
def test_admin_time_block_refuses_out_of_range_ends(superuser_client, provider, frozen, end) -> None:
    day, time = end.split()
    data = {"provider": provider.pk, "start_0": "2026-03-04", "start_1": "10:00", "end_0": day, "end_1": time}
    response = superuser_client.post(reverse("admin:scheduling_timeblock_add"), data)
    assert response.status_code == 200
    assert not TimeBlock.objects.exists()


def test_time_block_within_the_bounds_is_accepted(staff_client_for, front_desk, provider, frozen) -> None:
    data = {"provider": provider.pk, "start": "2026-05-01T09:00", "end": "2026-05-20T17:00", "reason": "Leave"}
    response = staff_client_for(front_desk).post(reverse("scheduling:staff-block-time"), data)
    assert response.status_code == 302
    assert TimeBlock.objects.count() == 1


def test_time_block_rule_ends_within_the_horizon_plus_a_year(frozen) -> None:
    from scheduling.models import validate_time_block

    AppointmentTypeFactory(booking_horizon=dt.timedelta(days=60))
    latest = dt.datetime(2026, 3, 2, 14, tzinfo=dt.UTC) + dt.timedelta(days=60 + 365)  # NOW + horizon + a year
    validate_time_block(start=latest - dt.timedelta(days=5), end=latest)
    with pytest.raises(ValidationError):
        validate_time_block(start=latest - dt.timedelta(days=5), end=latest + dt.timedelta(minutes=1))


def test_long_import_file_name_imports(superuser_client) -> None:
    name = "a-very-long-file-name-" + "x" * 150 + ".txt"
    upload = SimpleUploadedFile(name, b"Old post title\n\nA real paragraph here.\n")
    response = superuser_client.post(reverse("admin:education_article_import"), {"file": upload})
    assert response.status_code == 302
    assert Article.objects.get().history.first().history_change_reason.endswith("…")


@pytest.mark.parametrize("interval", ["0.5", "00:04:59", "00:07:30", "-00:15:00", "0"])
def test_admin_refuses_slot_intervals_that_are_not_whole_minutes_of_at_least_5(superuser_client, interval) -> None:
    kind = AppointmentTypeFactory()
    url = reverse("admin:scheduling_appointmenttype_change", args=[kind.pk])
    data = {
        "name": kind.name,
        "slug": kind.slug,
        "price": "",
        "description": "",
        "active": "on",
        "display_order": 0,
        "duration": "00:15:00",
        "slot_interval": interval,
        "buffer_before": "0",
        "buffer_after": "0",
        "location_kind": "phone",
        "minimum_notice": "02:00:00",
        "booking_horizon": "60 00:00:00",
        "change_cutoff": "1 00:00:00",
    }
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "slot_interval" in response.context["adminform"].form.errors
    data["slot_interval"] = "00:20:00"
    assert superuser_client.post(url, data).status_code == 302


@pytest.mark.parametrize("seconds", [0.5, 299, 450])
def test_database_refuses_slot_intervals_that_are_not_whole_minutes_of_at_least_5(seconds) -> None:
    kind = AppointmentTypeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentType.objects.filter(pk=kind.pk).update(slot_interval=dt.timedelta(seconds=seconds))


# --- Finding 4: a stored far-future block ----------------------------------------------------------


@pytest.mark.postgres
def test_database_refuses_a_year_10000_block(provider) -> None:
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO scheduling_timeblock (provider_id, start, "end", reason, created_at) '
            "VALUES (%s, '2026-03-04T10:00Z', '9999-12-31T23:59-05:00', 'x', now())",
            [provider.pk],
        )


@pytest.mark.postgres
def test_migration_clips_a_stored_year_10000_block_and_the_pages_work(provider, superuser_client, frozen) -> None:
    import importlib

    migration = importlib.import_module("scheduling.migrations.0010_bounded_times_and_intervals")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE scheduling_timeblock DROP CONSTRAINT sched_block_storable")
        cursor.execute(
            'INSERT INTO scheduling_timeblock (provider_id, start, "end", reason, created_at) '
            "VALUES (%s, '2026-03-04T10:00Z', '9999-12-31T23:59-05:00', 'x', now())",
            [provider.pk],
        )
    with connection.schema_editor() as editor:
        migration.clip_unloadable_blocks(None, editor)
    block = TimeBlock.objects.get()
    assert block.end - block.start == dt.timedelta(days=90)
    assert superuser_client.get(reverse("scheduling:staff-calendar"), {"date": "2026-03-05"}).status_code == 200
    assert superuser_client.get(reverse("admin:scheduling_timeblock_changelist")).status_code == 200
    assert superuser_client.get(reverse("admin:scheduling_timeblock_change", args=[block.pk])).status_code == 200
