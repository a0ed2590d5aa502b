"""A Redis that is down or hangs, with the production broker and cache settings (clinic/settings.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.test import override_settings

from clinic.celery import app as celery_app
from tools.faultsmtp import free_port


@contextmanager
def hanging_server() -> Iterator[str]:
    """A port that accepts connections and never answers; yields its redis:// URL."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


@contextmanager
def refusing_server() -> Iterator[str]:
    """A port where nothing listens."""
    yield f"redis://127.0.0.1:{free_port()}/0"


@contextmanager
def redis_at(url: str) -> Iterator[None]:
    """The Celery broker and the cache both at ``url``, as production configures them (REDIS_URL set)."""
    keys = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {key: celery_app.conf[key] for key in keys}
    saved_pools = (celery_app._pool, celery_app.amqp._producer_pool)
    celery_app._pool = celery_app.amqp._producer_pool = None  # so the broken broker gets pools of its own
    celery_app.conf.update(
        broker_url=url, task_always_eager=False, broker_transport_options=settings.REDIS_BROKER_TRANSPORT_OPTIONS
    )
    cache = {"BACKEND": "clinic.lib.cache.BreakerRedisCache", "LOCATION": url, "OPTIONS": settings.REDIS_CACHE_OPTIONS}
    try:
        with override_settings(CACHES={"default": cache}):
            yield
    finally:
        celery_app.conf.update(saved)
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool, celery_app.amqp._producer_pool = saved_pools
