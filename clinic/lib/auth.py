from __future__ import annotations

from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """Lock out per email whatever its case, so changing case does not earn fresh attempts."""
    source = credentials if credentials else request.POST
    return (source.get("username") or source.get("email") or "").strip().lower()
