"""Signed links that let a patient manage an appointment from an email without logging in."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from scheduling.models import Appointment

SALT = "scheduling.manage-appointment"
# A hard cap on any link's age; within it, a link also dies a few days after its appointment ends.
MAX_AGE = timedelta(days=120)
GRACE_AFTER_END = timedelta(days=3)


def manage_token(appointment: Appointment) -> str:
    return signing.dumps({"a": appointment.pk}, salt=SALT, compress=True)


def manage_path(appointment: Appointment) -> str:
    return reverse("scheduling:manage", kwargs={"token": manage_token(appointment)})


def appointment_from_token(token: str) -> Appointment:
    """The appointment a link points to.

    Raises ``signing.BadSignature`` for a forged or tampered token (or a deleted appointment) and
    ``signing.SignatureExpired`` (a subclass) for an old one.
    """
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    try:
        pk = int(data["a"])
    except (KeyError, TypeError, ValueError):
        raise signing.BadSignature("Malformed token.") from None
    appointment = (
        Appointment.objects.select_related("patient", "patient__user", "provider", "appointment_type")
        .filter(pk=pk)
        .first()
    )
    if appointment is None:
        raise signing.BadSignature("No such appointment.")
    if timezone.now() > appointment.end + GRACE_AFTER_END:
        raise signing.SignatureExpired("The appointment is over.")
    return appointment
