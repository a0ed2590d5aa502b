from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic.models import AccessLog, Patient
from scheduling.models import Appointment, TimeBlock
from tests.scheduling import view_fixtures
from tests.scheduling.factories import AppointmentFactory, AppointmentTypeFactory, TimeBlockFactory
from tests.scheduling.view_fixtures import NOW, THURSDAY_11AM, WEDNESDAY_10AM, make_appointments, slot_param

appointment = view_fixtures.appointment
frozen = view_fixtures.frozen

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def desk(front_desk, staff_client_for):
    return staff_client_for(front_desk)


def detail(appointment: Appointment, name: str = "scheduling:staff-appointment-detail") -> str:
    return reverse(name, args=[appointment.pk])


# --- Access -----------------------------------------------------------------------------------------

STAFF_GET_URLS = [
    ("scheduling:staff-home", False),
    ("scheduling:staff-calendar", False),
    ("scheduling:staff-appointment-detail", True),
    ("scheduling:staff-appointment-cancel", True),
    ("scheduling:staff-block-time", False),
    ("scheduling:staff-book", False),
    ("scheduling:staff-book-new-patient", False),
]


def staff_url(name: str, with_pk: bool, appointment: Appointment) -> str:
    return reverse(name, args=[appointment.pk]) if with_pk else reverse(name)


@pytest.mark.parametrize(("name", "with_pk"), STAFF_GET_URLS)
def test_staff_pages_need_login(anon_client, appointment, name, with_pk) -> None:
    response = anon_client.get(staff_url(name, with_pk, appointment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("clinic:login"))


@pytest.mark.parametrize(("name", "with_pk"), STAFF_GET_URLS)
def test_patients_get_403_on_staff_pages(patient_client, appointment, name, with_pk) -> None:
    assert patient_client.get(staff_url(name, with_pk, appointment)).status_code == 403


@pytest.mark.parametrize(("name", "with_pk"), STAFF_GET_URLS)
def test_front_desk_opens_staff_pages(desk, appointment, name, with_pk) -> None:
    assert desk.get(staff_url(name, with_pk, appointment)).status_code == 200


@pytest.mark.parametrize(
    "name", ["scheduling:staff-block-time", "scheduling:staff-book", "scheduling:staff-book-new-patient"]
)
def test_nurse_lacks_booking_and_blocking_permissions(nurse, staff_client_for, name) -> None:
    assert staff_client_for(nurse).get(reverse(name)).status_code == 403


def test_staff_pages_ask_for_the_second_factor(client, front_desk) -> None:
    client.force_login(front_desk)
    response = client.get(reverse("scheduling:staff-calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("clinic:two-factor"))


def test_unknown_appointment_is_404(desk) -> None:
    assert desk.get(reverse("scheduling:staff-appointment-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize(
    ("name", "method", "with_pk"),
    [
        ("scheduling:staff-appointment-mark", "get", True),
        ("scheduling:staff-appointment-detail", "post", True),
        ("scheduling:staff-calendar", "post", False),
        ("scheduling:staff-home", "post", False),
        ("scheduling:staff-book", "put", False),
    ],
)
def test_staff_wrong_method_is_405(desk, appointment, name, method, with_pk) -> None:
    assert getattr(desk, method)(staff_url(name, with_pk, appointment)).status_code == 405


# --- Home and calendar ------------------------------------------------------------------------------


def test_staff_home_shows_todays_schedule(desk, patient, provider, phone_type) -> None:
    AppointmentFactory(
        patient=patient, provider=provider, appointment_type=phone_type, start=NOW + dt.timedelta(hours=1)
    )
    response = desk.get(reverse("scheduling:staff-home"))
    content = response.content.decode()
    assert "Staff home" in content
    assert patient.full_name in content
    assert "10:00–10:15 AM" in content  # clinic time


def test_staff_home_shows_every_time_in_one_format(
    desk, nurse, staff_client_for, patient, provider, phone_type
) -> None:
    """The schedule, the urgent banner and the email delivery section all read "Mar 2, 7:00 AM" / "10:00 AM", in the
    clinic's zone (they once mixed "7:00 am" and "7:00 AM")."""
    from clinic.models import MailServerAlert, Notification
    from intake import selectors as intake_selectors
    from intake import services as intake_services
    from tests.intake.answers import CSSRS_HIGH, save_step

    AppointmentFactory(
        patient=patient, provider=provider, appointment_type=phone_type, start=NOW + dt.timedelta(hours=1)
    )
    MailServerAlert.objects.create(
        step="auth", first_seen_at=NOW - dt.timedelta(hours=2), last_seen_at=NOW - dt.timedelta(minutes=10)
    )
    Notification.objects.create(
        kind="scheduling/confirmation",
        idempotency_key="home-times",
        recipient=patient.user,
        to_email=patient.user.email,
        status=Notification.Status.FAILED,
        failed_at=NOW - dt.timedelta(hours=5, minutes=5),
        attempts=3,
    )
    intake_services.screening_start(patient=patient)
    save_step(intake_selectors.draft_for_patient(patient=patient), patient, "safety", CSSRS_HIGH)  # raised at NOW

    front_desk_home = desk.get(reverse("scheduling:staff-home")).content.decode()
    nurse_home = staff_client_for(nurse).get(reverse("scheduling:staff-home")).content.decode()
    for page in (front_desk_home, nurse_home):  # the schedule
        assert "10:00–10:15 AM" in page
    assert "since Mar 2, 7:00 AM" in front_desk_home and "last 8:50 AM" in front_desk_home  # the mail server
    assert "Mar 2, 3:55 AM" in front_desk_home  # the failed email
    assert "Raised Mar 2, 9:00 AM" in nurse_home  # the urgent banner
    for page in (front_desk_home, nurse_home):
        assert not re.search(r"\d:\d\d\s*[ap]\.?m\b", page)  # no other way of writing a time


def test_calendar_day_and_week(desk, appointment, provider) -> None:
    TimeBlockFactory(provider=provider, start=THURSDAY_11AM, reason="Team meeting")
    day = desk.get(reverse("scheduling:staff-calendar") + "?view=day&date=2026-03-04")
    assert appointment.patient.full_name in day.content.decode()
    assert "Team meeting" not in day.content.decode()
    week = desk.get(reverse("scheduling:staff-calendar") + "?view=week&date=2026-03-04")
    content = week.content.decode()
    assert appointment.patient.full_name in content
    assert "Team meeting" in content
    assert "Sunday, March 1" in content and "Saturday, March 7" in content


def test_calendar_filters_by_provider(desk, appointment, phone_type) -> None:
    from tests.scheduling.factories import provider_with_hours

    other = provider_with_hours(phone_type)
    response = desk.get(reverse("scheduling:staff-calendar") + f"?date=2026-03-04&provider={other.pk}")
    assert appointment.patient.full_name not in response.content.decode()


def test_calendar_htmx_navigation_returns_the_partial(desk, appointment) -> None:
    response = desk.get(reverse("scheduling:staff-calendar") + "?date=2026-03-04", headers={"HX-Request": "true"})
    assert b"<html" not in response.content
    assert appointment.patient.full_name.encode() in response.content
    assert b"date=2026-03-05" in response.content  # next day
    # The filter form's date follows the day shown (swapped in out of band), so "Week" then shows this week.
    assert b'id="id_date" class="form-control" value="2026-03-04" hx-swap-oob="true"' in response.content
    full = desk.get(reverse("scheduling:staff-calendar") + "?date=2026-03-04").content.decode()
    assert full.count('id="id_date"') == 1
    assert ">8 AM</div>" in full and ">08:00</div>" not in full  # hours written as the entries' times are


def test_a_date_beyond_the_calendars_reach_is_said_not_silently_changed(desk) -> None:
    far = desk.get(reverse("scheduling:staff-calendar") + "?date=2046-12-31&view=week").content.decode()
    assert "The calendar reaches 10 years either side of today" in far
    near = desk.get(reverse("scheduling:staff-calendar") + "?date=2026-03-04").content.decode()
    assert "The calendar reaches" not in near


@pytest.mark.parametrize("query", ["?view=month", "?date=2026-13-45", "?provider=abc"])
def test_calendar_ignores_bad_parameters(desk, query) -> None:
    assert desk.get(reverse("scheduling:staff-calendar") + query).status_code == 200


@pytest.mark.parametrize(
    "path", ["/staff/calendar/?view=day&date=2026-03-03", "/staff/calendar/?view=week&date=2026-03-03", "/staff/"]
)
def test_staff_list_query_count_does_not_grow(front_desk, staff_client_for, provider, phone_type, frozen, path) -> None:
    frozen.move_to(dt.datetime(2026, 3, 3, 13, tzinfo=dt.UTC))  # Tuesday, so the staff home lists the day too
    desk = staff_client_for(front_desk)
    desk.get(path)
    make_appointments(2, provider=provider, appointment_type=phone_type)
    TimeBlockFactory(provider=provider, start=dt.datetime(2026, 3, 3, 22, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as small:
        desk.get(path)
    make_appointments(
        14, provider=provider, appointment_type=phone_type, start=dt.datetime(2026, 3, 3, 15, tzinfo=dt.UTC)
    )
    TimeBlockFactory.create_batch(5, provider=provider, start=dt.datetime(2026, 3, 3, 22, tzinfo=dt.UTC))
    with CaptureQueriesContext(connection) as large:
        response = desk.get(path)
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Appointment detail, marking, cancelling --------------------------------------------------------


def test_detail_logs_the_patient_access(desk, front_desk, appointment) -> None:
    response = desk.get(detail(appointment))
    assert response.status_code == 200
    assert appointment.patient.full_name.encode() in response.content
    log = AccessLog.objects.get(user=front_desk)
    assert log.patient == appointment.patient
    assert log.object_id == str(appointment.pk)


@pytest.mark.parametrize(("action", "status"), [("completed", "completed"), ("no_show", "no_show")])
def test_mark_after_start(desk, appointment, frozen, front_desk, action, status) -> None:
    frozen.move_to(WEDNESDAY_10AM + dt.timedelta(minutes=5))
    desk.force_login(front_desk)
    from tests.factories import verify_second_factor

    verify_second_factor(desk, front_desk)
    response = desk.post(detail(appointment, "scheduling:staff-appointment-mark"), {"action": action})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == status


def test_mark_arrived_on_the_day_then_checked_in(desk, appointment, frozen, front_desk) -> None:
    Appointment.objects.filter(pk=appointment.pk).update(
        appointment_type=AppointmentTypeFactory(location_kind="in_clinic")
    )
    frozen.move_to(WEDNESDAY_10AM - dt.timedelta(minutes=10))
    from tests.factories import verify_second_factor

    desk.force_login(front_desk)
    verify_second_factor(desk, front_desk)
    page = desk.get(detail(appointment)).content.decode()
    assert ">Arrived</button>" in page and ">Completed</button>" not in page  # in order: arrival first
    desk.post(detail(appointment, "scheduling:staff-appointment-mark"), {"action": "arrived"})
    appointment.refresh_from_db()
    assert appointment.arrived_at is not None
    page = desk.get(detail(appointment)).content.decode()
    assert "Checked in" in page
    assert ">Arrived</button>" not in page and ">No-show</button>" not in page


def test_phone_consultations_offer_no_arrival_and_nothing_before_the_day(desk, appointment, frozen, front_desk) -> None:
    from tests.factories import verify_second_factor

    assert '<h2 id="mark-title"' not in desk.get(detail(appointment)).content.decode()  # two days before: nothing
    frozen.move_to(WEDNESDAY_10AM + dt.timedelta(minutes=5))
    desk.force_login(front_desk)  # the idle limit ended the first session
    verify_second_factor(desk, front_desk)
    page = desk.get(detail(appointment)).content.decode()
    assert ">Arrived</button>" not in page
    assert ">Completed</button>" in page and ">No-show</button>" in page


def test_mark_too_early_shows_the_reason(desk, appointment) -> None:
    response = desk.post(detail(appointment, "scheduling:staff-appointment-mark"), {"action": "completed"}, follow=True)
    assert b"marked completed on its day, once it has started" in response.content
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED


def test_mark_with_a_bad_action_is_refused(desk, appointment) -> None:
    response = desk.post(detail(appointment, "scheduling:staff-appointment-mark"), {"action": "delete"}, follow=True)
    assert b"Choose arrived, completed or no-show" in response.content


def test_cancel_needs_a_reason(desk, front_desk, appointment) -> None:
    response = desk.post(detail(appointment, "scheduling:staff-appointment-cancel"), {"reason": ""})
    assert response.status_code == 200
    assert b"required" in response.content
    response = desk.post(detail(appointment, "scheduling:staff-appointment-cancel"), {"reason": "Patient called"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancel_reason == "Patient called"
    assert appointment.cancelled_by == front_desk


def test_nurse_cannot_cancel(nurse, staff_client_for, appointment) -> None:
    response = staff_client_for(nurse).post(detail(appointment, "scheduling:staff-appointment-cancel"), {"reason": "x"})
    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED


def test_nurse_marks_arrival_but_sees_no_change_buttons(nurse, staff_client_for, appointment, frozen) -> None:
    Appointment.objects.filter(pk=appointment.pk).update(
        appointment_type=AppointmentTypeFactory(location_kind="in_clinic")
    )
    frozen.move_to(WEDNESDAY_10AM - dt.timedelta(minutes=10))
    client = staff_client_for(nurse)
    page = client.get(detail(appointment)).content.decode()
    assert detail(appointment, "scheduling:staff-appointment-mark") in page
    assert detail(appointment, "scheduling:staff-appointment-cancel") not in page
    assert detail(appointment, "scheduling:staff-appointment-reschedule") not in page
    client.post(detail(appointment, "scheduling:staff-appointment-mark"), {"action": "arrived"})
    appointment.refresh_from_db()
    assert appointment.arrived_at is not None


def test_clinician_cancels(clinician, staff_client_for, appointment) -> None:
    response = staff_client_for(clinician).post(
        detail(appointment, "scheduling:staff-appointment-cancel"), {"reason": "Patient called"}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancelled_by == clinician


def test_each_action_checks_its_own_permission(staff_client_for, appointment, frozen) -> None:
    # A staff member who may mark but not cancel, and one who may cancel but not mark.
    from django.contrib.auth.models import Permission

    from tests.factories import StaffFactory

    def staff_with(codename: str):
        user = StaffFactory()
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="scheduling", codename="view_appointment"),
            Permission.objects.get(content_type__app_label="scheduling", codename=codename),
        )
        return staff_client_for(user)

    frozen.move_to(WEDNESDAY_10AM - dt.timedelta(minutes=10))
    marker, canceller = staff_with("mark_appointment"), staff_with("cancel_appointment")
    cancel_url, mark_url = (
        detail(appointment, "scheduling:staff-appointment-cancel"),
        detail(appointment, "scheduling:staff-appointment-mark"),
    )
    assert marker.post(cancel_url, {"reason": "x"}).status_code == 403
    assert canceller.post(mark_url, {"action": "arrived"}).status_code == 403
    assert staff_with("change_appointment").post(cancel_url, {"reason": "x"}).status_code == 403
    assert marker.post(mark_url, {"action": "arrived"}).status_code == 302
    assert canceller.post(cancel_url, {"reason": "x"}).status_code == 302


# --- Blocking time ----------------------------------------------------------------------------------


def test_block_time(desk, provider) -> None:
    data = {"provider": provider.pk, "start": "2026-03-05T12:00", "end": "2026-03-05T13:00", "reason": "Lunch"}
    response = desk.post(reverse("scheduling:staff-block-time"), data)
    assert response.status_code == 302
    block = TimeBlock.objects.get()
    assert block.start == dt.datetime(2026, 3, 5, 17, tzinfo=dt.UTC)  # clinic time, EST


def test_block_over_an_appointment_is_refused(desk, appointment, provider) -> None:
    data = {"provider": provider.pk, "start": "2026-03-04T09:00", "end": "2026-03-04T12:00", "reason": "Training"}
    response = desk.post(reverse("scheduling:staff-block-time"), data)
    assert response.status_code == 200
    assert b"overlaps 1 booked appointment" in response.content
    assert not TimeBlock.objects.exists()


def test_block_with_end_before_start_is_refused(desk, provider) -> None:
    data = {"provider": provider.pk, "start": "2026-03-05T12:00", "end": "2026-03-05T11:00", "reason": "Lunch"}
    response = desk.post(reverse("scheduling:staff-block-time"), data)
    assert b"The end must be after the start" in response.content


def test_time_already_passed_cannot_be_blocked(desk, provider) -> None:
    data = {"provider": provider.pk, "start": "2026-03-01T12:00", "end": "2026-03-01T13:00", "reason": "Lunch"}
    response = desk.post(reverse("scheduling:staff-block-time"), data)
    assert b"only time still to come can be blocked" in response.content
    assert not TimeBlock.objects.exists()
    page = desk.get(reverse("scheduling:staff-block-time")).content.decode()
    assert "Clinic time (Eastern Time – New York)" in page


def test_clinician_blocks_their_own_time_only(clinician, staff_client_for, provider, phone_type) -> None:
    from tests.scheduling.factories import ProviderFactory

    own = ProviderFactory(user=clinician, types=[phone_type])
    client = staff_client_for(clinician)
    form = client.get(reverse("scheduling:staff-block-time")).content.decode()
    assert f'value="{own.pk}"' in form
    assert f'value="{provider.pk}"' not in form  # another provider's calendar is not offered
    data = {"start": "2026-03-05T12:00", "end": "2026-03-05T13:00", "reason": "Lunch"}
    assert client.post(reverse("scheduling:staff-block-time"), {**data, "provider": provider.pk}).status_code == 403
    assert not TimeBlock.objects.exists()
    assert client.post(reverse("scheduling:staff-block-time"), {**data, "provider": own.pk}).status_code == 302
    assert TimeBlock.objects.get().provider == own


def test_clinician_without_a_calendar_is_told_so(clinician, staff_client_for, provider) -> None:
    response = staff_client_for(clinician).get(reverse("scheduling:staff-block-time"))
    assert response.status_code == 200
    assert b"you have no calendar" in response.content
    assert b"Block this time" not in response.content


def test_front_desk_blocks_any_provider_chosen_from_the_calendar(desk, provider) -> None:
    response = desk.get(reverse("scheduling:staff-block-time") + f"?provider={provider.pk}")
    assert f'<option value="{provider.pk}" selected>'.encode() in response.content


def test_nurse_cannot_block_time(nurse, staff_client_for, provider) -> None:
    from tests.scheduling.factories import ProviderFactory

    own = ProviderFactory(user=nurse)
    data = {"provider": own.pk, "start": "2026-03-05T12:00", "end": "2026-03-05T13:00", "reason": "Lunch"}
    assert staff_client_for(nurse).post(reverse("scheduling:staff-block-time"), data).status_code == 403
    assert not TimeBlock.objects.exists()


# --- Booking by phone -------------------------------------------------------------------------------


def test_find_patient_by_phone(desk, patient) -> None:
    response = desk.post(reverse("scheduling:staff-book"), {"q": str(patient.phone)[-4:]}, follow=True)
    assert str(patient.phone)[-4:] not in response.redirect_chain[0][0]
    assert reverse("scheduling:staff-book-pick", args=[patient.pk]).encode() in response.content


def test_find_query_count_does_not_grow(desk) -> None:
    from tests.factories import PatientFactory

    PatientFactory.create_batch(2, legal_last_name="Smith")
    path = desk.post(reverse("scheduling:staff-book"), {"q": "smith"})["Location"]
    assert "smith" not in path
    desk.get(path)
    with CaptureQueriesContext(connection) as small:
        desk.get(path)
    PatientFactory.create_batch(15, legal_last_name="Smith")
    with CaptureQueriesContext(connection) as large:
        desk.get(path)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_add_new_patient_then_pick(desk, phone_type, provider) -> None:
    data = {
        "legal_first_name": "Sam",
        "legal_last_name": "Rivera",
        "email": "sam.rivera@example.com",
        "phone": "617 555 0199",
        "date_of_birth": "1980-05-05",
        "time_zone": "America/Chicago",
    }
    response = desk.post(reverse("scheduling:staff-book-new-patient"), data)
    patient = Patient.objects.get(user__email="sam.rivera@example.com")
    assert response["Location"] == reverse("scheduling:staff-book-pick", args=[patient.pk])
    assert patient.user.has_usable_password() is False


def test_new_patient_with_existing_email_is_refused(desk, patient) -> None:
    data = {
        "legal_first_name": "Sam",
        "legal_last_name": "Rivera",
        "email": patient.user.email.upper(),
        "phone": "617 555 0199",
        "date_of_birth": "1980-05-05",
        "time_zone": "America/Chicago",
    }
    response = desk.post(reverse("scheduling:staff-book-new-patient"), data)
    assert response.status_code == 200
    assert b"Search for the patient instead" in response.content


def test_front_desk_books_for_a_patient(desk, front_desk, patient, provider, phone_type) -> None:
    pick = desk.get(reverse("scheduling:staff-book-pick", args=[patient.pk]) + "?date=2026-03-05&month=2026-03")
    assert pick.status_code == 200
    confirm_url = reverse("scheduling:staff-book-confirm", args=[patient.pk])
    query = f"?type={phone_type.slug}&provider={provider.pk}&start={slot_param(THURSDAY_11AM)}"
    confirm = desk.get(confirm_url + query)
    assert confirm.status_code == 200
    key = re.search(rb'name="idempotency_key" value="([^"]+)"', confirm.content).group(1).decode()
    data = {
        "type": phone_type.slug,
        "provider": provider.pk,
        "start": slot_param(THURSDAY_11AM),
        "idempotency_key": key,
    }
    response = desk.post(confirm_url, data)
    desk.post(confirm_url, data)  # a double submit
    booked = Appointment.objects.get()
    assert response["Location"] == reverse("scheduling:staff-appointment-detail", args=[booked.pk])
    assert booked.booked_by == front_desk
    assert booked.patient == patient


def test_staff_booking_with_a_tampered_type_is_400(desk, patient, provider) -> None:
    url = reverse("scheduling:staff-book-confirm", args=[patient.pk])
    response = desk.get(f"{url}?type=nope&provider={provider.pk}&start={slot_param(THURSDAY_11AM)}")
    assert response.status_code == 400


def test_staff_booking_for_unknown_patient_is_404(desk, phone_type) -> None:
    assert desk.get(reverse("scheduling:staff-book-pick", args=[999999])).status_code == 404


# --- Lists and calendars log the patients they show (issue 12, finding 3) ----------------------------------


def _listed(user, page: str) -> list[int]:
    return sorted(
        AccessLog.objects.filter(user=user, action=AccessLog.Action.LIST, page=page).values_list(
            "patient_id", flat=True
        )
    )


def test_calendar_and_staff_home_log_the_patients_they_show(
    front_desk, staff_client_for, provider, phone_type, frozen
) -> None:
    frozen.move_to(dt.datetime(2026, 3, 3, 13, tzinfo=dt.UTC))  # Tuesday, the day of the appointments
    desk = staff_client_for(front_desk)
    make_appointments(3, provider=provider, appointment_type=phone_type)
    shown = sorted(Appointment.objects.values_list("patient_id", flat=True))
    desk.get(reverse("scheduling:staff-home"))
    assert _listed(front_desk, "scheduling:staff-home") == shown
    desk.get(reverse("scheduling:staff-calendar"), {"view": "week", "date": "2026-03-03"})
    assert _listed(front_desk, "scheduling:staff-calendar") == shown


def test_calendar_htmx_navigation_logs_only_patients_not_yet_shown(desk, front_desk, provider, phone_type) -> None:
    make_appointments(2, provider=provider, appointment_type=phone_type)  # Tuesday 3 March
    later = dt.datetime(2026, 3, 10, 14, tzinfo=dt.UTC)
    make_appointments(1, provider=provider, appointment_type=phone_type, start=later)
    url = reverse("scheduling:staff-calendar")
    desk.get(url, {"view": "day", "date": "2026-03-03"})
    assert len(_listed(front_desk, "scheduling:staff-calendar")) == 2
    desk.get(url, {"view": "day", "date": "2026-03-03"}, HTTP_HX_REQUEST="true")  # a refresh: nothing new
    desk.get(url, {"view": "day", "date": "2026-03-04"}, HTTP_HX_REQUEST="true")  # an empty day
    assert len(_listed(front_desk, "scheduling:staff-calendar")) == 2
    desk.get(url, {"view": "day", "date": "2026-03-10"}, HTTP_HX_REQUEST="true")
    assert len(_listed(front_desk, "scheduling:staff-calendar")) == 3
