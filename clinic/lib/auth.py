from __future__ import annotations

from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """Lock out per email whatever its case, so changing case does not earn fresh attempts."""
    source = credentials if credentials else request.POST
    return (source.get("username") or source.get("email") or "").strip().lower()


# The backend a view names when it logs someone in itself (after a link proved who they are).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
