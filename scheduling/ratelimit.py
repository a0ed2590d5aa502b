"""The booking POST's rate limits (``clinic.lib.ratelimit``), per client address and per email.

They count distinct bookings: a retry of the same confirm form (the same idempotency key) is the same booking,
answered the same way, and is not counted again.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from clinic.lib import ratelimit
from clinic.lib.http import client_ip

# (requests, seconds); overridable in settings, read at call time.
DEFAULT_BOOKING_LIMITS = {"ip": (20, 60 * 60), "email": (5, 60 * 60)}


def hit(scope: str, value: str, *, attempt: str = "") -> bool:
    """Count one booking for ``value`` in ``scope`` ("ip" or "email"); False when it is over the limit."""
    limit, window = getattr(settings, "BOOKING_RATE_LIMITS", DEFAULT_BOOKING_LIMITS)[scope]
    return ratelimit.hit(f"booking:{scope}", value, limit=limit, window=window, attempt=attempt)


def booking_allowed(request: HttpRequest, *, email: str = "", attempt: str = "") -> bool:
    """Both the per-IP and (when known) the per-email limits must allow the booking."""
    ip_ok = hit("ip", client_ip(request) or "unknown", attempt=attempt)
    email_ok = hit("email", email, attempt=attempt) if email else True
    return ip_ok and email_ok
