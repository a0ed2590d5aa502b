"""Django and admin behaviours that answered hostile input with a 500, fixed once for the whole project.

Each is installed from ``ClinicConfig.ready()``; tests/test_hostile_input.py is what found them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import options
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import models
from django.db.models.lookups import In
from django.http import HttpRequest

from clinic.lib.time import validate_datetime_range


class IntegerIn(In):
    """``pk__in=[10**40]`` matches nothing instead of overflowing the driver, as Django already does for ``exact``
    (a model multiple-choice field checks posted ids this way)."""

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            kept = [
                v
                for v in self.rhs
                if not isinstance(v, int) or ((low is None or v >= low) and (high is None or v <= high))
            ]
            if not kept:
                raise EmptyResultSet
            self.rhs = kept
        return super().process_rhs(compiler, connection)


def _changelist_filters_refuse_overflow() -> None:
    """A date-hierarchy year such as 10**40 raised OverflowError where Django expects ValueError."""
    original = ChangeList.get_filters

    def get_filters(self: ChangeList, request: HttpRequest) -> Any:
        try:
            return original(self, request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error

    ChangeList.get_filters = get_filters


def _changeform_initial_is_parsed() -> None:
    """Admin takes a new object's initial values from the query string; a date or time field then received a
    string its widget cannot render. Keep only values the form field accepts, parsed."""
    original = options.ModelAdmin.get_changeform_initial_data

    def get_changeform_initial_data(self: options.ModelAdmin, request: HttpRequest) -> dict[str, Any]:
        initial = original(self, request)
        for name in list(initial):
            field = next((f for f in self.model._meta.get_fields() if f.name == name), None)
            if isinstance(field, models.DateField | models.TimeField | models.DurationField):
                try:
                    initial[name] = field.to_python(initial[name])
                    validate_datetime_range(initial[name])
                except (ValidationError, OverflowError, TypeError, ValueError):
                    del initial[name]
        return initial

    options.ModelAdmin.get_changeform_initial_data = get_changeform_initial_data


def _autocomplete_renders_only_valid_choices() -> None:
    """An admin autocomplete re-rendered after a bad POST looked the posted text up as an id."""
    original = AutocompleteMixin.optgroups

    def optgroups(self: AutocompleteMixin, name: str, value: list[Any], attr: dict | None = None) -> Any:
        target = self.field.target_field
        kept = []
        for item in value:
            try:
                target.to_python(item)
            except (ValidationError, ValueError, TypeError):
                continue
            kept.append(item)
        return original(self, name, kept, attr)

    AutocompleteMixin.optgroups = optgroups


def install() -> None:
    models.IntegerField.register_lookup(IntegerIn)
    # Every datetime field of every admin form takes only the app's sane range (one rule, one place): a year-9999
    # value typed in admin would otherwise be stored as a year PostgreSQL keeps and Python cannot load back.
    options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.DateTimeField]["validators"] = [validate_datetime_range]
    _changelist_filters_refuse_overflow()
    _changeform_initial_is_parsed()
    _autocomplete_renders_only_valid_choices()
