"""Bearer tokens and the viewer they identify.

A token is 256 random bits shown once and stored as its SHA-256 hash. It is valid until it
expires (per role, service.config) or is revoked: rotated, signed out, or its account
deactivated. A revocation is announced to every process at commit (service.viewer_cache).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from db.queries import q
from db.types import Connection, Executor, Pool
from service.errors import ErrorReason, UserErrors

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
    # The token this viewer signed in with (its hash; rotateToken and revokeToken end it) and
    # when it expires. Empty / None for a viewer made without a token (tests, tools).
    token_hash: bytes = b""
    token_expires_at: datetime | None = None

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


@dataclass(frozen=True)
class SignIn:
    """A valid token's viewer, and how many seconds the token has left (by the database's clock)."""

    viewer: Viewer
    seconds_left: float


async def sign_in(conn: Executor, token: str | None) -> SignIn | None:
    """The viewer of a token that is known, not revoked, not expired, of an active account."""
    if not token or len(token) > 200:
        return None
    token_hash = hash_token(token)
    row = await conn.fetchrow(q("viewer_by_token_hash"), token_hash)
    if row is None:
        return None
    viewer = Viewer(
        account_id=row["account_id"],
        role=Role(row["role"]),
        display_name=row["display_name"],
        resident_id=row["resident_id"],
        volunteer_id=row["volunteer_id"],
        token_hash=token_hash,
        token_expires_at=row["expires_at"],
    )
    return SignIn(viewer, float(row["seconds_left"]))


async def viewer_for_token(conn: Executor, token: str | None) -> Viewer | None:
    found = await sign_in(conn, token)
    return found.viewer if found else None


async def issue_token(conn: Connection, account_id: int, lifetime: timedelta) -> str:
    """A new token for the account, valid for `lifetime` (the role's, from the settings)."""
    token = new_token()
    await conn.execute(q("insert_token"), hash_token(token), account_id, lifetime.total_seconds())
    return token


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def _no_longer_valid() -> UserErrors:
    return UserErrors.one(ErrorReason.TOKEN_NO_LONGER_VALID)


async def rotate_token(pool: Pool, viewer: Viewer, lifetime: timedelta) -> IssuedToken:
    """A new token for the viewer's account; the one they signed in with is revoked in the same
    transaction (a token rotated twice at once: the second rotation is refused)."""
    async with pool.acquire() as conn, conn.transaction():
        if await conn.fetchval(q("revoke_token"), viewer.token_hash) is None:
            raise _no_longer_valid()
        token = await issue_token(conn, viewer.account_id, lifetime)
        expires_at: datetime = await conn.fetchval(q("token_expiry"), hash_token(token))
    return IssuedToken(token, expires_at)


async def revoke_token(pool: Pool, viewer: Viewer) -> None:
    """Sign out: the token the viewer signed in with stops working on every process."""
    if await pool.fetchval(q("revoke_token"), viewer.token_hash) is None:
        raise _no_longer_valid()


async def revoke_account_tokens(conn: Connection, account_id: int) -> int:
    """Every live token of an account (deactivation, erasure); call inside their transaction."""
    return len(await conn.fetch(q("revoke_account_tokens"), account_id))
