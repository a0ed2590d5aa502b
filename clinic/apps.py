from __future__ import annotations

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from clinic import checks, emails  # noqa: F401 - registers the system check and core email kinds
        from clinic.lib import hardening

        hardening.install()
