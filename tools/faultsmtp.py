"""A real SMTP server (aiosmtpd) whose answers can be changed while it runs: for the outbox's fault tests and the
``make faulttest`` harness. Development and test use only; the app never imports it.

    server = FaultSMTP().start()
    server.fail_at("rcpt", "451 4.7.1 try again later")   # every RCPT TO answers 451 until cleared
    server.refuse()                                       # nothing listens: connection refused
    server.accept()                                       # listening again, on the same port
    server.drop_after_accept = True                       # 250 to DATA, then the line drops instead of 221 to QUIT
    server.drop_before_reply = True                       # the message arrives, the line drops before the 250
    server.on_message = callback                          # called with (peer, Received) before the 250 is sent
"""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, Session

logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs every address it sees

STEPS = ("greeting", "ehlo", "auth", "mail", "rcpt", "data")


@dataclass(frozen=True)
class Received:
    at: float  # time.time() when the message arrived
    message_id: str
    to: str
    subject: str
    notification_id: str
    raw: bytes


class FaultSMTP:
    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port or free_port(host)
        self.replies: dict[str, str] = {}
        self.drop_after_accept = False
        self.drop_before_reply = False
        self.on_message: Callable[[tuple[str, int], Received], None] | None = None
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    # --- Control -----------------------------------------------------------------------------------------

    def start(self) -> FaultSMTP:
        self.accept()
        return self

    def accept(self) -> None:
        if self._controller is None:
            self._controller = _Controller(self)
            self._controller.start()

    def refuse(self) -> None:
        """Stop listening: clients get connection refused."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    stop = refuse

    def fail_at(self, step: str, reply: str | None) -> None:
        """Answer ``reply`` (say "421 4.3.2 busy") at ``step`` from now on; None answers normally again."""
        if step not in STEPS:
            raise ValueError(f"step must be one of {STEPS}")
        if reply is None:
            self.replies.pop(step, None)
        else:
            self.replies[step] = reply

    def heal(self) -> None:
        self.replies.clear()
        self.drop_after_accept = self.drop_before_reply = False
        self.accept()

    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    # --- Hooks (aiosmtpd handler protocol) ---------------------------------------------------------------

    async def handle_AUTH(self, server: SMTP, session: Session, envelope: Envelope, args: list[str]) -> Any:
        return self.replies.get("auth", MISSING)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if "mail" in self.replies:
            return self.replies["mail"]
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if "rcpt" in self.replies:
            return self.replies["rcpt"]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if "data" in self.replies:
            return self.replies["data"]
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        received = Received(
            at=time.time(),
            message_id=str(parsed.get("Message-ID", "")),
            to=",".join(envelope.rcpt_tos),
            # A long non-ASCII subject arrives folded after "Subject:" (Django's encoded words): mail apps drop the
            # leading space that unfolding leaves, and so does this.
            subject=str(parsed.get("Subject", "")).strip(),
            notification_id=str(parsed.get("X-Notification-Id", "")),
            raw=raw,
        )
        with self.lock:
            self.received.append(received)
        if self.on_message is not None:
            self.on_message(session.peer, received)
        if self.drop_before_reply and server.transport is not None:
            server.transport.close()
        return "250 OK"


class _Server(SMTP):
    def __init__(self, fault: FaultSMTP, **kwargs: Any) -> None:
        super().__init__(fault, **kwargs)
        self.fault = fault

    async def _handle_client(self) -> None:
        reply = self.fault.replies.get("greeting")
        if reply:
            await self.push(reply)
            if self.transport is not None:
                self.transport.close()
            return
        await super()._handle_client()

    async def smtp_EHLO(self, hostname: str) -> None:
        reply = self.fault.replies.get("ehlo")
        if reply:
            await self.push(reply)
            return
        await super().smtp_EHLO(hostname)

    async def smtp_HELO(self, hostname: str) -> None:
        reply = self.fault.replies.get("ehlo")
        if reply:
            await self.push(reply)
            return
        await super().smtp_HELO(hostname)

    async def smtp_QUIT(self, arg: str) -> None:
        if self.fault.drop_after_accept and self.transport is not None:
            self.transport.close()
            return
        await super().smtp_QUIT(arg)


class _Controller(Controller):
    def __init__(self, fault: FaultSMTP) -> None:
        super().__init__(fault, hostname=fault.host, port=fault.port)
        self.fault = fault

    def factory(self) -> SMTP:
        return _Server(
            self.fault,
            hostname="faultsmtp.test",
            auth_require_tls=False,
            authenticator=lambda *args: AuthResult(success=True),
        )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]
