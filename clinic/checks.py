from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from clinic.notifications import forbidden_words_in


@register()
def check_email_name(**kwargs: Any) -> list[Error]:
    """The names every email carries must not name the treatment; the outbox would refuse to send them all."""
    errors = []
    for setting, error_id in (("CLINIC_EMAIL_NAME", "clinic.E001"), ("DEFAULT_FROM_EMAIL", "clinic.E002")):
        words = forbidden_words_in(getattr(settings, setting))
        if words:
            errors.append(
                Error(
                    f"{setting} contains {', '.join(words)!s}; emails must not name the treatment.",
                    hint=f"Set {setting} to a neutral name, such as the clinic's name without the treatment.",
                    id=error_id,
                )
            )
    return errors
