"""Django admin is the clinic's own site, which asks for the second factor, from the moment apps are loaded."""

from __future__ import annotations

import subprocess
import sys

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django_otp.admin import OTPAdminSite


def test_the_admin_site_is_configured_not_patched_at_import() -> None:
    assert apps.get_app_config("admin").default_site == "clinic.admin_site.ClinicAdminSite"
    assert isinstance(admin.site, OTPAdminSite)
    assert admin.site.name == "admin"
    assert admin.site.site_header == "Clinic administration"
    assert reverse("admin:index") == "/admin/"


def test_the_site_asks_for_the_second_factor_before_the_urls_are_imported() -> None:
    # Code that runs before clinic.urls (a management command, a check) must see the same site.
    code = (
        "import django; django.setup(); from django.contrib import admin; from django_otp.admin import OTPAdminSite; "
        "assert isinstance(admin.site, OTPAdminSite), type(admin.site)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "clinic.settings", "DJANGO_DEBUG": "true", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-500:]
