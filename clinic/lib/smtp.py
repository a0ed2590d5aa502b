"""Hand one email to the SMTP server step by step, and say exactly how a failure should be treated.

The outbox opens the connection itself (instead of Django's SMTP backend) for two reasons:

- a failure is classified by the step and the reply code, not by smtplib's exception class, which is the same
  for a 451 and a 550 at RCPT TO;
- ``on_accepted`` runs as soon as the server answers 250 to DATA, before QUIT, so the row is marked sent before
  anything else can go wrong. A crash between that 250 and the mark is the only way an email goes out twice.

Steps: ``connect`` (TCP and the greeting), ``helo`` (EHLO and STARTTLS), ``auth``, ``mail`` (MAIL FROM), ``rcpt``
(RCPT TO) and ``data``. A failure at one of the first five is a set-up fault: it would fail every queued email, so
it is always retried (whatever the code) and staff get one alert. A 5xx at RCPT TO or DATA fails this email alone;
a 4xx or a lost connection anywhere is retried.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address

SETUP_STEPS = ("connect", "helo", "auth", "mail")


@dataclass(eq=False)
class DeliveryFailure(Exception):
    step: str
    code: int | None  # the SMTP reply code; None for a network error
    reason: str  # an exception class name or "smtp"; never the server's text, which may quote the address

    @property
    def permanent(self) -> bool:
        return self.step in ("rcpt", "data") and self.code is not None and 500 <= self.code < 600

    @property
    def setup_fault(self) -> bool:
        return self.step in SETUP_STEPS

    def __str__(self) -> str:
        return f"{self.step} {self.code or self.reason}"


def uses_smtp() -> bool:
    return settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"


def deliver(message: EmailMessage, *, on_accepted: Callable[[], None]) -> None:
    """Send ``message``; call ``on_accepted`` once the server has taken it. Raises DeliveryFailure otherwise.

    Other backends (the console in development, locmem in tests) cannot fail by step: the message goes through
    them and any error counts as a connection problem.
    """
    if not uses_smtp():
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailure("connect", None, type(exc).__name__) from exc
        on_accepted()
        return
    connection = _open()
    try:
        _send(connection, message)
        on_accepted()
    finally:
        _close(connection)


def _open() -> smtplib.SMTP:
    step = "connect"
    try:
        context = ssl.create_default_context() if settings.EMAIL_USE_SSL or settings.EMAIL_USE_TLS else None
        if settings.EMAIL_USE_SSL:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT, context=context
            )
        else:
            connection = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT)
        try:
            step = "helo"
            connection.ehlo_or_helo_if_needed()
            if settings.EMAIL_USE_TLS:
                connection.starttls(context=context)
                connection.ehlo()
            if settings.EMAIL_HOST_USER and settings.EMAIL_HOST_PASSWORD:
                step = "auth"
                connection.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        except BaseException:
            _close(connection)
            raise
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailure(step, exc.smtp_code, "smtp") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailure(step, None, type(exc).__name__) from exc
    return connection


def _send(connection: smtplib.SMTP, message: EmailMessage) -> None:
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in message.recipients()]
    payload = message.message().as_bytes(linesep="\r\n")
    step = "mail"
    try:
        code, _ = connection.mail(sender)
        if code != 250:
            raise DeliveryFailure(step, code, "smtp")
        step = "rcpt"
        # The outbox sends one recipient per email; with several, a 4xx for any retries the whole email and a
        # 5xx for any fails it, so no recipient ever gets a second copy.
        for recipient in recipients:
            code, _ = connection.rcpt(recipient)
            if code not in (250, 251):
                raise DeliveryFailure(step, code, "smtp")
        step = "data"
        code, _ = connection.data(payload)  # raises for a refused DATA command, returns the final reply
        if code != 250:
            raise DeliveryFailure(step, code, "smtp")
    except smtplib.SMTPResponseException as exc:
        raise DeliveryFailure(step, exc.smtp_code, "smtp") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailure(step, None, type(exc).__name__) from exc


def _close(connection: smtplib.SMTP) -> None:
    """QUIT, ignoring any error: the email's fate is already decided."""
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()
