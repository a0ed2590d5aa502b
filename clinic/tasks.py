"""Celery tasks are thin: they take ids and call one service."""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import Retry

from clinic import services


@shared_task(bind=True, max_retries=None)
def send_notification(self, notification_id: int) -> None:  # noqa: ANN001 - Celery binds the task
    outcome = services.notification_send(notification_id=notification_id)
    if outcome.status == "retry" and outcome.retry_at is not None:
        try:
            raise self.retry(eta=outcome.retry_at)
        except Retry:
            raise
        except Exception:  # noqa: S110 - the broker is down; the periodic sweep retries instead
            pass


@shared_task
def send_due_notifications() -> int:
    return services.notifications_send_due()
