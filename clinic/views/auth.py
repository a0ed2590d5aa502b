"""Django's auth views, with our forms, templates and the staff second-factor step."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import urlencode

from clinic.decorators import second_factor_if_staff
from clinic.forms import LoginForm, OutboxPasswordResetForm
from clinic.lib.auth import MODEL_BACKEND
from clinic.tokens import password_link_token


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
    """Set a password from an emailed link. A patient is then logged in: a first password (an account a booking made)
    goes on to the screening, a reset to the portal. Staff log in again, because signing in here would skip their
    second factor."""

    success_url = reverse_lazy("clinic:password-reset-complete")
    post_reset_login = False
    token_generator = password_link_token

    def form_valid(self, form: Any) -> HttpResponse:
        # A first password (an account made by a booking) leads on to the patient's next step: the screening.
        first_password = not self.user.has_usable_password()
        response = super().form_valid(form)
        user = form.user
        if user.is_active and not user.is_clinic_staff and hasattr(user, "patient"):
            login(self.request, user, backend=MODEL_BACKEND)
            messages.success(self.request, "Your password is set and you are logged in.")
            return redirect(
                resolve_url(settings.PATIENT_NEW_ACCOUNT_URL if first_password else settings.PATIENT_HOME_URL)
            )
        return response


@method_decorator(second_factor_if_staff, name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("clinic:password-change-done")
