from __future__ import annotations

from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """Lock out per email whatever its case, so changing case does not earn fresh attempts."""
    source = credentials if credentials else request.POST
    # No address is longer than 254 characters; axes stores the name in a 255-character column.
    return (source.get("username") or source.get("email") or "").strip().lower()[:254]
