"""Screening models: the questionnaire and its versions, the review, and the clinic's screening settings."""

from __future__ import annotations

from intake.models.review import BloodPressureReading, Decision, UrgentAlert
from intake.models.screening import Flag, Score, Screening, ScreeningVersion, Severity, StepAnswer
from intake.models.settings import ClinicSettings

__all__ = [
    "BloodPressureReading",
    "ClinicSettings",
    "Decision",
    "Flag",
    "Score",
    "Screening",
    "ScreeningVersion",
    "Severity",
    "StepAnswer",
    "UrgentAlert",
]
