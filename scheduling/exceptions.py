"""Errors the booking services raise. Each carries a message fit to show the user."""

from __future__ import annotations


class BookingError(Exception):
    """Base class: ``str(error)`` and ``error.message`` are safe to show to a patient or staff member."""

    default_message = "We could not make that change. Please try again or call us."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class SlotUnavailable(BookingError):
    default_message = "Sorry, that time was just taken. Please choose another time."


class InvalidSlot(SlotUnavailable):
    """The start is in the past, off the slot grid, or outside the provider's availability."""

    default_message = "That time is not available for booking. Please choose one of the times shown."


class ChangeCutoffPassed(BookingError):
    default_message = "It is too late to change this appointment online. Please call the clinic and we will help you."


class AppointmentNotActive(BookingError):
    default_message = "This appointment has already been cancelled or has taken place."


class TimeBlockConflict(BookingError):
    default_message = "This time overlaps booked appointments. Move or cancel them first."


class CourseError(Exception):
    """An infusion course or session rule refused the change; ``message`` is safe to show to staff."""

    default_message = "That change is not allowed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ChairUnavailable(CourseError):
    default_message = "That chair is already taken at that time. Please choose another chair or time."


class CapacityReached(CourseError):
    default_message = "The nurses on duty already have as many sessions as they can watch at that time."


class GateHold(CourseError):
    default_message = "The latest pre-infusion reading is in the hold range. Re-check, or ask a clinician to override."
