from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.models import AccessLog
from clinic.services import access_log_record

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted(patient, nurse) -> None:
    entry = access_log_record(user=nurse, patient=patient)
    entry.action = AccessLog.Action.EXPORT
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AccessLog.objects.all().update(action="export")
    with pytest.raises(ValidationError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get().action == AccessLog.Action.VIEW


def test_admin_can_view_but_not_change_or_delete(patient, nurse, clinic_admin, staff_client_for) -> None:
    entry = access_log_record(user=nurse, patient=patient)
    client = staff_client_for(clinic_admin)
    assert client.get(reverse("admin:clinic_accesslog_changelist")).status_code == 200
    detail = client.get(reverse("admin:clinic_accesslog_change", args=[entry.pk]))
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.post(reverse("admin:clinic_accesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_viewing_a_patient_record_is_logged_with_ip(patient, nurse, staff_client_for) -> None:
    client = staff_client_for(nurse)
    client.get(reverse("clinic:staff-patient-detail", args=[patient.pk]), REMOTE_ADDR="10.1.2.3")
    entry = AccessLog.objects.get()
    assert (entry.user, entry.patient, entry.action) == (nurse, patient, AccessLog.Action.VIEW)
    assert (entry.object_type, entry.object_id, entry.ip_address) == ("clinic.patient", str(patient.pk), "10.1.2.3")


# --- Every showing of a patient is logged (issue 12, finding 3) -------------------------------------------

LIST = reverse("clinic:staff-patient-list")


def _rows(user, action=AccessLog.Action.LIST, page=None) -> list[AccessLog]:
    rows = AccessLog.objects.filter(user=user, action=action)
    return list(rows.filter(page=page) if page else rows)


def test_the_patient_list_logs_each_patient_it_shows_in_one_row(nurse, staff_client_for) -> None:
    from tests.factories import PatientFactory

    shown = PatientFactory.create_batch(3)
    client = staff_client_for(nurse)
    client.get(LIST, REMOTE_ADDR="10.9.8.7")
    rows = _rows(nurse, page="clinic:staff-patient-list")
    assert sorted(row.patient_id for row in rows) == sorted(p.pk for p in shown)
    assert {(row.object_type, row.ip_address) for row in rows} == {("clinic.patient", "10.9.8.7")}
    client.get(LIST)  # a full reload is a new showing
    assert len(_rows(nurse)) == 6


def test_an_htmx_refresh_that_shows_nothing_new_writes_nothing(nurse, staff_client_for) -> None:
    from tests.factories import PatientFactory

    PatientFactory.create_batch(2)
    client = staff_client_for(nurse)
    client.get(LIST)
    assert len(_rows(nurse)) == 2
    client.get(LIST, HTTP_HX_REQUEST="true")
    assert len(_rows(nurse)) == 2
    newcomer = PatientFactory()
    client.get(LIST, HTTP_HX_REQUEST="true")
    assert [row.patient_id for row in _rows(nurse)[:1]] == [newcomer.pk]
    assert len(_rows(nurse)) == 3


@pytest.mark.parametrize("size", [2, 20])
def test_logging_a_list_is_one_insert_whatever_its_length(size, nurse, staff_client_for) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PatientFactory

    PatientFactory.create_batch(size)
    with CaptureQueriesContext(connection) as queries:
        staff_client_for(nurse).get(LIST)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "clinic_accesslog"')]
    assert len(inserts) == 1
    assert len(_rows(nurse)) == size


# --- Django admin: only clinic admins see patients there, and each page is logged ---------------------------

ADMIN_PAGES = [
    ("admin:clinic_patient_change", "patient"),
    ("admin:clinic_patient_history", "patient"),
    ("admin:clinic_patient_changelist", None),
    ("admin:scheduling_appointment_change", "appointment"),
    ("admin:scheduling_appointment_history", "appointment"),
]


def _admin_url(name: str, arg: str | None, patient, appointment) -> str:
    if arg is None:
        return reverse(name)
    return reverse(name, args=[(patient if arg == "patient" else appointment).pk])


@pytest.fixture
def appointment(patient):
    from tests.scheduling.factories import AppointmentFactory

    return AppointmentFactory(patient=patient)


@pytest.mark.parametrize(("name", "arg"), ADMIN_PAGES)
def test_front_desk_nurses_and_clinicians_do_not_see_patients_in_admin(
    name, arg, patient, appointment, front_desk, nurse, clinician, staff_client_for
) -> None:
    for user in (front_desk, nurse, clinician):
        response = staff_client_for(user).get(_admin_url(name, arg, patient, appointment))
        assert response.status_code == 403, (user, name)
        index = staff_client_for(user).get(reverse("admin:index"))
        assert b"/admin/clinic/patient/" not in index.content
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(("name", "arg"), ADMIN_PAGES)
def test_clinic_admin_sees_patients_in_admin_and_each_page_is_logged(
    name, arg, patient, appointment, clinic_admin, staff_client_for
) -> None:
    response = staff_client_for(clinic_admin).get(_admin_url(name, arg, patient, appointment), REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 200
    entry = AccessLog.objects.get(user=clinic_admin)
    assert (entry.patient, entry.page, entry.ip_address) == (patient, name, "10.0.0.8")
    assert entry.action == (AccessLog.Action.LIST if arg is None else AccessLog.Action.VIEW)
    if arg == "appointment":
        assert (entry.object_type, entry.object_id) == ("scheduling.appointment", str(appointment.pk))


def test_a_historical_version_of_a_patient_in_admin_is_logged(patient, clinic_admin, staff_client_for) -> None:
    version = patient.history.first()
    url = reverse("admin:clinic_patient_simple_history", args=[patient.pk, version.history_id])
    assert staff_client_for(clinic_admin).get(url).status_code == 200
    assert AccessLog.objects.get().page == "admin:clinic_patient_simple_history"


def test_saving_a_patient_in_admin_is_logged_as_an_update(patient, clinic_admin, staff_client_for) -> None:
    client = staff_client_for(clinic_admin)
    url = reverse("admin:clinic_patient_change", args=[patient.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(preferred_name="Sunny", date_of_birth="1985-06-01")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert AccessLog.objects.filter(user=clinic_admin, action=AccessLog.Action.UPDATE, patient=patient).exists()


@pytest.mark.parametrize("name", ["admin:clinic_patient_changelist", "admin:scheduling_appointment_changelist"])
def test_admin_lists_of_patients_log_in_a_flat_number_of_queries(name, clinic_admin, staff_client_for) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.scheduling.factories import AppointmentFactory

    client = staff_client_for(clinic_admin)
    AppointmentFactory.create_batch(2)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(name))
    AppointmentFactory.create_batch(25)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse(name))
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert AccessLog.objects.filter(page=name).count() == 2 + 27


def test_adding_a_patient_in_admin_is_logged_as_a_create(clinic_admin, staff_client_for) -> None:
    from tests.factories import UserFactory

    user = UserFactory()
    data = {
        "user": user.pk,
        "legal_first_name": "Ada",
        "legal_last_name": "Byron",
        "date_of_birth": "1985-06-01",
        "sex_at_birth": "female",
        "phone": "+16175550111",
        "time_zone": "America/New_York",
    }
    response = staff_client_for(clinic_admin).post(reverse("admin:clinic_patient_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    entry = AccessLog.objects.get(user=clinic_admin)
    assert (entry.action, entry.patient.user) == (AccessLog.Action.CREATE, user)
