"""Account admin: a clinic admin assigns roles and deactivates accounts, nothing more (issue 12, finding 2)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.lib.roles import CLINIC_ADMIN, CLINICIAN, FRONT_DESK, NURSE
from clinic.models import Notification, User
from tests.factories import PASSWORD, PatientFactory, StaffFactory, UserFactory, give_backup_code

pytestmark = pytest.mark.django_db


def _change_url(user: User) -> str:
    return reverse("admin:clinic_user_change", args=[user.pk])


def _form_data(user: User, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_clinic_admin_cannot_make_anyone_superuser_or_grant_permissions(staff_client_for, clinic_admin, nurse) -> None:
    client = staff_client_for(clinic_admin)
    page = client.get(_change_url(nurse)).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="user_permissions"' not in page
    assert 'name="is_staff"' not in page
    response = client.post(
        _change_url(nurse), _form_data(nurse, is_superuser="on", user_permissions=[1, 2, 3], is_staff="on")
    )
    assert response.status_code == 302
    nurse.refresh_from_db()
    assert nurse.is_superuser is False
    assert nurse.user_permissions.count() == 0


def test_clinic_admin_cannot_edit_themselves_another_clinic_admin_or_a_superuser(
    staff_client_for, clinic_admin
) -> None:
    peer = StaffFactory(role=CLINIC_ADMIN)
    root = UserFactory(is_staff=True, is_superuser=True)
    client = staff_client_for(clinic_admin)
    for target in (clinic_admin, peer, root):
        response = client.post(_change_url(target), _form_data(target, first_name="Changed"))
        assert response.status_code == 403, target
        target.refresh_from_db()
        assert target.first_name != "Changed"


def test_roles_offered_are_the_four_staff_roles_and_set_staff_status(staff_client_for, clinic_admin) -> None:
    Group.objects.create(name="Something powerful")
    person = UserFactory()
    client = staff_client_for(clinic_admin)
    form = client.get(_change_url(person)).context["adminform"].form
    assert {group.name for group in form.fields["groups"].queryset} == {FRONT_DESK, NURSE, CLINICIAN, CLINIC_ADMIN}
    nurse_role = Group.objects.get(name=NURSE)
    assert client.post(_change_url(person), _form_data(person, groups=[nurse_role.pk])).status_code == 302
    person.refresh_from_db()
    assert person.is_staff is True
    assert client.post(_change_url(person), _form_data(person, groups=[])).status_code == 302
    person.refresh_from_db()
    assert person.is_staff is False


def test_clinic_admin_cannot_change_an_email_address(staff_client_for, clinic_admin, nurse) -> None:
    client = staff_client_for(clinic_admin)
    client.post(_change_url(nurse), _form_data(nurse, email="admin.inbox@example.com"))
    nurse.refresh_from_db()
    assert nurse.email != "admin.inbox@example.com"


def test_superuser_can_change_email_and_grant_superuser(client) -> None:
    root = UserFactory(is_staff=True, is_superuser=True)
    from tests.conftest import verified_client

    client = verified_client(root)
    person = StaffFactory(role=NURSE)
    client.post(_change_url(person), _form_data(person, email="new.address@example.com", is_superuser="on"))
    person.refresh_from_db()
    assert person.email == "new.address@example.com"
    assert person.is_superuser is True


@pytest.mark.parametrize("as_superuser", [False, True])
def test_nobody_sets_another_users_password_in_admin(staff_client_for, clinic_admin, patient, as_superuser) -> None:
    actor = UserFactory(is_staff=True, is_superuser=True) if as_superuser else clinic_admin
    client = staff_client_for(actor)
    page = client.get(_change_url(patient.user)).content.decode()
    assert "password/" not in page
    response = client.post(
        f"{_change_url(patient.user)}password/", {"password1": "x-new-pass-123456", "password2": "x-new-pass-123456"}
    )
    assert response.status_code in (302, 404)  # admin sends unknown sub-URLs back to the change page
    patient.user.refresh_from_db()
    assert patient.user.check_password(PASSWORD)


def test_send_password_link_action_emails_a_reset_link(staff_client_for, clinic_admin, patient, on_commit) -> None:
    client = staff_client_for(clinic_admin)
    with on_commit(execute=True):
        response = client.post(
            reverse("admin:clinic_user_changelist"),
            {"action": "send_password_link", "_selected_action": [patient.user.pk]},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [patient.user.email]
    assert "/account/password/reset/" in mail.outbox[0].body


def test_deactivate_action_leaves_clinic_admins_alone(staff_client_for, clinic_admin, nurse) -> None:
    peer = StaffFactory(role=CLINIC_ADMIN)
    client = staff_client_for(clinic_admin)
    client.post(
        reverse("admin:clinic_user_changelist"),
        {"action": "deactivate", "_selected_action": [nurse.pk, peer.pk]},
    )
    nurse.refresh_from_db()
    peer.refresh_from_db()
    assert (nurse.is_active, peer.is_active) == (False, True)


def test_new_account_gets_a_set_password_link_not_a_password(staff_client_for, clinic_admin, on_commit) -> None:
    client = staff_client_for(clinic_admin)
    nurse_role = Group.objects.get(name=NURSE)
    with on_commit(execute=True):
        response = client.post(
            reverse("admin:clinic_user_add"),
            {"email": "New.Nurse@example.com", "first_name": "Nell", "last_name": "Ng", "groups": [nurse_role.pk]},
        )
    assert response.status_code == 302
    user = User.objects.get(email="new.nurse@example.com")
    assert user.has_usable_password() is False
    assert user.is_staff is True
    assert Notification.objects.filter(recipient=user, kind="clinic/set_password").exists()
    assert "/account/password/reset/" in mail.outbox[0].body


def test_second_factor_secrets_are_never_shown_in_admin(staff_client_for, clinic_admin, nurse) -> None:
    root = UserFactory(is_staff=True, is_superuser=True)
    totp = TOTPDevice.objects.create(user=nurse, name="authenticator", confirmed=True)
    code = give_backup_code(nurse, code="secretcode42")
    static = StaticDevice.objects.get(user=nurse)
    for actor in (clinic_admin, root):
        client = staff_client_for(actor)
        for url in (
            reverse("admin:otp_totp_totpdevice_change", args=[totp.pk]),
            reverse("admin:otp_static_staticdevice_change", args=[static.pk]),
            reverse("admin:otp_totp_totpdevice_changelist"),
            reverse("admin:otp_static_staticdevice_changelist"),
        ):
            page = client.get(url).content.decode()
            assert totp.key not in page
            assert code not in page
            assert "qrcode" not in page
        assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403


def test_clinic_admin_resets_a_nurses_device_but_not_a_peers(staff_client_for, clinic_admin, nurse) -> None:
    peer = StaffFactory(role=CLINIC_ADMIN)
    mine = TOTPDevice.objects.create(user=nurse, name="authenticator", confirmed=True)
    theirs = TOTPDevice.objects.create(user=peer, name="authenticator", confirmed=True)
    client = staff_client_for(clinic_admin)
    assert (
        client.post(reverse("admin:otp_totp_totpdevice_delete", args=[theirs.pk]), {"post": "yes"}).status_code == 403
    )
    assert client.post(reverse("admin:otp_totp_totpdevice_delete", args=[mine.pk]), {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=mine.pk).exists()
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("role", [FRONT_DESK, CLINICIAN, CLINIC_ADMIN])
def test_nobody_moves_a_patient_record_to_another_login_in_admin(staff_client_for, role: str) -> None:
    """Re-linking a record to another account handed that account the patient's portal and emails: a front desk
    user pointed a patient's record at their own login and read the patient's appointments in the portal."""
    patient = PatientFactory()
    owner = patient.user
    staff = StaffFactory(role=role)
    client = staff_client_for(staff)
    url = reverse("admin:clinic_patient_change", args=[patient.pk])
    data = {
        "user": staff.pk,
        "legal_first_name": patient.legal_first_name,
        "legal_last_name": patient.legal_last_name,
        "preferred_name": patient.preferred_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex_at_birth": patient.sex_at_birth,
        "phone": str(patient.phone),
        "time_zone": patient.time_zone,
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
    }
    client.post(url, data)
    patient.refresh_from_db()
    assert patient.user_id == owner.pk
    assert 'name="user"' not in client.get(url).content.decode()


def test_reverting_a_patient_record_in_admin_keeps_its_login(staff_client_for, clinic_admin) -> None:
    """The history's "revert" loads a whole past version, the read-only login included."""
    patient = PatientFactory()
    owner = patient.user
    patient.user = UserFactory()  # a past version that pointed elsewhere
    patient.save()
    past = patient.history.latest().history_id
    patient.user = owner
    patient.save()
    client = staff_client_for(clinic_admin)  # the only role that opens patients in admin
    url = reverse("admin:clinic_patient_simple_history", args=[patient.pk, past])
    data = {
        "legal_first_name": patient.legal_first_name,
        "legal_last_name": patient.legal_last_name,
        "preferred_name": patient.preferred_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "sex_at_birth": patient.sex_at_birth,
        "phone": str(patient.phone),
        "time_zone": patient.time_zone,
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
    }
    assert client.post(url, data).status_code == 302
    patient.refresh_from_db()
    assert patient.user_id == owner.pk


@pytest.mark.parametrize("email", ["taken@example.com", "Taken@Example.COM"])
def test_adding_an_account_with_a_taken_email_gives_one_clear_message(staff_client_for, clinic_admin, email) -> None:
    UserFactory(email="taken@example.com")
    response = staff_client_for(clinic_admin).post(
        reverse("admin:clinic_user_add"), {"email": email, "first_name": "Nell", "last_name": "Ng"}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"email": ["An account with this email address already exists."]}
    assert "Constraint" not in response.content.decode()
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_superuser_changing_an_email_to_a_taken_one_gets_one_clear_message(client) -> None:
    from tests.conftest import verified_client

    client = verified_client(UserFactory(is_staff=True, is_superuser=True))
    UserFactory(email="taken@example.com")
    nurse = StaffFactory(role=NURSE)
    response = client.post(_change_url(nurse), _form_data(nurse, email="TAKEN@example.com", is_staff="on"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "email": ["An account with this email address already exists."]
    }


def _patient_add_data(user: User) -> dict[str, object]:
    return {
        "user": user.pk,
        "legal_first_name": "Pat",
        "legal_last_name": "Lee",
        "preferred_name": "",
        "date_of_birth": "1980-01-02",
        "sex_at_birth": "female",
        "phone": "+16175550100",
        "time_zone": "America/New_York",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
    }


@pytest.mark.parametrize("kind", ["staff", "superuser"])
def test_a_patient_record_cannot_be_added_to_a_staff_account(staff_client_for, clinic_admin, nurse, kind) -> None:
    account = nurse if kind == "staff" else UserFactory(is_staff=True, is_superuser=True)
    response = staff_client_for(clinic_admin).post(reverse("admin:clinic_patient_add"), _patient_add_data(account))
    assert response.status_code == 200
    assert "staff account" in str(response.context["adminform"].form.errors["user"])
    assert not hasattr(User.objects.get(pk=account.pk), "patient")


def test_a_patient_record_can_be_added_to_a_patient_account(staff_client_for, clinic_admin) -> None:
    account = UserFactory()
    response = staff_client_for(clinic_admin).post(reverse("admin:clinic_patient_add"), _patient_add_data(account))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.get(pk=account.pk).patient.legal_last_name == "Lee"
