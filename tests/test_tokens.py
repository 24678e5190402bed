"""Tokens expire per role, can be rotated and revoked, and a revoked token is refused by every
process within a second (the viewer cache listens for revocations)."""

import asyncio
import time
from datetime import timedelta

import asyncpg
import pytest

from service.accounts import ResidentInput, create_staff, issue_staff_token, register_resident
from service.auth import hash_token, revoke_token, rotate_token, viewer_for_token
from service.config import Settings
from service.errors import ErrorCode, ErrorReason, UserErrors
from service.viewer_cache import RevocationListener, ViewerCache
from tests.support import eventually

LAN = ResidentInput("Lan", ["vi"], "Adachi", "lan@example.org")


async def _lifetime(db: asyncpg.Connection, token: str) -> timedelta:
    lifetime: timedelta = await db.fetchval(
        "SELECT expires_at - created_at FROM tokens WHERE token_hash = $1", hash_token(token)
    )
    return lifetime


async def test_tokens_expire_by_role_as_the_settings_say(pool: asyncpg.Pool, db: asyncpg.Connection) -> None:
    defaults = Settings()
    resident, _ = await register_resident(pool, LAN, token_lifetime=defaults.token_lifetime("RESIDENT"))
    staff = await create_staff(pool, "Tanaka", token_lifetime=defaults.token_lifetime("STAFF"))
    assert await _lifetime(db, resident) == timedelta(days=180)
    assert await _lifetime(db, staff) == timedelta(hours=12)

    custom = Settings.from_env(
        {
            "OTONARI_STAFF_TOKEN_HOURS": "2",
            "OTONARI_RESIDENT_TOKEN_DAYS": "7",
            "OTONARI_VOLUNTEER_TOKEN_DAYS": "30",
        }
    )
    assert custom.token_lifetime("STAFF") == timedelta(hours=2)
    assert custom.token_lifetime("RESIDENT") == timedelta(days=7)
    assert custom.token_lifetime("VOLUNTEER") == timedelta(days=30)
    for bad in ("0", "-1", "twelve"):
        with pytest.raises(ValueError, match="OTONARI_STAFF_TOKEN_HOURS"):
            Settings.from_env({"OTONARI_STAFF_TOKEN_HOURS": bad})


async def test_an_expired_token_is_refused_even_when_cached(pool: asyncpg.Pool) -> None:
    token = await create_staff(pool, "Short", token_lifetime=timedelta(seconds=1.5))
    cache = ViewerCache(ttl=60.0)
    assert await cache.viewer(pool, token) is not None
    assert await cache.viewer(pool, token) is not None  # from the cache now
    await asyncio.sleep(1.7)
    assert await cache.viewer(pool, token) is None
    assert await viewer_for_token(pool, token) is None


async def test_rotate_gives_a_new_token_and_ends_the_old(pool: asyncpg.Pool, db: asyncpg.Connection) -> None:
    token, _ = await register_resident(pool, LAN)
    viewer = await viewer_for_token(pool, token)
    assert viewer is not None and viewer.token_expires_at is not None
    issued = await rotate_token(pool, viewer, timedelta(days=180))
    assert issued.token != token
    assert await viewer_for_token(pool, token) is None
    renewed = await viewer_for_token(pool, issued.token)
    assert renewed is not None and renewed.account_id == viewer.account_id
    assert renewed.token_expires_at == issued.expires_at
    # Rotating (or revoking) the old token again is refused: it is no longer valid.
    for again in (rotate_token(pool, viewer, timedelta(days=1)), revoke_token(pool, viewer)):
        with pytest.raises(UserErrors) as refused:
            await again
        assert refused.value.errors[0].code is ErrorCode.UNAUTHENTICATED
    assert await db.fetchval("SELECT count(*) FROM tokens WHERE revoked_at IS NULL") == 1


async def test_two_rotations_at_once_leave_one_new_token(pool: asyncpg.Pool, db: asyncpg.Connection) -> None:
    token, _ = await register_resident(pool, LAN)
    viewer = await viewer_for_token(pool, token)
    assert viewer is not None
    results = await asyncio.gather(
        *(rotate_token(pool, viewer, timedelta(days=1)) for _ in range(4)), return_exceptions=True
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, UserErrors) for r in results if isinstance(r, BaseException))
    assert await db.fetchval("SELECT count(*) FROM tokens WHERE revoked_at IS NULL") == 1


async def test_staff_token_issues_a_fresh_token_for_an_active_staff_name(pool: asyncpg.Pool) -> None:
    first = await create_staff(pool, "Tanaka")
    with pytest.raises(UserErrors, match="already taken") as taken:
        await create_staff(pool, "Tanaka")
    assert [e.reason for e in taken.value.errors] == [ErrorReason.NAME_TAKEN]
    fresh = await issue_staff_token(pool, "Tanaka")
    a, b = await viewer_for_token(pool, first), await viewer_for_token(pool, fresh)
    assert a is not None and b is not None and a.account_id == b.account_id and fresh != first
    with pytest.raises(UserErrors, match="Not found") as unknown:
        await issue_staff_token(pool, "Nobody")
    assert [(e.reason, e.path) for e in unknown.value.errors] == [(ErrorReason.NOT_FOUND, ("name",))]


async def test_revocation_reaches_another_cache_at_once(db_url: str, pool: asyncpg.Pool) -> None:
    """Two caches (as in two processes), each with its listener: a revocation made through one
    pool is heard by both well before the cache TTL."""
    token, _ = await register_resident(pool, LAN)
    caches = [ViewerCache(ttl=60.0), ViewerCache(ttl=60.0)]
    listeners = [RevocationListener(c, lambda: asyncpg.connect(db_url)) for c in caches]
    for listener in listeners:
        await listener.start()
    try:
        viewer = await caches[0].viewer(pool, token)
        assert viewer is not None and await caches[1].viewer(pool, token) is not None
        told: list[bytes] = []
        with caches[1].watch(viewer.token_hash, told.append):
            await revoke_token(pool, viewer)
            started = time.monotonic()
            for cache in caches:
                await eventually(lambda c=cache: _refused(c, pool, token), timeout=1.0, interval=0.01)
            assert time.monotonic() - started < 1.0
            assert told == [viewer.token_hash]
    finally:
        for listener in listeners:
            await listener.stop()


async def _refused(cache: ViewerCache, pool: asyncpg.Pool, token: str) -> bool:
    return await cache.viewer(pool, token) is None


async def test_nothing_is_cached_while_revocations_cannot_be_heard(db_url: str, pool: asyncpg.Pool) -> None:
    token, _ = await register_resident(pool, LAN)
    cache = ViewerCache(ttl=60.0)
    listener = RevocationListener(cache, lambda: asyncpg.connect(db_url))
    await listener.start()
    try:
        assert await cache.viewer(pool, token) is not None
        # The listening connection dies (as when PostgreSQL restarts): the cache empties and
        # caches nothing until it listens again.
        await pool.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query LIKE '%LISTEN%otonari_tokens%' AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        await eventually(lambda: _not_listening(cache), timeout=5, interval=0.01)
        assert not cache._entries
        await eventually(lambda: _listening(cache), timeout=10, interval=0.05)
    finally:
        await listener.stop()


async def _not_listening(cache: ViewerCache) -> bool:
    return not cache.listening


async def _listening(cache: ViewerCache) -> bool:
    return cache.listening
