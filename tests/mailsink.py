"""A real SMTP server for the tests (aiosmtpd, in its own thread), recording what it accepts.

It can refuse the next N messages with a temporary error (451), or hold each message before
answering (to kill a sender mid-send), like a slow or failing mail server.
"""

import email
import email.policy
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.conftest import free_port


@dataclass(frozen=True)
class Received:
    to: tuple[str, ...]
    message: EmailMessage
    accepted_at: float  # time.time() when the server answered 250

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def kind(self) -> str:
        return str(self.message["X-Otonari-Kind"])

    def part(self, subtype: str) -> str:
        found = self.message.get_body(preferencelist=(subtype,))
        assert found is not None, f"no text/{subtype} part"
        return str(found.get_content())  # type: ignore[attr-defined]


class _Handler:
    def __init__(self, sink: "MailSink") -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.sink._data(envelope)


class MailSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.seen: list[str] = []  # Message-IDs of every DATA, accepted or not
        self.refuse_next = 0
        self.hold = threading.Event()
        self.hold.set()  # set: answer at once
        self._lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self.hold.set()
        self._controller.stop()

    def _data(self, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.seen.append(str(message["Message-ID"]))
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return "451 4.3.0 try again later"
        # Runs in the server's own thread and loop: blocking here holds this one message.
        self.hold.wait(120)
        with self._lock:
            self.received.append(Received(tuple(envelope.rcpt_tos), message, time.time()))
        return "250 OK"

    def to(self, address: str, kind: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if address in r.to and (kind is None or r.kind == kind)]

    def unique(self) -> dict[str, Received]:
        """What a receiver that drops repeated Message-IDs keeps."""
        with self._lock:
            return {r.message_id: r for r in self.received}
