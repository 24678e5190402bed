"""Relay global object IDs: base64("Type:123"), opaque to clients."""

import base64
import binascii

NODE_TYPES = frozenset({"Resident", "Volunteer", "SupportRequest", "Offer", "LongTermPair"})


def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type, pk), or None when the ID is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw_pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        pk = int(raw_pk)
    except (binascii.Error, UnicodeError, ValueError):
        return None
    if type_name not in NODE_TYPES or pk <= 0 or pk >= 2**63:
        return None
    return type_name, pk


def pk_of(global_id: str, type_name: str) -> int | None:
    """The primary key of an ID of the given type, else None."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]
