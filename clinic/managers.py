from __future__ import annotations

from typing import Any, NoReturn

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models


class UserManager(BaseUserManager):
    """Email is the login; it is stored lower-cased and looked up without regard to case."""

    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str | None) -> Any:
        email = self.normalize_email(username)
        if len(email) > 254:  # no address is longer; SQLite refuses a LIKE pattern of 100k characters
            raise self.model.DoesNotExist
        return self.get(email__iexact=email)

    def _create_user(self, email: str, password: str | None, **extra: Any) -> Any:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Any:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Any:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class AccessLogQuerySet(models.QuerySet):
    """Bulk updates and deletes would bypass the model's append-only guard, so refuse them too."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise ValidationError("Access log entries cannot be changed.")

    def delete(self) -> NoReturn:
        raise ValidationError("Access log entries cannot be deleted.")
