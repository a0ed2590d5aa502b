from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from clinic.models import User


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """A one-use link for a new sign-up.

    The hash covers the state that using the link changes (``is_active``, ``activated_at`` and ``last_login``), so a
    used link never works again, and a deactivated account (which keeps ``activated_at``) gets nothing from it.
    """

    key_salt = "clinic.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        activated = "" if user.activated_at is None else user.activated_at.replace(microsecond=0, tzinfo=None)
        last_login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.email}{user.is_active}{activated}{last_login}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
