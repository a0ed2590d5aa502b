from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from clinic import checks, emails  # noqa: F401 - registers the system check and core email kinds
        from clinic.lib import hardening

        hardening.install()


class ClinicAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the clinic's site (second factor required) as ``admin.site``."""

    default = False  # never chosen as the config of the clinic app itself
    default_site = "clinic.admin_site.ClinicAdminSite"
