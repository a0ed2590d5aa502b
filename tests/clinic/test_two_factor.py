from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import give_backup_code

pytestmark = pytest.mark.django_db


def test_staff_without_second_factor_is_refused_on_staff_pages(nurse) -> None:
    client = Client()
    client.force_login(nurse)
    response = client.get(reverse("clinic:staff-patient-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("clinic:two-factor"))


def test_staff_without_second_factor_is_refused_by_admin(clinic_admin) -> None:
    client = Client()
    client.force_login(clinic_admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_verified_admin_reaches_admin(clinic_admin, staff_client_for) -> None:
    assert staff_client_for(clinic_admin).get(reverse("admin:index")).status_code == 200


def test_staff_without_device_is_sent_to_enrolment(nurse) -> None:
    client = Client()
    client.force_login(nurse)
    response = client.get(reverse("clinic:two-factor"))
    assert response["Location"] == reverse("clinic:two-factor-setup")


def test_enrolment_shows_qr_and_confirms_with_a_valid_code(nurse) -> None:
    client = Client()
    client.force_login(nurse)
    page = client.get(reverse("clinic:two-factor-setup"))
    assert b"data:image/svg+xml;base64," in page.content
    device = TOTPDevice.objects.get(user=nurse)
    wrong = client.post(reverse("clinic:two-factor-setup"), {"token": "000000"})
    assert b"did not match" in wrong.content
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next attempt wait; this test need not
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(reverse("clinic:two-factor-setup"), {"token": code})
    assert response["Location"] == reverse("clinic:two-factor-backup-codes")
    codes_page = client.get(response["Location"])
    assert codes_page.content.count(b"<li>") >= 10
    assert client.get(reverse("clinic:staff-patient-list")).status_code == 200


def test_backup_code_works_once(nurse) -> None:
    code = give_backup_code(nurse, "once1234")
    first = Client()
    first.force_login(nurse)
    assert first.post(reverse("clinic:two-factor"), {"token": code})["Location"] == reverse("clinic:after-login")
    second = Client()
    second.force_login(nurse)
    response = second.post(reverse("clinic:two-factor"), {"token": code})
    assert response.status_code == 200
    assert b"did not work" in response.content


def test_patients_cannot_use_the_second_factor_pages(patient_client: Client) -> None:
    assert patient_client.get(reverse("clinic:two-factor")).status_code == 403
    assert patient_client.get(reverse("clinic:staff-patient-list")).status_code == 403


def test_staff_password_change_needs_the_second_factor(nurse) -> None:
    from tests.factories import PASSWORD

    client = Client()
    client.force_login(nurse)  # the password alone, no second factor yet
    url = reverse("clinic:password-change")
    data = {"old_password": PASSWORD, "new_password1": "a-brand-new-passphrase-7", "new_password2": ""}
    data["new_password2"] = data["new_password1"]
    for response in (client.get(url), client.post(url, data)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("clinic:two-factor"))
    nurse.refresh_from_db()
    assert nurse.check_password(PASSWORD)


def test_staff_past_the_second_factor_and_patients_can_change_their_password(
    nurse, patient_client, staff_client_for
) -> None:
    url = reverse("clinic:password-change")
    assert staff_client_for(nurse).get(url).status_code == 200
    assert patient_client.get(url).status_code == 200
    assert reverse("clinic:login") in Client().get(url)["Location"]
