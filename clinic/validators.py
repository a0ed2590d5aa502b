"""Validators for what people type about themselves, shared by every form and model that takes it."""

from __future__ import annotations

import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

OLDEST_BIRTH_YEAR = 1900

# Explicit embeddings, overrides and isolates reorder how text is shown ("evil\u202egnp.exe"); a real name never
# needs them, since the Unicode bidi algorithm already shows right-to-left scripts correctly.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def validate_person_name(value: str) -> None:
    """A name: at least one letter, in any script, and no control or text-direction override characters.

    Apostrophes, hyphens, spaces, accents and joiners (ZWJ, ZWNJ, which some scripts need) are fine.
    """
    if not value:
        return
    if any(ch in BIDI_CONTROLS for ch in value):
        raise ValidationError("Remove the hidden text-direction characters from this name.", code="bidi_control")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValidationError("Remove the control characters from this name.", code="control_character")
    if not any(unicodedata.category(ch).startswith("L") for ch in value):
        raise ValidationError("Enter a name with at least one letter.", code="no_letters")


def validate_date_of_birth(value: date) -> None:
    """Not in the future, and not before 1900 (a mistyped year, such as 0001, is caught here)."""
    if value > timezone.localdate():
        raise ValidationError("A date of birth cannot be in the future.", code="future_date")
    if value.year < OLDEST_BIRTH_YEAR:
        raise ValidationError("Check the year of birth.", code="too_old")
