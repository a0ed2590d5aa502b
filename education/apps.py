from __future__ import annotations

from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = "Patient education"
