from __future__ import annotations


class ScreeningError(Exception):
    """A screening action that cannot happen now; the message is written for the person who tried."""


class NotEditable(ScreeningError):
    """The version was submitted: it never changes (a new version is opened by a request for more information)."""

    MESSAGE = "These answers were submitted and can no longer be changed."


class NotReady(ScreeningError):
    """Submission is refused: a step is unanswered, or the required reading is not done and current."""


class AlreadyDecided(ScreeningError):
    """The screening is not awaiting a decision (decided already, or not submitted)."""

    MESSAGE = "This screening is not awaiting a decision; the page may be out of date."
