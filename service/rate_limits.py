"""Rate limits that hold across processes: one mechanism for every family of operations.

A rule allows `limit` operations per `window_seconds` for one key (a client address, an
account), as a burst or spread out: the generic cell rate algorithm, one row per key in the
`rate_limits` table, taken in one statement, so every process sharing the database shares the
limit. A refusal is `RATE_LIMITED` with the seconds to wait (the payload error's
`retryAfterSeconds`, and the `Retry-After` header over HTTP). Add a family by naming a rule;
check it before any costly work.
"""

import ipaddress
import math
from dataclasses import dataclass

from db.queries import q
from db.types import Executor
from service import metrics
from service.errors import ErrorReason, UserErrors

# Families, and what they key on.
REGISTER = "register"  # registerResident, registerVolunteer: per client address
# Mutation families of a signed-in account, each limited per account (every token of it), with
# its limit per hour in Settings.mutation_rate_per_hour.
REQUESTS = "requests"  # submitRequest (besides its own per-minute limit), cancelRequest, completeRequest
OFFERS = "offers"  # respondToOffer, sendOffers
REVIEWS = "reviews"  # reviewTriage
PROFILE = "profile"  # updateVolunteer (embeds the skills)
ACCOUNTS = "accounts"  # setVolunteerVerified
MUTATION_FAMILIES = (REQUESTS, OFFERS, REVIEWS, PROFILE, ACCOUNTS)


@dataclass(frozen=True)
class RateRule:
    family: str
    limit: int
    window_seconds: float

    @property
    def interval(self) -> float:
        return self.window_seconds / self.limit


@dataclass(frozen=True)
class RateCheck:
    """A rule applied to one key: what a domain operation takes before its costly work."""

    rule: RateRule
    key: str

    async def take(self, db: Executor) -> None:
        await take(db, self.rule, self.key)


def rate_limited(retry_after: float, *, limit: int, window_seconds: float, per: str) -> UserErrors:
    """RATE_LIMITED: at most `limit` per `window_seconds` from one `per` (address, account, resident).
    Counted (otonari_rate_limited_total): every caller raises it at once."""
    metrics.RATE_LIMITED.inc()
    return UserErrors.one(
        ErrorReason.RATE_LIMITED,
        seconds=max(1, math.ceil(retry_after)),
        limit=limit,
        windowSeconds=math.ceil(window_seconds),
        per=per,
    )


async def take(db: Executor, rule: RateRule, key: str) -> None:
    """Count one operation of rule.family for key, or raise RATE_LIMITED (counting nothing)."""
    allowed = await db.fetchval(q("rate_limit_take"), rule.family, key, rule.interval, rule.window_seconds)
    if allowed is not None:
        return
    wait = await db.fetchval(
        q("rate_limit_retry_after"), rule.family, key, rule.interval, rule.window_seconds
    )
    raise rate_limited(
        wait or rule.interval, limit=rule.limit, window_seconds=rule.window_seconds, per=_what(rule)
    )


def _what(rule: RateRule) -> str:
    return "address" if rule.family == REGISTER else "account"


async def prune(db: Executor) -> None:
    """Forget keys whose limit has fully recovered (their rows mean the same as none)."""
    await db.execute(q("prune_rate_limits"))


def client_key(peer: str | None, headers: dict[str, str], trusted_header: str | None) -> str:
    """The client's address as a rate-limit key.

    The socket's peer address, unless a trusted reverse proxy names the client in a header
    (set OTONARI_TRUSTED_PROXY_HEADER only behind such a proxy: anyone can send the header).
    X-Forwarded-For is read from its last entry, the one the proxy next to us added. IPv6
    addresses count per /64, what one host or customer usually holds.
    """
    raw = peer
    if trusted_header is not None:
        named = headers.get(trusted_header)
        if named:
            candidate = named.split(",")[-1].strip()
            if candidate:
                raw = candidate
    try:
        address = ipaddress.ip_address((raw or "").strip("[]"))
    except ValueError:
        return f"other:{(raw or 'unknown')[:64]}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
