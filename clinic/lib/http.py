"""Request helpers: the client's address, the one way every part of the app reads it (axes, rate limits, the access
log), and a safe ``next`` target."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str | None:
    """Who sent the request, seen through ``settings.TRUSTED_PROXIES`` reverse proxies (none by default).

    Each proxy appends the address that reached it to X-Forwarded-For, so with N trusted proxies the client is
    the Nth entry from the right. Entries further left came from the client and can say anything, so they are
    never read; with no trusted proxy the header is ignored. None when the address is not an IP address.
    """
    trusted = settings.TRUSTED_PROXIES
    remote = request.META.get("REMOTE_ADDR", "")
    if trusted <= 0:
        return _ip(remote)
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return _ip(remote)  # nothing forwarded: whoever connected is the client
    # Fewer hops than proxies means the request entered the chain part-way; the first hop is still one that a
    # trusted proxy wrote.
    return _ip(hops[-trusted] if len(hops) >= trusted else hops[0])


def _ip(value: str) -> str | None:
    """The address in ``value`` ("1.2.3.4", "1.2.3.4:80", "[2001:db8::1]:443"), normalised, or None."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def safe_next_url(request: HttpRequest, url: str | None) -> str | None:
    """A ``next`` target that stays on this site and is a path (``/...``), else None.

    A bare word such as ``foo`` would otherwise be taken for a URL name by ``redirect()`` and fail.
    """
    if not url or not url.startswith("/") or "\x00" in url:
        return None
    if url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return None


def query_id(value: str | None) -> int | None:
    """A positive id from a query string or form, else None.

    ASCII digits only, and few of them: "²".isdigit() is true but int("²") raises, and int() of 4,300 digits or more
    raises too.
    """
    if value and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None
