"""Small request helpers shared by views."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, url: str | None) -> str | None:
    """A ``next`` target that stays on this site and is a path (``/...``), else None.

    A bare word such as ``foo`` would otherwise be taken for a URL name by ``redirect()`` and fail.
    """
    if not url or not url.startswith("/") or "\x00" in url:
        return None
    if url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return None
