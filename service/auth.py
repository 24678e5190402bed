"""Bearer tokens and the viewer they identify."""

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from db.queries import q
from db.types import Connection, Executor

TOKEN_PREFIX = "oto_"  # noqa: S105 - a visible prefix so leaked tokens are recognisable, not a secret


class Role(StrEnum):
    RESIDENT = "RESIDENT"
    VOLUNTEER = "VOLUNTEER"
    STAFF = "STAFF"


@dataclass(frozen=True)
class Viewer:
    account_id: int
    role: Role
    display_name: str
    resident_id: int | None = None
    volunteer_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role is Role.STAFF


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def viewer_for_token(conn: Executor, token: str | None) -> Viewer | None:
    if not token or len(token) > 200:
        return None
    row = await conn.fetchrow(q("viewer_by_token_hash"), hash_token(token))
    if row is None:
        return None
    return Viewer(
        account_id=row["account_id"],
        role=Role(row["role"]),
        display_name=row["display_name"],
        resident_id=row["resident_id"],
        volunteer_id=row["volunteer_id"],
    )


async def issue_token(conn: Connection, account_id: int) -> str:
    token = new_token()
    await conn.execute(q("insert_token"), hash_token(token), account_id)
    return token
