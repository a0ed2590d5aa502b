"""A small fixed-window rate limit on Django's cache, for the booking POST.

A cache outage (Redis down) must never stop a booking: the limiter then lets the request through.
"""

from __future__ import annotations

import hashlib
import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)

# (requests, seconds); overridable in settings, read at call time.
DEFAULT_BOOKING_LIMITS = {"ip": (20, 60 * 60), "email": (5, 60 * 60)}


def _key(scope: str, value: str) -> str:
    # Hashed so the cache never holds an email address or an IP in clear.
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:booking:{scope}:{digest}"


def hit(scope: str, value: str) -> bool:
    """Count one request for ``value`` in ``scope``; False when it is over the limit."""
    limits = getattr(settings, "BOOKING_RATE_LIMITS", DEFAULT_BOOKING_LIMITS)
    limit, window = limits[scope]
    key = _key(scope, value)
    try:
        if cache.add(key, 1, timeout=window):
            return True
        return cache.incr(key) <= limit
    except ValueError:
        # The key expired between add() and incr(): this is the first hit of a new window.
        return True
    except Exception:  # any cache failure must let the booking through
        logger.warning("booking rate limit skipped: cache unavailable")
        return True


def client_ip(request: HttpRequest) -> str:
    return get_client_ip_address(request) or "unknown"


def booking_allowed(request: HttpRequest, *, email: str = "") -> bool:
    """Both the per-IP and (when known) the per-email limits must allow the booking."""
    ip_ok = hit("ip", client_ip(request))
    email_ok = hit("email", email) if email else True
    return ip_ok and email_ok
