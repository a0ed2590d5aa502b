from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from clinic.notifications import forbidden_words_in


@register()
def check_email_name(**kwargs: Any) -> list[Error]:
    words = forbidden_words_in(settings.CLINIC_EMAIL_NAME)
    if not words:
        return []
    return [
        Error(
            f"CLINIC_EMAIL_NAME contains {', '.join(words)!s}; emails must not name the treatment.",
            hint="Set CLINIC_EMAIL_NAME to a neutral name, such as the clinic's name without the treatment.",
            id="clinic.E001",
        )
    ]
