"""Thin Celery tasks: ids only, one service each."""

from __future__ import annotations

from celery import shared_task

from scheduling import services
from scheduling.services import sessions


@shared_task
def enqueue_due_reminders() -> int:
    """Beat runs this every minute; the outbox sends what it queues."""
    return services.reminders_enqueue_due() + sessions.session_reminders_enqueue_due()
