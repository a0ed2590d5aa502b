"""The Celery app. Without REDIS_URL it runs on kombu's filesystem transport under var/."""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_init

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


@worker_init.connect
def _make_filesystem_queue(**_kwargs: object) -> None:
    """The filesystem transport needs its folders before the first message."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
