"""Sign-up, email verification, login routing and the patient's own profile."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_GET, require_http_methods

from clinic import services
from clinic.decorators import patient_required
from clinic.forms import PatientProfileForm, SignUpForm
from clinic.lib import ratelimit
from clinic.lib.auth import MODEL_BACKEND
from clinic.lib.http import client_ip, safe_next_url
from clinic.models import User
from clinic.selectors import patient_for_user
from clinic.tokens import email_verification_token


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("clinic:after-login")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        limit, window = settings.SIGN_UP_RATE_LIMIT
        if not ratelimit.hit("sign-up:ip", client_ip(request) or "unknown", limit=limit, window=window):
            form.add_error(None, "Too many sign-ups from your connection. Please try again in an hour, or call us.")
            return render(request, "registration/sign_up.html", {"form": form}, status=429)
        services.patient_sign_up(
            email=form.cleaned_data["email"], password=form.cleaned_data["password1"], **form.profile_data()
        )
        request.session["sign_up_email"] = form.cleaned_data["email"]
        return redirect("clinic:sign-up-done")
    return render(request, "registration/sign_up.html", {"form": form})


@require_GET
def sign_up_done(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/sign_up_done.html", {"email": request.session.get("sign_up_email", "")})


@require_GET
def verify_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not email_verification_token.check_token(user, token) or not services.email_verify(user=user):
        return render(request, "registration/verify_email_invalid.html", status=400)
    user.refresh_from_db()
    login(request, user, backend=MODEL_BACKEND)
    messages.success(request, "Your email is confirmed and your account is ready.")
    return redirect(settings.PATIENT_HOME_URL)


@login_required
@require_GET
def after_login(request: HttpRequest) -> HttpResponse:
    """Send each kind of user to their own home, honouring a safe ?next=."""
    next_url = safe_next_url(request, request.GET.get("next"))
    if next_url:
        return HttpResponseRedirect(next_url)
    if request.user.is_clinic_staff:
        return redirect(settings.STAFF_HOME_URL)
    return redirect(settings.PATIENT_HOME_URL)


@patient_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    patient = patient_for_user(request.user)
    form = PatientProfileForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        services.patient_profile_update(patient=patient, **form.cleaned_data)
        messages.success(request, "Your details are saved.")
        return redirect("clinic:profile")
    return render(request, "clinic/profile.html", {"form": form, "patient": patient})
