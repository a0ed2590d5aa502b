"""Model fields with a rule of their own, kept here so that every model applies it the same way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.text import normalize_newlines


def _normalise(value: Any) -> Any:
    return normalize_newlines(value) if isinstance(value, str) else value


class _NormalisedCharField(forms.CharField):
    def to_python(self, value: Any) -> Any:
        return _normalise(super().to_python(value))


class NormalisedTextField(models.TextField):
    """Text whose line endings are always stored as ``\\n``.

    Browsers send a textarea back with ``\\r\\n``; without this, saving an untouched form would record
    the text as changed (in the admin's change message and in the history). The form field compares
    normalised text, and every save stores it.
    """

    def to_python(self, value: Any) -> Any:
        return _normalise(super().to_python(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = _normalise(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        return super().formfield(**{"form_class": _NormalisedCharField, **kwargs})
