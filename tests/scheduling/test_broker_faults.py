"""Booking with Redis down or hanging, with the production broker and cache settings: the booking commits and the
page answers in under a second; the circuit breaker then skips Redis; the sweep sends the emails later."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import kombu.transport.redis  # imported up front: the bound is for the fault, not a first import
import pytest
import redis
from django.core import mail
from django.urls import reverse

from clinic import tasks
from clinic.lib.breaker import redis_breaker
from clinic.models import Notification
from scheduling import services
from scheduling.models import Appointment
from tests.redis_faults import hanging_server, redis_at, refusing_server
from tests.scheduling.test_views_booking import as_visitor, confirm_form, confirm_url
from tests.scheduling.view_fixtures import WEDNESDAY_10AM, frozen

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
_ = frozen, kombu.transport.redis

BOUND_SECONDS = 1.0
FAULTS = [pytest.param(refusing_server, id="redis-down"), pytest.param(hanging_server, id="redis-hanging")]


def _timed(call: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


@pytest.mark.parametrize("fault", FAULTS)
def test_booking_through_the_service_commits_within_the_bound(
    fault: Callable[[], AbstractContextManager[str]], patient, provider, phone_type, on_commit
) -> None:
    def book() -> Appointment:
        with on_commit(execute=True):
            return services.book_appointment(
                patient=patient, provider=provider, appointment_type=phone_type, start=WEDNESDAY_10AM
            )

    with fault() as url, redis_at(url):
        appointment, elapsed = _timed(book)
    assert elapsed < BOUND_SECONDS, f"booking took {elapsed:.2f} s"
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.CONFIRMED
    assert Notification.objects.get().status == Notification.Status.PENDING
    assert mail.outbox == []
    assert tasks.send_due_notifications() == 1  # beat's sweep, once Redis is back
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("fault", FAULTS)
def test_booking_through_the_page_answers_within_the_bound(
    fault: Callable[[], AbstractContextManager[str]], client, provider, phone_type, on_commit
) -> None:
    as_visitor(client)
    data = confirm_form(client, provider, WEDNESDAY_10AM)
    url = confirm_url(provider, WEDNESDAY_10AM).split("?")[0]

    def post() -> object:
        with on_commit(execute=True):
            return client.post(url, data)

    with fault() as broker_url, redis_at(broker_url):
        response, elapsed = _timed(post)
    assert elapsed < BOUND_SECONDS, f"the booking page took {elapsed:.2f} s"
    assert Appointment.objects.count() == 1  # the booking committed
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("scheduling:book-done-visitor"))
    # The confirmation and the set-password link wait in the outbox for the sweep.
    assert Notification.objects.filter(status=Notification.Status.PENDING).count() == 2
    assert tasks.send_due_notifications() == 2
    assert len(mail.outbox) == 2


def _cache_get_fails() -> float:
    from django.core.cache import cache

    start = time.perf_counter()
    with pytest.raises(ConnectionError if not redis_breaker.allows() else redis.exceptions.TimeoutError):
        cache.get("k")
    return time.perf_counter() - start


def test_after_a_failure_redis_is_skipped_for_a_while_then_tried_again(settings) -> None:
    settings.REDIS_BREAKER_SECONDS = 0.3
    with hanging_server() as url, redis_at(url):
        first = _cache_get_fails()
        assert not redis_breaker.allows()
        skipped = _cache_get_fails()
        time.sleep(0.3)
        assert redis_breaker.allows()
        retried = _cache_get_fails()
    assert first >= 0.15 and retried >= 0.15, "a hanging Redis costs its timeout (0.2 s)"
    assert skipped < 0.05, "while the breaker is open, Redis is not tried"


def test_production_settings_allow_no_connection_retries_and_short_timeouts(settings) -> None:
    assert settings.REDIS_BROKER_TRANSPORT_OPTIONS["max_retries"] == 0
    assert settings.REDIS_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] <= 0.25
    assert settings.REDIS_BROKER_TRANSPORT_OPTIONS["socket_timeout"] <= 0.25
    assert settings.REDIS_CACHE_OPTIONS == {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}
    assert settings.REDIS_BREAKER_SECONDS == 10
