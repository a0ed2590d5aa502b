"""A small circuit breaker for Redis (the Celery broker and the cache share it).

After a failure, callers skip Redis for ``settings.REDIS_BREAKER_SECONDS`` instead of paying a timeout on every
request. The state is per process: each web and worker process learns about an outage on its own first failure.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, name: str) -> None:
        self.name = name
        self._open_until = 0.0
        self._lock = threading.Lock()

    def allows(self) -> bool:
        """True when the service may be tried: the breaker is closed, or its pause is over (one more try)."""
        return time.monotonic() >= self._open_until

    def trip(self) -> None:
        with self._lock:
            was_closed = self.allows()
            self._open_until = time.monotonic() + settings.REDIS_BREAKER_SECONDS
        if was_closed:
            logger.warning("%s unavailable; skipping it for %s s", self.name, settings.REDIS_BREAKER_SECONDS)

    def reset(self) -> None:
        self._open_until = 0.0


redis_breaker = CircuitBreaker("Redis")
