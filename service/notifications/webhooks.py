"""Webhooks: staff-registered endpoints, Standard Webhooks signatures, delivery over HTTP(S).

Signature (https://www.standardwebhooks.com): headers webhook-id, webhook-timestamp (Unix
seconds) and webhook-signature "v1,<base64 HMAC-SHA256 of '<id>.<timestamp>.<body>'>", keyed by
the endpoint's secret "whsec_<base64 key>". The webhook-id derives from the message's idempotency
key, so a resend after a crash carries the same id and the receiver can drop it.
"""

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from service.errors import ErrorReason, Problem
from service.notifications.email import DeliveryError

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
TIMEOUT_SECONDS = 10.0
MAX_URL = 2000


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def url_problem(url: str, *, allow_local_http: bool) -> Problem | None:
    """Why an endpoint URL is refused, or None. HTTPS only; http://127.0.0.1 under the test setting."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        return Problem(ErrorReason.INVALID_URL)
    if len(url) > MAX_URL:
        return Problem(ErrorReason.TOO_LONG, {"limit": MAX_URL, "length": len(url)})
    if parts.username or parts.password:
        # The signature authenticates deliveries; credentials in a URL end up in logs.
        return Problem(ErrorReason.URL_WITH_CREDENTIALS)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname == "127.0.0.1" and allow_local_http:
        return None
    return Problem(ErrorReason.URL_NOT_HTTPS)  # http://127.0.0.1 only with OTONARI_WEBHOOK_ALLOW_LOCAL_HTTP


@dataclass(frozen=True)
class Delivery:
    url: str
    secret: str
    msg_id: str
    body: bytes


class WebhookSender:
    def __init__(self) -> None:
        self._client: httpx.AsyncClient | None = None

    async def send(self, delivery: Delivery) -> None:
        """Returns when the endpoint answered 2xx."""
        if self._client is None:
            # No redirects: a 3xx is an answer, not a place to send the signed body again.
            self._client = httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False)
        timestamp = int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": delivery.msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(delivery.secret, delivery.msg_id, timestamp, delivery.body),
        }
        try:
            response = await self._client.post(delivery.url, content=delivery.body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook: {type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"webhook: HTTP {response.status_code}")

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
