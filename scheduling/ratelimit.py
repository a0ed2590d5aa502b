"""A small fixed-window rate limit on Django's cache, for the booking POST.

It counts distinct bookings: a retry of the same confirm form (the same idempotency key) is the same booking,
answered the same way, and is not counted again. A cache outage (Redis down) must never stop a booking: the
limiter then lets the request through.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from clinic.lib.http import client_ip

logger = logging.getLogger(__name__)

# (requests, seconds); overridable in settings, read at call time.
DEFAULT_BOOKING_LIMITS = {"ip": (20, 60 * 60), "email": (5, 60 * 60)}


def _digest(value: str) -> str:
    # Hashed so the cache never holds an email address or an IP in clear.
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def hit(scope: str, value: str, *, attempt: str = "") -> bool:
    """Count one booking for ``value`` in ``scope``; False when it is over the limit.

    ``attempt`` names the booking (its idempotency key): the same one again is a retry, judged by the current
    count without adding to it.
    """
    limits = getattr(settings, "BOOKING_RATE_LIMITS", DEFAULT_BOOKING_LIMITS)
    limit, window = limits[scope]
    key = f"ratelimit:booking:{scope}:{_digest(value)}"
    try:
        if attempt and not cache.add(f"{key}:seen:{_digest(attempt)}", 1, timeout=window):
            return (cache.get(key) or 0) <= limit
        if cache.add(key, 1, timeout=window):
            return True
        return cache.incr(key) <= limit
    except ValueError:
        # The key expired between add() and incr(): this is the first hit of a new window.
        return True
    except Exception:  # any cache failure must let the booking through
        logger.warning("booking rate limit skipped: cache unavailable")
        return True


def booking_allowed(request: HttpRequest, *, email: str = "", attempt: str = "") -> bool:
    """Both the per-IP and (when known) the per-email limits must allow the booking."""
    ip_ok = hit("ip", client_ip(request) or "unknown", attempt=attempt)
    email_ok = hit("email", email, attempt=attempt) if email else True
    return ip_ok and email_ok
