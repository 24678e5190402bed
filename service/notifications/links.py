"""Signed one-click answer links for offers: /volunteer/answer?t=<offer id>.<HMAC>.

The MAC covers the offer and its volunteer, under a key made once and kept in the database
(service_secrets), so that every process signs and checks alike and links survive restarts. A link
works while its offer is live; answering makes it used (the offer is no longer PENDING), which is
what makes it single use.
"""

import base64
import hashlib
import hmac
import secrets

from db.queries import q
from db.types import Executor

SECRET_NAME = "answer-links"  # noqa: S105 - the row's name, not a secret
_MAC_BYTES = 16


async def link_key(db: Executor) -> bytes:
    """The database's link key, made by the first process that needs it (one indexed read each
    time: no cache to go stale when a process serves another database, as tests do)."""
    found: bytes | None = await db.fetchval(q("link_secret"), SECRET_NAME)
    if found is None:
        await db.execute(q("insert_link_secret"), SECRET_NAME, secrets.token_bytes(32))
        found = await db.fetchval(q("link_secret"), SECRET_NAME)
    assert found is not None  # noqa: S101 - inserted just above, or by another process first
    return found


def _mac(key: bytes, offer_id: int, volunteer_id: int) -> str:
    digest = hmac.new(key, f"offer-answer/v1:{offer_id}:{volunteer_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:_MAC_BYTES]).decode().rstrip("=")


def sign(key: bytes, offer_id: int, volunteer_id: int) -> str:
    return f"{offer_id}.{_mac(key, offer_id, volunteer_id)}"


def offer_of(token: str) -> int | None:
    """The offer a token names (not yet checked); None when it is not shaped like one."""
    offer, _, mac = token.partition(".")
    if not offer.isdigit() or len(offer) > 18 or not mac or len(mac) > 40:
        return None
    return int(offer)


def verify(key: bytes, token: str, volunteer_id: int) -> bool:
    offer_id = offer_of(token)
    if offer_id is None:
        return False
    return hmac.compare_digest(token.encode(), sign(key, offer_id, volunteer_id).encode())
