"""A queryset compiled once (``scheduling.selectors.compiled``) answers as the queryset itself does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import DateField, DateTimeField
from django.utils import timezone

from scheduling.models import Appointment, ClinicClosure
from scheduling.selectors import booking
from scheduling.selectors.compiled import Param, compile_query, param_list
from tests.scheduling.factories import AppointmentFactory, ClinicClosureFactory, provider_with_hours

pytestmark = pytest.mark.django_db


def test_a_compiled_query_gives_its_querysets_rows_for_each_set_of_values() -> None:
    for first in range(1, 20, 3):
        ClinicClosureFactory(start_date=dt.date(2030, 1, first), end_date=dt.date(2030, 1, first + 1))
    compiled = compile_query(
        ClinicClosure.objects.filter(
            start_date__lte=Param("last", DateField()), end_date__gte=Param("first", DateField())
        ).values_list("start_date", "end_date")
    )
    for first, last in [(dt.date(2030, 1, 2), dt.date(2030, 1, 8)), (dt.date(2030, 1, 20), dt.date(2030, 2, 1))]:
        expected = ClinicClosure.objects.filter(start_date__lte=last, end_date__gte=first)
        rows = compiled.rows(first=first, last=last)
        assert sorted(map(tuple, rows)) == sorted(expected.values_list("start_date", "end_date"))
        assert rows and all(isinstance(day, dt.date) for row in rows for day in row)  # converted on SQLite too


def test_params_in_a_list_and_a_shifted_param(phone_type) -> None:
    one, two, three = (provider_with_hours(phone_type) for _ in range(3))
    at = dt.datetime(2030, 1, 7, 15, tzinfo=dt.UTC)
    for provider in (one, two, three):
        AppointmentFactory(provider=provider, appointment_type=phone_type, start=at)
    compiled = compile_query(
        Appointment.objects.filter(
            provider_id__in=param_list("provider", Appointment._meta.get_field("provider").target_field, 2),
            start__gt=Param("at", DateTimeField()) - dt.timedelta(minutes=1),
        ).values_list("provider_id", flat=True)
    )
    assert sorted(r[0] for r in compiled.rows(provider0=one.pk, provider1=three.pk, at=at)) == [one.pk, three.pk]
    assert compiled.rows(provider0=one.pk, provider1=two.pk, at=at + dt.timedelta(minutes=1)) == []


def test_a_missing_value_is_an_error_not_a_null() -> None:
    compiled = compile_query(ClinicClosure.objects.filter(start_date=Param("day", DateField())).values_list("pk"))
    with pytest.raises(KeyError):
        compiled.rows()


def test_the_slot_query_is_compiled_once_per_shape(provider, phone_type, django_assert_num_queries) -> None:
    from scheduling.selectors import slot_is_available

    booking._availability_query.cache_clear()
    day = timezone.now() + dt.timedelta(days=20)
    for n in range(5):
        with django_assert_num_queries(1):
            slot_is_available(appointment_type=phone_type, provider=provider, start=day + dt.timedelta(days=n))
    info = booking._availability_query.cache_info()
    assert (info.misses, info.hits) == (1, 4)
