"""/admin/ uses the site's own login and second step, never Django's admin login form."""

from __future__ import annotations

import pytest
from django.contrib.auth.views import redirect_to_login
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, give_backup_code

pytestmark = pytest.mark.django_db

ARTICLES = reverse("admin:education_article_changelist")


def _login_url(next_url: str) -> str:
    return redirect_to_login(next_url)["Location"]  # the site's login, as every other page sends people there


def _two_factor_url(next_url: str) -> str:
    return f"{reverse('clinic:two-factor')}?{urlencode({'next': next_url})}"


def _final(response) -> str:
    return response.redirect_chain[-1][0]


def test_anonymous_is_sent_to_the_site_login(anon_client: Client) -> None:
    response = anon_client.get(ARTICLES, follow=True)
    assert _final(response) == _login_url(ARTICLES)
    html = response.content.decode()
    assert 'name="otp_device"' not in html
    assert 'id="login-form"' not in html  # Django admin's login form


def test_admin_login_url_itself_goes_to_the_site_login(anon_client: Client) -> None:
    response = anon_client.get(reverse("admin:login"))
    assert response["Location"] == _login_url(reverse("admin:index"))
    response = anon_client.get(reverse("admin:login"), {"next": ARTICLES})
    assert response["Location"] == _login_url(ARTICLES)


def test_an_offsite_next_is_ignored(anon_client: Client) -> None:
    response = anon_client.get(reverse("admin:login"), {"next": "https://evil.example/admin/"})
    assert response["Location"] == _login_url(reverse("admin:index"))


def test_logged_in_staff_without_second_factor_is_sent_to_the_second_step(clinic_admin) -> None:
    give_backup_code(clinic_admin)  # enrolled: the second step asks for a code
    client = Client()
    client.force_login(clinic_admin)
    response = client.get(ARTICLES, follow=True)
    assert _final(response) == _two_factor_url(ARTICLES)
    assert 'name="otp_device"' not in response.content.decode()


def test_patient_is_refused_not_shown_the_admin_login(patient_client: Client) -> None:
    response = patient_client.get(ARTICLES, follow=True)
    assert response.status_code == 403
    assert 'id="login-form"' not in response.content.decode()


def test_verified_staff_reach_admin_and_admin_login_sends_them_on(clinic_admin, staff_client_for) -> None:
    client = staff_client_for(clinic_admin)
    assert client.get(ARTICLES).status_code == 200
    response = client.get(reverse("admin:login"), {"next": ARTICLES})
    assert response["Location"] == ARTICLES


def test_a_verified_account_the_admin_does_not_admit_is_refused(staff_client_for, nurse) -> None:
    client = staff_client_for(nurse)
    type(nurse).objects.filter(pk=nurse.pk).update(is_staff=False)  # signed in and verified, but no longer staff
    assert client.get(reverse("admin:login"), {"next": ARTICLES}).status_code == 403


def test_full_walk_login_then_second_step_lands_on_the_page_asked_for(clinic_admin) -> None:
    code = give_backup_code(clinic_admin, "walk1234")
    client = Client()
    login_page = client.get(ARTICLES, follow=True)
    assert _final(login_page) == _login_url(ARTICLES)

    step = client.post(_login_url(ARTICLES), {"username": clinic_admin.email, "password": PASSWORD})
    assert step["Location"] == _two_factor_url(ARTICLES)
    landed = client.post(step["Location"], {"token": code}, follow=True)

    assert _final(landed) == ARTICLES
    assert landed.status_code == 200
    assert "Select article to change" in landed.content.decode()


def test_first_time_staff_enrol_then_land_on_the_page_asked_for(clinic_admin) -> None:
    client = Client()
    client.force_login(clinic_admin)
    setup = client.get(ARTICLES, follow=True)
    assert _final(setup) == f"{reverse('clinic:two-factor-setup')}?{urlencode({'next': ARTICLES})}"

    device = TOTPDevice.objects.get(user=clinic_admin)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    codes = client.post(_final(setup), {"token": code}, follow=True)
    assert _final(codes) == f"{reverse('clinic:two-factor-backup-codes')}?{urlencode({'next': ARTICLES})}"
    saved = codes.context["continue_url"]
    assert client.get(saved, follow=True).redirect_chain[-1][0] == ARTICLES
