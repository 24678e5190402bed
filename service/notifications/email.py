"""Email over SMTP (aiosmtplib): one connection per delivery lane, reopened when it fails."""

import contextlib
import email.utils
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib

from service.config import SmtpSettings
from service.notifications.templates import Rendered


class DeliveryError(Exception):
    """A message could not be delivered this time; it will be tried again (or parked)."""


@dataclass(frozen=True)
class Email:
    to: tuple[str, ...]
    message_id: str
    rendered: Rendered
    kind: str


def build_message(mail: Email, mail_from: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = ", ".join(mail.to)
    msg["Subject"] = mail.rendered.subject
    msg["Message-ID"] = mail.message_id
    msg["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    msg["Content-Language"] = ", ".join(mail.rendered.locales)
    # RFC 3834: no auto-replies to machine mail.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Otonari-Kind"] = mail.kind
    msg.set_content(mail.rendered.text)
    msg.add_alternative(mail.rendered.html, subtype="html")
    return msg


class SmtpSender:
    def __init__(self, settings: SmtpSettings, mail_from: str) -> None:
        self.settings = settings
        self.mail_from = mail_from
        self._client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            username=s.username,
            password=s.password,
            use_tls=s.tls,
            start_tls=s.starttls,
            timeout=s.timeout_seconds,
        )
        await client.connect()
        self._client = client
        return client

    async def send(self, mail: Email) -> None:
        """Returns when the server accepted the message (250 after DATA)."""
        try:
            client = await self._connected()
            await client.send_message(build_message(mail, self.mail_from), recipients=list(mail.to))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self.close()
            raise DeliveryError(f"SMTP: {exc}") from exc

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            with contextlib.suppress(Exception):
                await client.quit(timeout=2)
            if client.is_connected:
                client.close()
