"""Writes for scheduling, by sub-domain: ``booking``. The public names are re-exported here
(``scheduling.services.book_appointment`` is a contract)."""

from __future__ import annotations

from scheduling.services.booking import (
    KIND_BOOKING_ADDED,
    KIND_CANCELLED,
    KIND_CONFIRMATION,
    KIND_REMINDER,
    KIND_RESCHEDULED,
    appointment_cancel,
    appointment_mark,
    appointment_reschedule,
    book_appointment,
    book_first_available,
    book_for_visitor,
    reminder_key,
    reminders_enqueue_due,
    time_block_create,
    time_block_delete,
)

__all__ = [
    "KIND_BOOKING_ADDED",
    "KIND_CANCELLED",
    "KIND_CONFIRMATION",
    "KIND_REMINDER",
    "KIND_RESCHEDULED",
    "appointment_cancel",
    "appointment_mark",
    "appointment_reschedule",
    "book_appointment",
    "book_first_available",
    "book_for_visitor",
    "reminder_key",
    "reminders_enqueue_due",
    "time_block_create",
    "time_block_delete",
]
