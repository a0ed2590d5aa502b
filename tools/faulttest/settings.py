"""Settings for ``make faulttest`` (tools/faulttest): production settings, with two changes.

- The booking rate limit per IP is lifted: every visitor of the harness comes from 127.0.0.1.
- The short profile (FAULTTEST_PROFILE=short) lowers the outbox's intervals so a run fits in five minutes. The
  production defaults (clinic/settings.py) stay: sweep every 60 s, a 2-minute lease, backoff from 60 s.
"""

from __future__ import annotations

import os

from clinic.settings import *  # noqa: F403

BOOKING_RATE_LIMITS = {"ip": (100_000, 60 * 60), "email": (5, 60 * 60)}

if os.environ.get("FAULTTEST_PROFILE") == "short":
    NOTIFICATION_SWEEP_SECONDS = 5
    NOTIFICATION_LEASE_SECONDS = 20
    NOTIFICATION_RETRY_BASE_SECONDS = 5
    NOTIFICATION_RETRY_CAP_SECONDS = 20
