"""The Celery app. Without REDIS_URL it runs on kombu's filesystem transport under var/celery/, whose folders
the settings create, so that nothing queued before the worker starts is refused."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    timezone="UTC",
)


def beat_schedule(period: float) -> dict[str, dict[str, Any]]:
    """The periodic tasks: the outbox sweep and the reminder scan (24 h and 2 h by default; never ETA tasks).

    Each expires after one period: while the broker is down beat cannot send anyway, and sweeps that waited in a
    queue must not run as a burst later. Once Redis is back the next sweep sends everything that waited.
    """
    options = {"expires": period}
    return {
        "send-due-notifications": {
            "task": "clinic.tasks.send_due_notifications",
            "schedule": period,
            "options": options,
        },
        "enqueue-due-reminders": {
            "task": "scheduling.tasks.enqueue_due_reminders",
            "schedule": period,
            "options": options,
        },
    }


@app.on_after_configure.connect
def _schedule_from_settings(sender: Celery, **_kwargs: object) -> None:
    from django.conf import settings

    sender.conf.beat_schedule = beat_schedule(settings.NOTIFICATION_SWEEP_SECONDS)


app.autodiscover_tasks()
