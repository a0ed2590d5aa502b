"""The registry of email kinds that the outbox can send.

An app registers a builder for each kind it sends, in its ``AppConfig.ready()``. The builder turns the
notification's ids into template context at send time, so the outbox row never holds content. Templates
live at ``emails/<kind>/subject.txt``, ``body.txt`` and ``body.html``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.html import strip_tags

if TYPE_CHECKING:
    from django.core.mail import EmailMessage

    from clinic.models import Notification


# Emails may reveal nothing clinical: these words never appear in any part of one (an invariant in
# docs/architecture.md). Each word is matched by its stem, so other languages' spellings ("Ketamin") and plurals
# are caught too; "esketamine" holds "ketamin".
_STEMS = {"ketamine": "ketamin", "infusion": "infusion", "spravato": "spravato"}
FORBIDDEN_EMAIL_WORDS = tuple(_STEMS)
# A calendar file folds long lines ("Infu\r\n sion"); unfold before reading it.
_FOLDED_LINE = re.compile(r"\r?\n[ \t]")
# Characters a mail client shows as nothing (zero-width spaces and joiners, soft hyphens, the byte-order mark).
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
# Single letters split by spaces or punctuation ("K e t a m i n e", "K-E-T"): join them back into a word.
_SPACED_LETTERS = re.compile(r"(?<![^\W\d_])([^\W\d_])[\W_]{1,3}(?=[^\W\d_](?![^\W\d_]))")


def _readable(text: str) -> str:
    """The text as a reader takes it in: compatibility forms folded, accents and invisible characters dropped,
    letters spelled out one by one joined back, lower case."""
    text = unicodedata.normalize("NFKD", _INVISIBLE.sub("", text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    previous = None
    while previous != text:  # each pass joins one more letter of a spaced-out word
        previous, text = text, _SPACED_LETTERS.sub(r"\1", text)
    return text.casefold()


def forbidden_words_in(text: str) -> list[str]:
    """The treatment words ``text`` names, however spelled: the one rule behind the send-time guard and the
    startup check of the sender's name."""
    readable = _readable(text)
    return [word for word in FORBIDDEN_EMAIL_WORDS if _STEMS[word] in readable]


class ContentRuleViolation(Exception):
    """A rendered email broke the content rule; it is never sent."""


def email_texts(message: EmailMessage) -> list[str]:
    """Every part of an email that a mail client shows or stores, as text, for the content rule.

    The sender (display name and address), reply-to, extra headers, subject, text body, every alternative (HTML both
    as sent and as read), and every attachment with its file name (a calendar file unfolded). An attachment that is
    not text cannot be read here, so it raises ``ContentRuleViolation``: nothing unread goes out.
    """
    texts = [message.from_email or "", *message.reply_to, *map(str, message.extra_headers.values())]
    texts += [message.subject, message.body]
    for content, _mimetype in message.alternatives:
        texts += [str(content), html.unescape(strip_tags(str(content)))]
    for attachment in message.attachments:
        if not isinstance(attachment, tuple) or not str(attachment[2] or "").startswith("text/"):
            raise ContentRuleViolation("an attachment that is not text cannot be checked")
        filename, content, _mimetype = attachment
        if isinstance(content, bytes):
            content = content.decode("utf-8", errors="replace")
        texts += [filename or "", content, _FOLDED_LINE.sub("", content)]
    return texts


class NotificationObsolete(Exception):
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
