from __future__ import annotations

from datetime import datetime

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from clinic.models import User


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else str(moment.replace(microsecond=0, tzinfo=None))


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """A one-use link for a new sign-up.

    The hash covers the state that using the link changes (``is_active``, ``activated_at`` and ``last_login``), so a
    used link never works again, and a deactivated account (which keeps ``activated_at``) gets nothing from it.
    """

    key_salt = "clinic.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        activated, last_login, deactivated = map(_stamp, (user.activated_at, user.last_login, user.deactivated_at))
        return f"{user.pk}{user.email}{user.is_active}{activated}{last_login}{deactivated}{timestamp}"


class PasswordLinkTokenGenerator(PasswordResetTokenGenerator):
    """The password-reset and set-password links: Django's token (password hash, last login, email), also bound
    to ``is_active`` and ``deactivated_at``, so a link sent before an account was deactivated never works, even
    after it is reactivated."""

    key_salt = "clinic.tokens.PasswordLinkTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}{_stamp(user.deactivated_at)}"


email_verification_token = EmailVerificationTokenGenerator()
password_link_token = PasswordLinkTokenGenerator()
