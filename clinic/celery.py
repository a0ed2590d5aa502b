"""The Celery app. Without REDIS_URL it runs on kombu's filesystem transport under var/celery/, whose folders
the settings create, so that nothing queued before the worker starts is refused."""

from __future__ import annotations

import os

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
    beat_schedule={
        "send-due-notifications": {"task": "clinic.tasks.send_due_notifications", "schedule": 60.0},
        # The reminder scan (24 h and 2 h by default, see scheduling.ReminderSettings); never ETA tasks.
        "enqueue-due-reminders": {"task": "scheduling.tasks.enqueue_due_reminders", "schedule": 60.0},
    },
)
app.autodiscover_tasks()
