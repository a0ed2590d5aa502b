"""Phone bookings inside the online minimum notice (issue 11): ``book_appointment(allow_short_notice=True)``, the
``scheduling.book_short_notice`` permission, and what the staff booking screens offer with and without it."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scheduling import selectors, services
from scheduling.exceptions import InvalidSlot, SlotUnavailable
from scheduling.models import Appointment, AppointmentType, Provider
from tests.factories import PatientFactory, StaffFactory
from tests.scheduling import view_fixtures
from tests.scheduling.factories import (
    AppointmentFactory,
    AppointmentTypeFactory,
    AvailabilityExceptionFactory,
    TimeBlockFactory,
    provider_with_hours,
)
from tests.scheduling.view_fixtures import NOW, WEDNESDAY_10AM, slot_param, slot_urls

frozen = view_fixtures.frozen
pytestmark = pytest.mark.usefixtures("frozen")

# NOW is Monday 2 March 2026, 9 am in New York; providers work 9-17 on weekdays. With 24 hours' notice, the rest of
# Monday is inside the notice and Tuesday, from 9 am, outside it.
MONDAY_1PM = dt.datetime(2026, 3, 2, 18, tzinfo=dt.UTC)
TUESDAY_10AM = dt.datetime(2026, 3, 3, 15, tzinfo=dt.UTC)  # just outside the notice
TODAY = "date=2026-03-02&month=2026-03"


@pytest.fixture
def notice_type(db) -> AppointmentType:
    return AppointmentTypeFactory(slug="assessment", name="Assessment", minimum_notice=dt.timedelta(hours=24))


@pytest.fixture
def notice_provider(notice_type: AppointmentType) -> Provider:
    return provider_with_hours(notice_type)


def _book(patient, provider, appointment_type, start, **kwargs) -> Appointment:
    return services.book_appointment(
        patient=patient, provider=provider, appointment_type=appointment_type, start=start, **kwargs
    )


def staff_with(*codenames: str):
    """A staff member holding exactly these scheduling permissions (no role)."""
    user = StaffFactory()
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="scheduling", codename__in=["view_appointment", *codenames])
    )
    return user


# --- The selector: one rule, one place --------------------------------------------------------------


def test_online_times_keep_the_notice_and_staff_times_add_the_ones_inside_it(notice_type, notice_provider) -> None:
    args = {"appointment_type": notice_type, "start_date": dt.date(2026, 3, 2), "end_date": dt.date(2026, 3, 4)}
    online = selectors.available_slots(**args)
    staff = selectors.available_slots(**args, allow_short_notice=True)
    notice_ends = NOW + notice_type.minimum_notice
    assert online[0].start == notice_ends  # Tuesday 9 am
    assert not any(slot.short_notice for slot in online)
    inside = [slot for slot in staff if slot.short_notice]
    assert inside[0].start == NOW + dt.timedelta(minutes=15)  # still to come: not 9 am itself
    assert all(slot.start < notice_ends for slot in inside)
    # Nothing else relaxed: outside the notice, the same times exactly.
    assert [slot for slot in staff if not slot.short_notice] == online


def test_a_slot_at_this_very_moment_is_never_offered(notice_type, notice_provider) -> None:
    starts = [
        slot.start
        for slot in selectors.available_slots(
            appointment_type=notice_type,
            start_date=dt.date(2026, 3, 2),
            end_date=dt.date(2026, 3, 2),
            allow_short_notice=True,
        )
    ]
    assert NOW not in starts


def test_slot_at_says_whether_a_time_is_inside_the_notice(notice_type, notice_provider) -> None:
    def at(start, **kwargs):
        return selectors.slot_at(appointment_type=notice_type, provider=notice_provider, start=start, **kwargs)

    assert at(MONDAY_1PM) is None
    assert at(MONDAY_1PM, allow_short_notice=True).short_notice is True
    assert at(TUESDAY_10AM).short_notice is False
    assert at(TUESDAY_10AM, allow_short_notice=True).short_notice is False


def test_the_notice_in_words(notice_type) -> None:
    cases = {
        dt.timedelta(hours=24): "24 hours",
        dt.timedelta(hours=1): "1 hour",
        dt.timedelta(minutes=90): "90 minutes",
        dt.timedelta(days=3): "3 days",
        dt.timedelta(days=2): "48 hours",
        dt.timedelta(seconds=30): "1 minute",
    }
    for notice, words in cases.items():
        notice_type.minimum_notice = notice
        assert notice_type.minimum_notice_label == words


# --- The service ------------------------------------------------------------------------------------


def test_inside_the_notice_without_the_flag_is_refused(patient, notice_type, notice_provider) -> None:
    with pytest.raises(InvalidSlot):
        _book(patient, notice_provider, notice_type, MONDAY_1PM)
    assert not Appointment.objects.exists()


def test_inside_the_notice_with_the_flag_books_and_records_it(
    patient, front_desk, notice_type, notice_provider
) -> None:
    appointment = _book(
        patient, notice_provider, notice_type, MONDAY_1PM, booked_by=front_desk, allow_short_notice=True
    )
    appointment.refresh_from_db()
    assert appointment.short_notice is True
    assert appointment.booked_by == front_desk
    assert appointment.history.first().short_notice is True


def test_the_flag_outside_the_notice_records_nothing(patient, front_desk, notice_type, notice_provider) -> None:
    appointment = _book(
        patient, notice_provider, notice_type, TUESDAY_10AM, booked_by=front_desk, allow_short_notice=True
    )
    assert appointment.short_notice is False


def test_a_patient_online_booking_is_never_short_notice(patient, notice_type, notice_provider) -> None:
    assert _book(patient, notice_provider, notice_type, TUESDAY_10AM).short_notice is False


@pytest.mark.parametrize(
    ("start", "error"),
    [
        (dt.datetime(2026, 3, 2, 13, 45, tzinfo=dt.UTC), InvalidSlot),  # 8:45 am: before the provider's hours
        (dt.datetime(2026, 3, 2, 23, tzinfo=dt.UTC), InvalidSlot),  # 6 pm: after them
        (dt.datetime(2026, 3, 2, 18, 5, tzinfo=dt.UTC), InvalidSlot),  # 1:05 pm: off the slot grid
        (NOW, InvalidSlot),  # this very moment: already passed
        (NOW - dt.timedelta(hours=1), InvalidSlot),  # the past
        (NOW + dt.timedelta(days=70), InvalidSlot),  # beyond the 60-day booking horizon
    ],
)
def test_nothing_else_is_relaxed(patient, notice_type, notice_provider, start, error) -> None:
    with pytest.raises(error):
        _book(patient, notice_provider, notice_type, start, allow_short_notice=True)
    assert not Appointment.objects.exists()


def test_a_taken_or_blocked_time_inside_the_notice_is_still_taken(patient, notice_type, notice_provider) -> None:
    AppointmentFactory(provider=notice_provider, appointment_type=notice_type, start=MONDAY_1PM)
    with pytest.raises(SlotUnavailable) as taken:
        _book(patient, notice_provider, notice_type, MONDAY_1PM, allow_short_notice=True)
    assert not isinstance(taken.value, InvalidSlot)  # taken, so the page offers the nearest times
    TimeBlockFactory(provider=notice_provider, start=MONDAY_1PM + dt.timedelta(hours=1))
    with pytest.raises(SlotUnavailable):
        _book(patient, notice_provider, notice_type, MONDAY_1PM + dt.timedelta(hours=1), allow_short_notice=True)
    assert Appointment.objects.count() == 1


def test_a_day_off_inside_the_notice_stays_off(patient, notice_type, notice_provider) -> None:
    AvailabilityExceptionFactory(provider=notice_provider, date=dt.date(2026, 3, 2))
    with pytest.raises(InvalidSlot):
        _book(patient, notice_provider, notice_type, MONDAY_1PM, allow_short_notice=True)


def test_idempotency_is_unchanged(patient, front_desk, notice_type, notice_provider) -> None:
    first = _book(
        patient, notice_provider, notice_type, MONDAY_1PM, booked_by=front_desk, allow_short_notice=True,
        idempotency_key="phone-1",
    )  # fmt: skip
    again = _book(
        patient, notice_provider, notice_type, MONDAY_1PM, booked_by=front_desk, allow_short_notice=True,
        idempotency_key="phone-1",
    )  # fmt: skip
    assert again.pk == first.pk
    assert Appointment.objects.count() == 1


def test_a_move_clears_the_record_and_the_history_keeps_it(patient, front_desk, notice_type, notice_provider) -> None:
    appointment = _book(
        patient, notice_provider, notice_type, MONDAY_1PM, booked_by=front_desk, allow_short_notice=True
    )
    moved = services.appointment_reschedule(appointment=appointment, new_start=WEDNESDAY_10AM, by=front_desk)
    assert moved.short_notice is False
    assert moved.history.order_by("history_date").values_list("short_notice", flat=True).first() is True


def test_a_move_stays_outside_the_notice(patient, front_desk, notice_type, notice_provider) -> None:
    appointment = _book(patient, notice_provider, notice_type, WEDNESDAY_10AM, booked_by=front_desk)
    with pytest.raises(InvalidSlot):
        services.appointment_reschedule(appointment=appointment, new_start=MONDAY_1PM, by=front_desk)


# --- The staff booking screens ----------------------------------------------------------------------


def _pick(client, patient, appointment_type, query: str = TODAY):
    url = reverse("scheduling:staff-book-pick", args=[patient.pk])
    return client.get(f"{url}?type={appointment_type.slug}&{query}")


def _confirm_url(patient) -> str:
    return reverse("scheduling:staff-book-confirm", args=[patient.pk])


def _post(client, patient, appointment_type, provider, start, **extra):
    data = {
        "type": appointment_type.slug,
        "provider": provider.pk,
        "start": slot_param(start),
        "idempotency_key": str(uuid.uuid4()),
        **extra,
    }
    return client.post(_confirm_url(patient), data)


def test_with_the_permission_the_picker_marks_the_times_inside_the_notice(
    front_desk, staff_client_for, patient, notice_type, notice_provider
) -> None:
    response = _pick(staff_client_for(front_desk), patient, notice_type)
    page = response.content.decode()
    assert response.status_code == 200
    urls = slot_urls(response)
    assert urls and all("short_notice=1" in url for url in urls)  # every time today is inside the notice
    assert page.count('<span class="badge text-bg-warning">Short notice</span>') == len(urls) + 1  # and the key
    assert "sooner than the 24 hours patients must allow when they book online" in page
    tuesday = _pick(staff_client_for(front_desk), patient, notice_type, "date=2026-03-03&month=2026-03")
    assert slot_urls(tuesday) and not any("short_notice" in url for url in slot_urls(tuesday))  # all outside it
    assert b"Short notice" not in tuesday.content


def test_without_the_permission_the_picker_shows_only_the_usual_times(
    staff_client_for, patient, notice_type, notice_provider
) -> None:
    booker = staff_client_for(staff_with("add_appointment"))
    today = _pick(booker, patient, notice_type)
    assert today.status_code == 200
    assert slot_urls(today) == []
    assert b"Short notice" not in today.content
    tuesday = _pick(booker, patient, notice_type, "date=2026-03-03&month=2026-03")
    assert slot_urls(tuesday) and not any("short_notice" in url for url in slot_urls(tuesday))


def test_the_confirm_page_warns_and_the_booking_is_recorded(
    front_desk, staff_client_for, patient, notice_type, notice_provider
) -> None:
    desk = staff_client_for(front_desk)
    query = f"?type={notice_type.slug}&provider={notice_provider.pk}&start={slot_param(MONDAY_1PM)}&short_notice=1"
    confirm = desk.get(_confirm_url(patient) + query)
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Book it at short notice" in page
    assert '<input type="hidden" name="short_notice" value="1">' in page
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    data = {
        "type": notice_type.slug,
        "provider": notice_provider.pk,
        "start": slot_param(MONDAY_1PM),
        "idempotency_key": key,
        "short_notice": "1",
    }
    response = desk.post(_confirm_url(patient), data)
    desk.post(_confirm_url(patient), data)  # a double submit
    booked = Appointment.objects.get()
    assert response["Location"] == reverse("scheduling:staff-appointment-detail", args=[booked.pk])
    assert (booked.short_notice, booked.booked_by, booked.start) == (True, front_desk, MONDAY_1PM)
    detail = desk.get(response["Location"]).content.decode()
    assert "Booked by phone inside the online booking notice, by" in detail
    assert front_desk.email in detail or front_desk.get_full_name() in detail


def test_a_usual_time_confirms_and_books_as_before(
    front_desk, staff_client_for, patient, notice_type, notice_provider
) -> None:
    desk = staff_client_for(front_desk)
    query = f"?type={notice_type.slug}&provider={notice_provider.pk}&start={slot_param(TUESDAY_10AM)}"
    confirm = desk.get(_confirm_url(patient) + query).content.decode()
    assert "Short notice" not in confirm
    assert 'name="short_notice"' not in confirm
    assert _post(desk, patient, notice_type, notice_provider, TUESDAY_10AM).status_code == 302
    assert Appointment.objects.get().short_notice is False
    detail = desk.get(reverse("scheduling:staff-appointment-detail", args=[Appointment.objects.get().pk]))
    assert b"Short notice" not in detail.content


def test_a_time_that_slid_inside_the_notice_is_confirmed_as_short_notice(
    front_desk, staff_client_for, patient, notice_type, notice_provider, frozen
) -> None:
    # Tuesday 9 am was just outside the notice when the front desk chose it; by the confirm page it is inside.
    desk = staff_client_for(front_desk)
    tuesday_9am = NOW + notice_type.minimum_notice
    assert "short_notice=1" not in " ".join(
        slot_urls(_pick(desk, patient, notice_type, "date=2026-03-03&month=2026-03"))
    )
    frozen.move_to(NOW + dt.timedelta(minutes=5))
    query = f"?type={notice_type.slug}&provider={notice_provider.pk}&start={slot_param(tuesday_9am)}"
    confirm = desk.get(_confirm_url(patient) + query).content.decode()
    assert "Book it at short notice" in confirm
    assert '<input type="hidden" name="short_notice" value="1">' in confirm


def test_a_forged_flag_without_the_permission_is_refused(
    staff_client_for, patient, notice_type, notice_provider
) -> None:
    booker = staff_client_for(staff_with("add_appointment"))
    assert _post(booker, patient, notice_type, notice_provider, MONDAY_1PM, short_notice="1").status_code == 403
    assert _post(booker, patient, notice_type, notice_provider, TUESDAY_10AM, short_notice="on").status_code == 403
    query = f"?type={notice_type.slug}&provider={notice_provider.pk}&start={slot_param(MONDAY_1PM)}&short_notice=1"
    assert booker.get(_confirm_url(patient) + query).status_code == 403
    assert not Appointment.objects.exists()
    # Without the flag it is an ordinary booking: the time inside the notice is not open to them.
    refused = _post(booker, patient, notice_type, notice_provider, MONDAY_1PM)
    assert refused.status_code == 409
    assert b"Short notice" not in refused.content
    assert not Appointment.objects.exists()


def test_without_the_flag_even_a_holder_books_no_short_notice(
    front_desk, staff_client_for, patient, notice_type, notice_provider
) -> None:
    # The flag is what the confirm page sends after its warning: without it the time is not booked, and the
    # nearest times offered are marked.
    response = _post(staff_client_for(front_desk), patient, notice_type, notice_provider, MONDAY_1PM)
    assert response.status_code == 409
    assert b"Short notice" in response.content
    assert all("short_notice=1" in url for url in slot_urls(response))
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("role", ["front_desk", "clinician", "clinic_admin"])
def test_each_booking_role_may_book_at_short_notice(
    request, staff_client_for, patient, notice_type, notice_provider, role
) -> None:
    user = request.getfixturevalue(role)
    assert user.has_perm("scheduling.book_short_notice")
    response = _post(staff_client_for(user), patient, notice_type, notice_provider, MONDAY_1PM, short_notice="1")
    assert response.status_code == 302
    assert Appointment.objects.get().short_notice is True


def test_a_nurse_may_not(nurse, staff_client_for, patient, notice_type, notice_provider) -> None:
    assert not nurse.has_perm("scheduling.book_short_notice")
    response = _post(staff_client_for(nurse), patient, notice_type, notice_provider, MONDAY_1PM, short_notice="1")
    assert response.status_code == 403
    assert not Appointment.objects.exists()


def test_patients_and_visitors_are_kept_out(anon_client, patient_client, patient, notice_type, notice_provider) -> None:
    anonymous = _post(anon_client, patient, notice_type, notice_provider, MONDAY_1PM, short_notice="1")
    assert anonymous.status_code == 302
    assert reverse("clinic:login") in anonymous["Location"]
    assert _post(patient_client, patient, notice_type, notice_provider, MONDAY_1PM, short_notice="1").status_code == 403
    assert not Appointment.objects.exists()


def test_the_patient_booking_pages_never_offer_short_notice(patient_client, notice_type, notice_provider) -> None:
    url = reverse("scheduling:book-pick", args=[notice_type.slug])
    response = patient_client.get(f"{url}?{TODAY}")
    assert response.status_code == 200
    assert slot_urls(response) == []
    assert b"Short notice" not in response.content


def test_the_picker_query_count_does_not_grow_with_short_notice_times(
    front_desk, staff_client_for, patient, notice_type, notice_provider
) -> None:
    desk = staff_client_for(front_desk)
    _pick(desk, patient, notice_type)

    def today(count: int, first: dt.datetime) -> None:
        for n in range(count):
            AppointmentFactory(
                patient=PatientFactory(),
                provider=notice_provider,
                appointment_type=notice_type,
                start=first + dt.timedelta(minutes=15 * n),
            )

    today(2, dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as small:
        _pick(desk, patient, notice_type)
    today(12, dt.datetime(2026, 3, 2, 17, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as large:
        response = _pick(desk, patient, notice_type)
    assert b"Short notice" in response.content
    assert len(large.captured_queries) == len(small.captured_queries)


def test_admin_shows_the_record(
    clinic_admin, staff_client_for, patient, front_desk, notice_type, notice_provider
) -> None:
    appointment = _book(
        patient, notice_provider, notice_type, MONDAY_1PM, booked_by=front_desk, allow_short_notice=True
    )
    client = staff_client_for(clinic_admin)
    change = client.get(reverse("admin:scheduling_appointment_change", args=[appointment.pk])).content.decode()
    assert "Short notice" in change
    listing = client.get(reverse("admin:scheduling_appointment_changelist") + "?short_notice__exact=1")
    assert listing.status_code == 200
    assert f"/{appointment.pk}/change/" in listing.content.decode()
