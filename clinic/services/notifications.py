"""The notification outbox: enqueue in the caller's transaction, send at most once per claim."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.models import Notification, User
from clinic.notifications import (
    ContentRuleViolation,
    NotificationObsolete,
    builder_for,
    email_texts,
    forbidden_words_in,
)

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
SWEEP_BATCH = 200
# Refused recipients will be refused again; everything else from SMTP or the network may pass later.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError, TimeoutError)


@dataclass(frozen=True)
class SendOutcome:
    status: str  # "sent", "retry", "failed", "cancelled" or "skipped"
    retry_at: datetime | None = None


def notification_enqueue(
    *,
    kind: str,
    idempotency_key: str,
    recipient: User | None = None,
    to_email: str = "",
    context: dict[str, Any] | None = None,
    due_at: datetime | None = None,
) -> Notification:
    """Write the notification in the caller's transaction; hand it to a worker once that commits.

    The same key twice gives the same row, so a retried request never queues a second email.
    """
    builder_for(kind)  # fail now, not at send time, on an unknown kind
    notification, created = Notification.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "kind": kind,
            "recipient": recipient,
            "to_email": to_email,
            "context": context or {},
            "due_at": due_at or timezone.now(),
        },
    )
    if created and notification.due_at <= timezone.now():
        transaction.on_commit(lambda: _dispatch(notification.pk))
    return notification


def notifications_cancel(*, idempotency_keys: Iterable[str] = (), key_prefix: str = "") -> int:
    """Withdraw pending notifications, for example the reminders of a cancelled appointment.

    By their keys, or every pending one whose key starts with ``key_prefix`` (the caller owns its key format, so the
    prefix should end with a separator: ``"reminder:12:"`` must not reach ``"reminder:123:..."``).
    """
    keys = Q(idempotency_key__in=list(idempotency_keys))
    if key_prefix:
        keys |= Q(idempotency_key__startswith=key_prefix)
    return Notification.objects.filter(keys, status=Notification.Status.PENDING).update(
        status=Notification.Status.CANCELLED, locked_until=None
    )


def notification_send(*, notification_id: int) -> SendOutcome:
    """Send one notification if this caller wins the claim on it. Safe to run any number of times."""
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING, due_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + LEASE, attempts=F("attempts") + 1)
    )
    if not claimed:
        return SendOutcome("skipped")

    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        message = _render(notification)
    except NotificationObsolete:
        _finish(notification, Notification.Status.CANCELLED, error="obsolete")
        return SendOutcome("cancelled")
    except ContentRuleViolation:
        logger.error("Notification %s broke the email content rule and was not sent", notification.pk)
        _finish(notification, Notification.Status.FAILED, error="content_rule")
        return SendOutcome("failed")

    try:
        message.send()
    except PERMANENT_ERRORS as exc:
        logger.warning("Notification %s refused by the mail server", notification.pk)
        _finish(notification, Notification.Status.FAILED, error=type(exc).__name__)
        return SendOutcome("failed")
    except TRANSIENT_ERRORS as exc:
        return _schedule_retry(notification, error=type(exc).__name__)

    _finish(notification, Notification.Status.SENT)
    logger.info("Notification %s sent", notification.pk)
    return SendOutcome("sent")


def notifications_send_due() -> int:
    """Send every due, pending notification: the safety net for a broker outage or a lost task."""
    now = timezone.now()
    due_ids = list(
        Notification.objects.filter(status=Notification.Status.PENDING, due_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(notification_send(notification_id=pk).status == "sent" for pk in due_ids)


def _dispatch(notification_id: int) -> None:
    from clinic.tasks import send_notification  # tasks import services; import here to avoid a cycle

    try:
        send_notification.apply_async((notification_id,), retry=False)
    except Exception:
        # The periodic sweep sends it; the change that caused it has already committed.
        logger.warning("Broker unavailable; notification %s waits for the periodic sweep", notification_id)


def _schedule_retry(notification: Notification, *, error: str) -> SendOutcome:
    if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        logger.error("Notification %s failed after %s attempts", notification.pk, notification.attempts)
        _finish(notification, Notification.Status.FAILED, error=error)
        return SendOutcome("failed")
    retry_at = timezone.now() + min(timedelta(minutes=2 ** (notification.attempts - 1)), timedelta(hours=1))
    Notification.objects.filter(pk=notification.pk).update(due_at=retry_at, locked_until=None, last_error=error)
    logger.warning("Notification %s will be retried (%s)", notification.pk, error)
    return SendOutcome("retry", retry_at=retry_at)


def _finish(notification: Notification, status: str, *, error: str = "") -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=status,
        locked_until=None,
        last_error=error,
        sent_at=timezone.now() if status == Notification.Status.SENT else None,
    )


def _render(notification: Notification) -> EmailMultiAlternatives:
    content = builder_for(notification.kind)(notification)
    recipient = notification.recipient
    context = {
        "clinic_name": settings.CLINIC_EMAIL_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "site_url": settings.SITE_URL.rstrip("/"),
        "first_name": _first_name(recipient),
        **content.context,
    }
    prefix = f"emails/{notification.kind}"
    # Text parts go through the engine without HTML escaping; the HTML part through the escaping one.
    text = settings.TEXT_TEMPLATES
    subject = " ".join(render_to_string(f"{prefix}/subject.txt", context, using=text).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{prefix}/body.txt", context, using=text),
        to=[recipient.email if recipient else notification.to_email],
        headers={"X-Notification-Id": str(notification.pk)},
    )
    message.attach_alternative(render_to_string(f"{prefix}/body.html", context), "text/html")
    for filename, payload, mimetype in content.attachments:
        message.attach(filename, payload, mimetype)
    if forbidden_words_in("\n".join(email_texts(message))):
        raise ContentRuleViolation
    return message


def _first_name(user: User | None) -> str:
    if user is None:
        return ""
    patient = getattr(user, "patient", None)
    return patient.first_name if patient else user.first_name
