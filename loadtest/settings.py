"""The app's settings, with the booking rate limits raised: only the load test uses this module.

Every load-test client comes from 127.0.0.1, so the per-address limit (20 bookings an hour) would turn the booking
part of the mix into 429s after a few seconds.
"""

from __future__ import annotations

from clinic.settings import *  # noqa: F403

BOOKING_RATE_LIMITS = {"ip": (1_000_000, 3600), "email": (1_000_000, 3600)}
