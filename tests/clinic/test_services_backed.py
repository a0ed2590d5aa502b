"""Round trips through the real services when they are configured (the PostgreSQL + Redis CI leg)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection

from clinic.celery import app as celery_app


@pytest.mark.redis
def test_cache_round_trip_through_redis() -> None:
    cache.set("clinic-test-key", {"n": 1}, 30)
    assert cache.get("clinic-test-key") == {"n": 1}
    cache.delete("clinic-test-key")


@pytest.mark.redis
def test_celery_broker_is_redis_and_reachable() -> None:
    assert celery_app.conf.broker_url.startswith("redis://")
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert conn.connected


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgresql_with_btree_gist_available() -> None:
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gist'")
        assert cursor.fetchone() == (1,)
