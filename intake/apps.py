from __future__ import annotations

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Pre-treatment screening"

    def ready(self) -> None:
        from intake import emails  # noqa: F401 - registers the screening email kinds
