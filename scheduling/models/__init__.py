"""Scheduling models, by sub-domain: ``booking`` (providers, availability, appointments).

Django finds models through this package, so every model module is imported here.
"""

from __future__ import annotations

from scheduling.models.booking import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    AvailabilityException,
    ClinicClosure,
    LocationKind,
    MarkAction,
    PostgresExclusionConstraint,
    Provider,
    ReminderSettings,
    TimeBlock,
    TsTzRange,
    Weekday,
    WeeklyHours,
)

__all__ = [
    "ACTIVE_STATUSES",
    "Appointment",
    "AppointmentStatus",
    "AppointmentType",
    "AvailabilityException",
    "ClinicClosure",
    "LocationKind",
    "MarkAction",
    "PostgresExclusionConstraint",
    "Provider",
    "ReminderSettings",
    "TimeBlock",
    "TsTzRange",
    "Weekday",
    "WeeklyHours",
]
