"""Django's auth views, with our forms, templates and the staff second-factor step."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode

from clinic.forms import LoginForm, OutboxPasswordResetForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        # A fresh login has passed no second factor yet, so staff always take that step next.
        if self.request.user.is_clinic_staff:
            return f"{reverse('clinic:two-factor')}?{urlencode({'next': url})}"
        return url


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("clinic:password-reset-done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("clinic:password-reset-complete")
    # Signing in straight away would skip the second factor for staff; patients log in next.
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        # A first password (an account made by a booking) leads on to the patient's next step after login.
        first_password = not self.user.has_usable_password() and hasattr(self.user, "patient")
        response = super().form_valid(form)
        if first_password:
            next_url = resolve_url(settings.PATIENT_NEW_ACCOUNT_URL)
            return redirect(f"{reverse('clinic:password-reset-complete')}?{urlencode({'next': next_url})}")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("clinic:password-change-done")
