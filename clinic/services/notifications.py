"""The notification outbox: enqueue in the caller's transaction, send at most once per claim.

The delivery guarantee is written down in docs/architecture.md ("Email delivery guarantee").
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.lib import smtp
from clinic.lib.breaker import redis_breaker
from clinic.models import MailServerAlert, Notification, User
from clinic.notifications import (
    ContentRuleViolation,
    NotificationObsolete,
    builder_for,
    email_texts,
    forbidden_words_in,
)

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200


@dataclass(frozen=True)
class SendOutcome:
    status: str  # "sent", "retry", "failed", "cancelled" or "skipped"
    retry_at: datetime | None = None


def new_message_id() -> str:
    """A random Message-ID at DEFAULT_FROM_EMAIL's domain: the same for every retry of one email."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{secrets.token_hex(16)}@{domain}>"


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
    due_at = due_at or timezone.now()
    notification, created = Notification.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "kind": kind,
            "recipient": recipient,
            # Kept on the row, so a failure still says whom it was for after the user is deleted.
            "to_email": to_email or (recipient.email if recipient else ""),
            "context": context or {},
            "message_id": new_message_id(),
            "due_at": due_at,
            "queued_at": due_at,
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


def notifications_cancel_for_user(*, user: User) -> int:
    """Withdraw everything not yet sent to ``user`` (before the account is deleted)."""
    return Notification.objects.filter(recipient=user, status=Notification.Status.PENDING).update(
        status=Notification.Status.CANCELLED, locked_until=None, last_error="recipient deleted"
    )


def notification_send(*, notification_id: int) -> SendOutcome:
    """Send one notification if this caller wins the claim on it. Safe to run any number of times."""
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, status=Notification.Status.PENDING, due_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + _lease(), attempts=F("attempts") + 1)
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
        _fail(notification, error="content_rule")
        return SendOutcome("failed")

    try:
        smtp.deliver(message, on_accepted=lambda: _finish(notification, Notification.Status.SENT))
    except smtp.DeliveryFailure as failure:
        if failure.setup_fault:
            _raise_mail_server_alert(failure)
        if failure.permanent:
            _fail(notification, error=str(failure))
            return SendOutcome("failed")
        return _schedule_retry(notification, error=str(failure))
    _clear_mail_server_alert()
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


@transaction.atomic
def notification_resend(*, notification: Notification, by: User) -> bool:
    """Queue a failed email again, on purpose: a new Message-ID (it is a new message), attempts from zero, a new
    retry window, and who did it. False when it was not failed (someone else resent it, or it was sent)."""
    now = timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING,
        attempts=0,
        message_id=new_message_id(),
        due_at=now,
        queued_at=now,
        locked_until=None,
        failed_at=None,
        last_error="",
        resolved_at=None,
        resolved_by=None,
        resent_at=now,
        resent_by=by,
    )
    if updated:
        logger.info("Notification %s queued again by user %s", notification.pk, by.pk)
        transaction.on_commit(lambda: _dispatch(notification.pk))
    return bool(updated)


def notification_resolve(*, notification: Notification, by: User) -> bool:
    """Staff have dealt with an email that failed for good (say, they phoned the patient). False if already done."""
    updated = Notification.objects.filter(
        pk=notification.pk, status=Notification.Status.FAILED, resolved_at__isnull=True
    ).update(resolved_at=timezone.now(), resolved_by=by)
    if updated:
        logger.info("Notification %s marked resolved by user %s", notification.pk, by.pk)
    return bool(updated)


def _lease() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)


def _dispatch(notification_id: int) -> None:
    from clinic.tasks import send_notification  # tasks import services; import here to avoid a cycle

    # The periodic sweep sends whatever is not handed off here; the change that caused it has already committed.
    if not redis_breaker.allows():
        logger.warning("Broker skipped (circuit breaker); notification %s waits for the sweep", notification_id)
        return
    try:
        send_notification.apply_async((notification_id,), retry=False)
    except Exception:
        redis_breaker.trip()
        logger.warning("Broker unavailable; notification %s waits for the periodic sweep", notification_id)


def _schedule_retry(notification: Notification, *, error: str) -> SendOutcome:
    now = timezone.now()
    give_up_at = notification.queued_at + timedelta(hours=settings.NOTIFICATION_RETRY_HOURS)
    if now >= give_up_at:
        _fail(notification, error=error)
        return SendOutcome("failed")
    exponent = min(notification.attempts - 1, 20)
    backoff = min(settings.NOTIFICATION_RETRY_BASE_SECONDS * 2**exponent, settings.NOTIFICATION_RETRY_CAP_SECONDS)
    retry_at = min(now + timedelta(seconds=backoff), give_up_at)  # the last try is at the end of the window
    Notification.objects.filter(pk=notification.pk).update(due_at=retry_at, locked_until=None, last_error=error)
    logger.warning("Notification %s will be retried (%s)", notification.pk, error)
    return SendOutcome("retry", retry_at=retry_at)


def _fail(notification: Notification, *, error: str) -> None:
    _finish(notification, Notification.Status.FAILED, error=error)
    logger.error("Notification %s failed for good (%s); staff see it on the staff home page", notification.pk, error)


def _finish(notification: Notification, status: str, *, error: str = "") -> None:
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(
        status=status,
        locked_until=None,
        last_error=error,
        sent_at=now if status == Notification.Status.SENT else None,
        failed_at=now if status == Notification.Status.FAILED else None,
    )


def _raise_mail_server_alert(failure: smtp.DeliveryFailure) -> None:
    """One open alert per outage: the first set-up fault opens it, the next ones only count."""
    fields = {"step": failure.step, "code": failure.code, "reason": failure.reason[:100]}
    now = timezone.now()
    open_alerts = MailServerAlert.objects.filter(cleared_at__isnull=True)
    if open_alerts.update(last_seen_at=now, failures=F("failures") + 1, **fields):
        return
    try:
        with transaction.atomic():
            alert = MailServerAlert.objects.create(first_seen_at=now, last_seen_at=now, **fields)
    except IntegrityError:  # another worker opened it a moment ago
        open_alerts.update(last_seen_at=now, failures=F("failures") + 1, **fields)
        return
    logger.error(
        "Mail server refused at %s (%s): alert %s raised; emails wait and are retried",
        failure.step,
        failure.code or failure.reason,
        alert.pk,
    )


def _clear_mail_server_alert() -> None:
    if MailServerAlert.objects.filter(cleared_at__isnull=True).update(cleared_at=timezone.now()):
        logger.warning("Mail server accepts email again: alert cleared")


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
        to=[notification.address],
        headers={"X-Notification-Id": str(notification.pk), "Message-ID": notification.message_id or new_message_id()},
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
