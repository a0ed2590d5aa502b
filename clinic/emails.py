"""Builders for the emails the core app sends. Each turns a notification's ids into template context."""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clinic.models import Notification, User
from clinic.notifications import EmailContent, NotificationObsolete, register
from clinic.tokens import email_verification_token, password_link_token


def _recipient(notification: Notification) -> User:
    if notification.recipient is None:
        raise NotificationObsolete
    return notification.recipient


def _one_time_link(view_name: str, user: User, token_generator: PasswordResetTokenGenerator) -> EmailContent:
    """A link with the user's id and a fresh one-use token, made at send time so it is never stored."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(view_name, kwargs={"uidb64": uidb64, "token": token_generator.make_token(user)})
    return EmailContent({"action_path": path})


@register("clinic/verify_email")
def verify_email(notification: Notification) -> EmailContent:
    user = _recipient(notification)
    if user.is_active or user.activated_at is not None or user.deactivated_at is not None:
        raise NotificationObsolete
    content = _one_time_link("clinic:verify-email", user, email_verification_token)
    # Whoever typed the name has not shown they own this inbox: never echo it there.
    content.context["first_name"] = ""
    return content


@register("clinic/account_exists")
def account_exists(notification: Notification) -> EmailContent:
    if not _recipient(notification).is_active:
        raise NotificationObsolete  # a deactivated account is not invited back in
    return EmailContent({"login_path": reverse("clinic:login"), "reset_path": reverse("clinic:password-reset")})


def _password_link(notification: Notification) -> EmailContent:
    return _one_time_link("clinic:password-reset-confirm", _recipient(notification), password_link_token)


register("clinic/password_reset")(_password_link)
register("clinic/set_password")(_password_link)
