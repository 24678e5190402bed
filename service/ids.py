"""Relay global object IDs: base64("Type:123"), opaque to clients."""

import base64
import binascii

NODE_TYPES = frozenset(
    {
        "Resident",
        "Volunteer",
        "SupportRequest",
        "Offer",
        "LongTermPair",
        "StaffMember",
        "Notification",
        "WebhookEndpoint",
    }
)


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


MAX_GLOBAL_ID = 64


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type, pk), or None when the ID is not one of ours in its one canonical spelling.

    base64 and int() each accept several spellings of one value (padding, "+1", "0001",
    " 1", Arabic-Indic digits, "1_0"): only the exact string to_global_id makes is accepted,
    so one object has one ID (caches, logs and rate limits key on it).
    """
    if len(global_id) > MAX_GLOBAL_ID or not global_id.isascii():
        return None
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw_pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    if type_name not in NODE_TYPES or not raw_pk.isascii() or not raw_pk.isdigit():
        return None
    pk = int(raw_pk)
    if not 0 < pk < 2**63 or to_global_id(type_name, pk) != global_id:
        return None
    return type_name, pk


def pk_of(global_id: str, type_name: str) -> int | None:
    """The primary key of an ID of the given type, else None."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]
