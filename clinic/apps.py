from __future__ import annotations

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from clinic import checks, emails  # noqa: F401 - registers the system check and core email kinds

        _bound_admin_datetimes()


def _bound_admin_datetimes() -> None:
    """Every datetime field of every admin form takes only the app's sane range (one rule, one place):
    a year-9999 value typed in admin would otherwise be stored as a year PostgreSQL keeps and Python
    cannot load back."""
    from django.contrib.admin import options
    from django.db import models

    from clinic.lib.time import validate_datetime_range

    defaults = options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.DateTimeField]
    defaults["validators"] = [validate_datetime_range]
