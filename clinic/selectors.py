"""Reads. Anything that reads patient data for a user goes through here, scoped to that user."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from clinic.models import AccessLog, MailServerAlert, Notification, Patient, User


def user_by_email(email: str) -> User | None:
    """The account with this email, whatever its case and surrounding spaces, or None."""
    return User.objects.filter(email__iexact=User.objects.normalize_email(email)).first()


def patient_for_user(user: User) -> Patient:
    """The signed-in user's own patient profile, or 404."""
    return get_object_or_404(Patient.objects.select_related("user"), user_id=user.pk)


def patients_search(*, query: str = "") -> QuerySet[Patient]:
    """Staff patient directory: by name, email or phone digits."""
    patients = Patient.objects.select_related("user")
    query = query.strip()[:100]
    if not query:
        return patients
    condition = Q()
    for term in query.split():
        digits = "".join(ch for ch in term if ch.isdigit())
        term_q = (
            Q(legal_first_name__icontains=term)
            | Q(legal_last_name__icontains=term)
            | Q(preferred_name__icontains=term)
            | Q(user__email__icontains=term)
        )
        if len(digits) >= 4:
            term_q |= Q(phone__contains=digits)
        condition &= term_q
    return patients.filter(condition)


def patient_for_staff(*, pk: int) -> Patient:
    return get_object_or_404(Patient.objects.select_related("user"), pk=pk)


def patient_recent_access(*, patient: Patient, limit: int = 10) -> list[AccessLog]:
    return list(AccessLog.objects.filter(patient=patient).select_related("user")[:limit])


def notification_keys_taken(*, idempotency_keys: Iterable[str]) -> set[str]:
    """Which of these keys already have a notification (of any status): the outbox sends each key once."""
    return set(
        Notification.objects.filter(idempotency_key__in=list(idempotency_keys)).values_list(
            "idempotency_key", flat=True
        )
    )


def notifications_failed() -> QuerySet[Notification]:
    """Emails that failed for good and that nobody has resolved yet: staff must act on these."""
    return (
        Notification.objects.filter(status=Notification.Status.FAILED, resolved_at__isnull=True)
        .select_related("recipient__patient")
        .order_by("-failed_at", "-pk")
    )


def notification_failed_for_staff(*, pk: int) -> Notification:
    return get_object_or_404(Notification, pk=pk, status=Notification.Status.FAILED)


def mail_server_alert_open() -> MailServerAlert | None:
    """The mail server's current set-up fault, if it is refusing everything right now."""
    return MailServerAlert.objects.filter(cleared_at__isnull=True).first()
