from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect


class IdleTimeoutMiddleware:
    """Log out after a spell of inactivity (shorter for staff) and after an absolute maximum.

    Staff sessions also end when the browser closes: their cookie is made a session cookie on the response
    that logs them in (the login page, the admin's), and on every response after.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault("auth_started_at", now)
            last = request.session.get("last_activity_at", now)
            idle_limit = settings.STAFF_IDLE_TIMEOUT if request.user.is_clinic_staff else settings.PATIENT_IDLE_TIMEOUT
            if now - last > idle_limit.total_seconds() or now - started > settings.SESSION_MAX_AGE.total_seconds():
                return self._expire(request, minutes=int(idle_limit.total_seconds() // 60))
            request.session["last_activity_at"] = now
        response = self.get_response(request)
        user = getattr(request, "user", None)  # after the view: a login has just replaced the user
        staff = user is not None and user.is_authenticated and user.is_clinic_staff
        if staff and not request.session.get_expire_at_browser_close():
            request.session.set_expiry(0)
        return response

    def _expire(self, request: HttpRequest, *, minutes: int) -> HttpResponse:
        logout(request)
        messages.info(request, f"For your privacy you were logged out after {minutes} minutes without activity.")
        response = redirect_to_login(request.get_full_path())
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(response.url)
        return response


class PrivacyHeadersMiddleware:
    """Pages are never stored by browsers or proxies, and may not use the camera, location and the like.

    One rule for every page the app renders (portal, staff, signed-link and booking pages all show health or
    contact details), instead of a decorator on each: a response gets ``Cache-Control: no-store`` unless its
    view set a Cache-Control of its own. Static files never come here (WhiteNoise answers them first, with
    long-lived caching).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        if not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        return response
