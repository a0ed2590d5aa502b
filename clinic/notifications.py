"""The registry of email kinds that the outbox can send.

An app registers a builder for each kind it sends, in its ``AppConfig.ready()``. The builder turns the
notification's ids into template context at send time, so the outbox row never holds content. Templates
live at ``emails/<kind>/subject.txt``, ``body.txt`` and ``body.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clinic.models import Notification


class NotificationObsolete(Exception):  # noqa: N818 - reads as a state, like ObjectDoesNotExist
    """Raised by a builder when the email no longer applies (say, a reminder for a cancelled visit)."""


@dataclass
class EmailContent:
    context: dict[str, Any]
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


Builder = Callable[["Notification"], EmailContent]

_builders: dict[str, Builder] = {}


def register(kind: str) -> Callable[[Builder], Builder]:
    def decorator(builder: Builder) -> Builder:
        _builders[kind] = builder
        return builder

    return decorator


def builder_for(kind: str) -> Builder:
    try:
        return _builders[kind]
    except KeyError:
        raise LookupError(f"No email builder is registered for {kind!r}.") from None


def registered_kinds() -> list[str]:
    return sorted(_builders)
