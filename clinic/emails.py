"""Builders for the emails the core app sends. Each turns a notification's ids into template context."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.models import Notification
from clinic.notifications import EmailContent, NotificationObsolete, register
from clinic.tokens import email_verification_token


def _recipient(notification: Notification):  # noqa: ANN202 - a User
    if notification.recipient is None:
        raise NotificationObsolete
    return notification.recipient


@register("clinic/verify_email")
def verify_email(notification: Notification) -> EmailContent:
    user = _recipient(notification)
    if user.is_active:
        raise NotificationObsolete
    path = reverse(
        "clinic:verify-email",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": email_verification_token.make_token(user)},
    )
    return EmailContent({"action_path": path})


@register("clinic/account_exists")
def account_exists(notification: Notification) -> EmailContent:
    _recipient(notification)
    return EmailContent({"login_path": reverse("clinic:login"), "reset_path": reverse("clinic:password-reset")})


def _password_link(notification: Notification) -> EmailContent:
    user = _recipient(notification)
    path = reverse(
        "clinic:password-reset-confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    return EmailContent({"action_path": path})


register("clinic/password_reset")(_password_link)
register("clinic/set_password")(_password_link)
