"""Django admin's login page, replaced by the site's own login and second step.

The admin sends anyone it does not admit to ``admin:login``; this view answers that URL (it is routed before
the admin's own), so staff sign in and pass the second factor on the site's pages, which they know, instead of
Django's admin form with its list of devices. It asks the admin site who may enter, so it works whatever class
the site is.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from clinic.lib.http import safe_next_url


@require_safe
def admin_login(request: HttpRequest) -> HttpResponse:
    next_url = safe_next_url(request, request.GET.get("next")) or reverse("admin:index")
    if admin.site.has_permission(request):
        return redirect(next_url)
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(next_url)
    if user.is_clinic_staff and not user.is_verified():
        return redirect(f"{reverse('clinic:two-factor')}?{urlencode({'next': next_url})}")
    # Signed in and past every step, but not someone the admin admits (a patient): no login form would help.
    raise PermissionDenied
