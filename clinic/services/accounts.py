"""Accounts: patient sign-up and profile, password reset, staff second factor."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import Notification, Patient, User
from clinic.services.notifications import notification_enqueue, notifications_cancel_for_user

PASSWORD_RESET_THROTTLE = timedelta(minutes=2)
BACKUP_DEVICE_NAME = "backup"


@transaction.atomic
def patient_register(
    *,
    email: str,
    legal_first_name: str,
    legal_last_name: str,
    date_of_birth: date,
    phone: Any,
    password: str | None = None,
    preferred_name: str = "",
    sex_at_birth: str = Patient.SexAtBirth.UNKNOWN,
    time_zone: str = "America/New_York",
    emergency_contact_name: str = "",
    emergency_contact_phone: Any = "",
    is_active: bool = True,
) -> Patient:
    """Create a user and their patient profile. Without a password, email a link to set one."""
    user = User.objects.create_user(email=email, password=password, is_active=is_active)
    patient = Patient(
        user=user,
        legal_first_name=legal_first_name,
        legal_last_name=legal_last_name,
        preferred_name=preferred_name,
        date_of_birth=date_of_birth,
        sex_at_birth=sex_at_birth,
        phone=phone,
        time_zone=time_zone,
        emergency_contact_name=emergency_contact_name,
        emergency_contact_phone=emergency_contact_phone,
    )
    patient.full_clean(exclude=["user"])
    patient.save()
    if password is None:
        notification_enqueue(kind="clinic/set_password", idempotency_key=f"set-password:{user.pk}", recipient=user)
    return patient


@transaction.atomic
def patient_sign_up(*, email: str, password: str, **profile: Any) -> Patient | None:
    """Self sign-up. The account stays inactive until its owner follows the emailed link.

    The answer never shows whether the email already had an account: its owner gets an email
    instead, and the caller gets ``None``.
    """
    existing = User.objects.filter(email__iexact=User.objects.normalize_email(email)).first()
    if existing is not None:
        kind = "clinic/verify_email" if not existing.is_active else "clinic/account_exists"
        notification_enqueue(
            kind=kind, idempotency_key=f"{kind}:{existing.pk}:{secrets.token_hex(8)}", recipient=existing
        )
        return None
    patient = patient_register(email=email, password=password, is_active=False, **profile)
    notification_enqueue(
        kind="clinic/verify_email", idempotency_key=f"verify-email:{patient.user_id}", recipient=patient.user
    )
    return patient


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete an account. What was not yet sent to it is cancelled; sent and failed emails stay on record."""
    notifications_cancel_for_user(user=user)
    user.delete()


def email_verify(*, user: User) -> bool:
    """Activate the account. Returns False when it was already active (a reused link)."""
    return bool(User.objects.filter(pk=user.pk, is_active=False).update(is_active=True))


@transaction.atomic
def patient_profile_update(*, patient: Patient, **fields: Any) -> Patient:
    for name, value in fields.items():
        setattr(patient, name, value)
    patient.full_clean(exclude=["user"])
    patient.save()
    return patient


def password_reset_request(*, email: str) -> None:
    """Queue a reset email for an active account with this email, if there is one.

    Nothing is sent in the request, and the caller learns nothing: the page reads the same either way.
    """
    user = User.objects.filter(email__iexact=User.objects.normalize_email(email), is_active=True).first()
    if user is None:
        return
    recent = Notification.objects.filter(
        recipient=user,
        kind="clinic/password_reset",
        created_at__gte=timezone.now() - PASSWORD_RESET_THROTTLE,
    )
    if recent.exists():
        return
    notification_enqueue(
        kind="clinic/password_reset",
        idempotency_key=f"password-reset:{user.pk}:{secrets.token_hex(8)}",
        recipient=user,
    )


def staff_totp_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up, made on first visit so the QR code stays the same."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="authenticator", confirmed=False)
    return device


def staff_totp_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm a new authenticator app if the code it shows is right."""
    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    return True


@transaction.atomic
def staff_backup_codes_generate(*, user: User) -> list[str]:
    """Replace the user's backup codes with a fresh set, and return them to show once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(10)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
