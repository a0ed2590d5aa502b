from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect


class IdleTimeoutMiddleware:
    """Log out after a spell of inactivity (shorter for staff) and after an absolute maximum."""

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
        return self.get_response(request)

    def _expire(self, request: HttpRequest, *, minutes: int) -> HttpResponse:
        logout(request)
        messages.info(request, f"For your privacy you were logged out after {minutes} minutes without activity.")
        response = redirect_to_login(request.get_full_path())
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(response.url)
        return response
