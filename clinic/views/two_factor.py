"""The staff second factor: enrol an authenticator app, verify a code, and manage backup codes."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import services
from clinic.forms import TokenForm
from clinic.lib.http import safe_next_url


def _next_url(request: HttpRequest) -> str:
    url = safe_next_url(request, request.POST.get("next") or request.GET.get("next"))
    return url or reverse("clinic:after-login")


def _with_next(name: str, request: HttpRequest) -> str:
    """The URL of ``name``, carrying the page the user asked for through enrolment."""
    next_url = _next_url(request)
    if next_url == reverse("clinic:after-login"):
        return reverse(name)
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _staff_only(request: HttpRequest) -> None:
    if not request.user.is_clinic_staff:
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    if not user_has_device(request.user):
        return redirect(_with_next("clinic:two-factor-setup", request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", "That code did not work. Codes change every 30 seconds; try the newest one.")
    return render(request, "clinic/two_factor/verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    if user_has_device(request.user) and not request.user.is_verified():
        return redirect(_with_next("clinic:two-factor", request))
    device = services.staff_totp_device_for_enrolment(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.staff_totp_confirm(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            request.session["fresh_backup_codes"] = services.staff_backup_codes_generate(user=request.user)
            return redirect(_with_next("clinic:two-factor-backup-codes", request))
        form.add_error("token", "That code did not match. Check the time on your phone and try the newest code.")
    context = {"form": form, "qr_data_uri": _qr_data_uri(device.config_url), "secret": _base32(device)}
    return render(request, "clinic/two_factor/setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    if not request.user.is_verified():
        return redirect(_with_next("clinic:two-factor", request))
    if request.method == "POST":
        request.session["fresh_backup_codes"] = services.staff_backup_codes_generate(user=request.user)
        messages.success(request, "New backup codes were made. The old ones no longer work.")
        return redirect(_with_next("clinic:two-factor-backup-codes", request))
    codes = request.session.pop("fresh_backup_codes", None)
    remaining = sum(d.token_set.count() for d in request.user.staticdevice_set.all())
    context = {"codes": codes, "remaining": remaining, "continue_url": _with_next("clinic:after-login", request)}
    return render(request, "clinic/two_factor/backup_codes.html", context)


def _qr_data_uri(data: str) -> str:
    svg = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _base32(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
