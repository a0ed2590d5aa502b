from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from clinic.models import User


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """A one-use link: it stops working once the account it activates is active."""

    key_salt = "clinic.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}{user.email}{user.is_active}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
