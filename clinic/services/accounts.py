"""Accounts: patient sign-up and profile, password reset, staff second factor."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.lib.roles import STAFF_ROLES
from clinic.models import Notification, Patient, User
from clinic.selectors import user_by_email
from clinic.services.notifications import notification_enqueue, notifications_cancel_for_user

PASSWORD_RESET_THROTTLE = timedelta(minutes=2)
SIGN_UP_EMAIL_THROTTLE = timedelta(minutes=15)
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
        _send_set_password_link(user)
    return patient


@transaction.atomic
def patient_sign_up(*, email: str, password: str, **profile: Any) -> Patient | None:
    """Self sign-up. The account stays inactive until its owner follows the emailed link.

    Sign-up never changes an existing account, and its answer never shows whether the email had one: the owner is
    emailed instead (a sign-up still waiting for its link gets the link again) and the caller gets ``None``. Both
    paths hash the password once and queue one email, so they take the same time.
    """
    existing = user_by_email(email)
    if existing is None:
        patient = patient_register(email=email, password=password, is_active=False, **profile)
        notification_enqueue(
            kind="clinic/verify_email", idempotency_key=f"verify-email:{patient.user_id}", recipient=patient.user
        )
        return patient
    make_password(password)  # the work a new account does, so timing tells nothing
    # A sign-up an admin closed gets no fresh link: "account exists", which is never sent to an inactive account.
    pending = existing.activated_at is None and existing.deactivated_at is None
    kind = "clinic/verify_email" if pending else "clinic/account_exists"
    if not _recently_emailed(existing, kind=kind, within=SIGN_UP_EMAIL_THROTTLE):
        notification_enqueue(
            kind=kind, idempotency_key=f"{kind}:{existing.pk}:{secrets.token_hex(8)}", recipient=existing
        )
    return None


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete an account. What was not yet sent to it is cancelled; sent and failed emails stay on record."""
    notifications_cancel_for_user(user=user)
    user.delete()


def email_verify(*, user: User) -> bool:
    """Activate a new sign-up, once. False for a used link, for any account that was ever active before, and for
    a sign-up an admin deactivated before it was verified."""
    return bool(
        User.objects.filter(pk=user.pk, is_active=False, activated_at__isnull=True, deactivated_at__isnull=True).update(
            is_active=True, activated_at=timezone.now()
        )
    )


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
    user = user_by_email(email)
    if (
        user is None
        or not user.is_active
        or _recently_emailed(user, kind="clinic/password_reset", within=PASSWORD_RESET_THROTTLE)
    ):
        return
    notification_enqueue(
        kind="clinic/password_reset",
        idempotency_key=f"password-reset:{user.pk}:{secrets.token_hex(8)}",
        recipient=user,
    )


@transaction.atomic
def account_roles_saved(*, account: User, by: User, created: bool) -> None:
    """After an admin saves an account's roles: a user is staff exactly when they hold a staff role (a superuser
    stays as a superuser set them), and a new account gets a link to set its own password."""
    if not account.is_superuser:
        is_staff = account.groups.filter(name__in=STAFF_ROLES).exists()
        User.objects.filter(pk=account.pk).update(is_staff=is_staff)
        account.is_staff = is_staff
    if created:
        notification_enqueue(
            kind="clinic/set_password", idempotency_key=f"set-password:{account.pk}", recipient=account
        )


def account_send_password_link(*, accounts: Iterable[User]) -> int:
    """Email each active account a link to set a new password: the only way staff change someone else's password."""
    sent = 0
    for account in accounts:
        if account.is_active:
            key = f"password-link:{account.pk}:{secrets.token_hex(8)}"
            notification_enqueue(kind="clinic/password_reset", idempotency_key=key, recipient=account)
            sent += 1
    return sent


def account_deactivate(*, accounts: Iterable[User]) -> int:
    """Stop the accounts from logging in; their open sessions end at the next request. A sign-up still waiting for
    its owner to verify it (inactive, never activated) is closed too, so its emailed link never activates it.
    ``deactivated_at`` changes the hash of every password and verification link already sent: they stop working."""
    pks = [account.pk for account in accounts]
    closable = Q(is_active=True) | Q(is_active=False, activated_at__isnull=True, deactivated_at__isnull=True)
    return User.objects.filter(closable, pk__in=pks).update(is_active=False, deactivated_at=timezone.now())


def _send_set_password_link(user: User) -> None:
    notification_enqueue(kind="clinic/set_password", idempotency_key=f"set-password:{user.pk}", recipient=user)


def _recently_emailed(user: User, *, kind: str, within: timedelta) -> bool:
    """Whether ``user`` was sent (or is about to be sent) a ``kind`` email lately: repeats wait, so nobody can flood
    someone's inbox through a public form."""
    return Notification.objects.filter(recipient=user, kind=kind, created_at__gte=timezone.now() - within).exists()


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
