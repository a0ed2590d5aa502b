"""How django-axes counts failed logins here: per email whatever its case, in three tiers."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """Lock out per email whatever its case, so changing case does not earn fresh attempts."""
    source = credentials if credentials else request.POST
    # No address is longer than 254 characters; axes stores the name in a 255-character column.
    return (source.get("username") or source.get("email") or "").strip().lower()[:254]


class TieredLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per tier of ``settings.LOGIN_FAILURE_LIMITS``.

    The tiers, in order (``AXES_LOCKOUT_PARAMETERS`` lists the same ones):

    1. one username from one address (``AXES_FAILURE_LIMIT``, 5): a guesser is stopped, and a stranger elsewhere
       cannot lock the account's owner out;
    2. one username from any address (higher): guessing one password from many addresses still stops;
    3. one address against any username (higher): password spraying stops.

    Axes compares one number with ``AXES_FAILURE_LIMIT``, so each tier's failures are given in units of that
    limit: ``failures * AXES_FAILURE_LIMIT // tier_limit`` reaches it exactly when the tier reaches its own.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        base = settings.AXES_FAILURE_LIMIT
        limits = [limit for _, limit in settings.LOGIN_FAILURE_LIMITS]
        attempts = self.get_user_attempts(request, credentials)
        counts = [qs.aggregate(total=Sum("failures_since_start"))["total"] or 0 for qs in attempts]
        return max((count * base // limit for count, limit in zip(counts, limits, strict=True)), default=0)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """A good password clears its own username-and-address failures only.

        Clearing every tier would let a sprayer wipe their address's record by logging in to their own account
        between rounds, and would let one login wipe what many addresses ran up against it.
        """
        own, *_ = self.filter_user_attempts(request, credentials)
        count, _ = own.delete()
        return count


# The backend a view names when it logs someone in itself (after a link proved who they are).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
