"""A small fixed-window rate limit on Django's cache, for public forms (sign-up, booking).

Values are hashed, so the cache never holds an email address or an IP address in clear. A cache outage (Redis down)
never stops a form: the limiter then lets the request through.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def hit(name: str, value: str, *, limit: int, window: int, attempt: str = "") -> bool:
    """Count one request for ``value`` under ``name``; False once more than ``limit`` came in ``window`` seconds.

    ``attempt`` names the request (an idempotency key): the same one again is a retry, judged by the current count
    without adding to it.
    """
    key = f"ratelimit:{name}:{_digest(value)}"
    try:
        if attempt and not cache.add(f"{key}:seen:{_digest(attempt)}", 1, timeout=window):
            return (cache.get(key) or 0) <= limit
        if cache.add(key, 1, timeout=window):
            return True
        return cache.incr(key) <= limit
    except ValueError:
        # The key expired between add() and incr(): this is the first hit of a new window.
        return True
    except Exception:  # any cache failure must let the request through
        logger.warning("rate limit %s skipped: cache unavailable", name)
        return True
