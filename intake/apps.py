from __future__ import annotations

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Pre-treatment screening"
