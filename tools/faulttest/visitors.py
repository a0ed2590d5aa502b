"""Visitors who book through the public pages over HTTP, as a browser would (cookies, CSRF, redirects)."""

from __future__ import annotations

import html
import http.cookiejar
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass
class Booking:
    n: int
    email: str
    started: float = 0.0
    finished: float = 0.0
    post_seconds: float = 0.0
    ok: bool = False
    collisions: int = 0
    server_errors: int = 0
    error: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Visitor:
    def __init__(self, base: str, n: int) -> None:
        self.base = base
        self.n = n
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        self.server_errors = 0

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        url = path if path.startswith("http") else self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = {"Referer": self.base + "/", "X-Faulttest-Booking": str(self.n)}
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            if error.code >= 500:
                self.server_errors += 1
            return error.code, error.read().decode(errors="replace"), error.headers.get("Location", "")

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")


def _links(page: str, pattern: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'href="([^"]*)"', page) if re.search(pattern, html.unescape(m))]


def slot_links(page: str) -> list[str]:
    """The times a day page offers, as the URLs their buttons submit (each is a GET form with hidden fields)."""
    urls = []
    for action, body in re.findall(r'<form method="get" action="([^"]*/confirm/)"[^>]*>(.*?)</form>', page, re.S):
        fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body)
        query = urllib.parse.urlencode([(name, html.unescape(value)) for name, value in fields], safe="/:")
        urls.append(f"{html.unescape(action)}?{query}")
    return urls


def _hidden_fields(page: str) -> dict[str, str]:
    form = next((chunk for chunk in page.split("<form")[1:] if 'name="idempotency_key"' in chunk), page)
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.split("</form>")[0])
    }


def _slots(visitor: Visitor, slug: str, n: int) -> list[str]:
    """The open times of one day; visitor ``n`` looks at the n-th open day, as real visitors spread out."""
    _, page, _ = visitor.request(f"/book/{slug}/?tz=America/New_York")
    days = _links(page, r"date=\d{4}-\d{2}-\d{2}")
    next_month = _links(page, r"month=\d{4}-\d{2}")
    if len(days) < 10 and next_month:
        _, page, _ = visitor.request(next_month[-1])
        days += _links(page, r"date=\d{4}-\d{2}-\d{2}")
    for offset in range(len(days)):
        _, day_page, _ = visitor.request(days[(n + offset) % len(days)])
        slots = slot_links(day_page)
        if slots:
            return slots
    raise RuntimeError("no open time found")


def book_once(base: str, booking: Booking, slug: str = "phone-consultation") -> None:
    """One visitor books: details, then confirm. A time another visitor took a moment ago is chosen again, as a
    person would (counted in ``booking.collisions``); anything else is a failed booking."""
    visitor = Visitor(base, booking.n)
    booking.started = time.time()
    chooser = random.Random(booking.n)
    try:
        slots = _slots(visitor, slug, booking.n)
        _, _, location = visitor.request(chooser.choice(slots))  # a visitor is sent to the details form first
        visitor.request(location)
        details = {
            "csrfmiddlewaretoken": visitor.csrf(),
            "legal_first_name": "Fault",
            "legal_last_name": f"Test{booking.n}",
            "email": booking.email,
            "phone": f"617 555 01{booking.n % 100:02d}",
            "date_of_birth": "1985-05-05",
            "time_zone": "America/New_York",
        }
        status, _, confirm = visitor.request(location, details)
        if status != 302:
            raise RuntimeError(f"details form answered {status}")
        for _attempt in range(5):
            status, page, _ = visitor.request(confirm)
            if status == 200:
                form = _hidden_fields(page)
                form["csrfmiddlewaretoken"] = visitor.csrf()
                started = time.perf_counter()
                status, _, location = visitor.request(f"/book/{slug}/confirm/", form)
                booking.post_seconds = time.perf_counter() - started
                if status == 302 and "/book/booked/" in location:
                    booking.ok = True
                    return
            if status != 409:
                raise RuntimeError(f"confirm answered {status}")
            booking.collisions += 1
            confirm = chooser.choice(_slots(visitor, slug, booking.n + booking.collisions))
        raise RuntimeError("every time tried was taken")
    except Exception as exc:
        booking.error = f"{type(exc).__name__}: {exc}"
    finally:
        booking.finished = time.time()
        booking.server_errors = visitor.server_errors
