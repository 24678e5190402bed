"""Email addresses: which strings the service sends to, and the ids derived from message keys."""

import hashlib

from service.config import EMAIL_PATTERN

MAX_EMAIL = 254


def is_email(value: str | None) -> bool:
    return value is not None and len(value) <= MAX_EMAIL and EMAIL_PATTERN.fullmatch(value) is not None


def address_of(email: str | None, contact: str | None) -> str | None:
    """The explicit email if set, else the contact when it is an email address."""
    if is_email(email):
        return email
    candidate = (contact or "").strip()
    return candidate if is_email(candidate) else None


def key_digest(idempotency_key: str) -> str:
    """A stable id for one message: the same key gives the same SMTP Message-ID and webhook-id,
    so that a receiver can drop a resend (after a crash mid-send) as a duplicate."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def message_id(idempotency_key: str, mail_from: str) -> str:
    domain = mail_from.rsplit("@", 1)[-1].strip(" >") or "otonari.invalid"
    return f"<{key_digest(idempotency_key)}@{domain}>"
