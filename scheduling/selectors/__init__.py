"""Reads for scheduling, by sub-domain: ``booking``. The public names are re-exported here
(``scheduling.selectors.available_slots`` is a contract)."""

from __future__ import annotations

from scheduling.selectors.booking import (
    APPOINTMENT_JOINS,
    EpochSeconds,
    Slot,
    active_providers,
    appointment_for_patient,
    appointment_for_staff,
    appointment_for_visitor,
    available_slots,
    bookable_types,
    busy_appointments,
    calendar_appointments,
    calendar_blocks,
    nearest_slots,
    patient_appointments,
    patient_change_refusal,
    providers,
    providers_for_type,
    providers_free_at,
    providers_user_may_block,
    slot_at,
    slot_is_available,
    time_block_for_staff,
)

__all__ = [
    "APPOINTMENT_JOINS",
    "EpochSeconds",
    "Slot",
    "active_providers",
    "appointment_for_patient",
    "appointment_for_staff",
    "appointment_for_visitor",
    "available_slots",
    "bookable_types",
    "busy_appointments",
    "calendar_appointments",
    "calendar_blocks",
    "nearest_slots",
    "patient_appointments",
    "patient_change_refusal",
    "providers",
    "providers_for_type",
    "providers_free_at",
    "providers_user_may_block",
    "slot_at",
    "slot_is_available",
    "time_block_for_staff",
]
