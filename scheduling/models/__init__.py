"""Scheduling models, by sub-domain: ``booking`` (providers, availability, appointments) and ``courses`` (infusion
courses: chairs, protocols, sessions, vitals).

Django finds models through this package, so every model module is imported here.
"""

from __future__ import annotations

from scheduling.models.booking import (
    ACTIVE_STATUSES,
    MAX_BLOCKED_VISIT,
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
    validate_time_block,
)
from scheduling.models.courses import (
    CHAIR_HOLDING_STATUSES,
    CLINICAL_VALUES_PERM,
    OPEN_COURSE_STATUSES,
    CourseStatus,
    Indication,
    InfusionChair,
    InfusionCourse,
    InfusionHours,
    InfusionSession,
    InfusionSettings,
    NurseDuty,
    OutcomeMeasure,
    Protocol,
    SessionStatus,
    VitalSignReading,
)

__all__ = [
    "ACTIVE_STATUSES",
    "CHAIR_HOLDING_STATUSES",
    "CLINICAL_VALUES_PERM",
    "MAX_BLOCKED_VISIT",
    "OPEN_COURSE_STATUSES",
    "Appointment",
    "AppointmentStatus",
    "AppointmentType",
    "AvailabilityException",
    "ClinicClosure",
    "CourseStatus",
    "Indication",
    "InfusionChair",
    "InfusionCourse",
    "InfusionHours",
    "InfusionSession",
    "InfusionSettings",
    "LocationKind",
    "MarkAction",
    "NurseDuty",
    "OutcomeMeasure",
    "PostgresExclusionConstraint",
    "Protocol",
    "Provider",
    "ReminderSettings",
    "SessionStatus",
    "TimeBlock",
    "TsTzRange",
    "VitalSignReading",
    "Weekday",
    "WeeklyHours",
    "validate_time_block",
]
