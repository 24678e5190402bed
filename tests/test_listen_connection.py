"""A LISTEN connection that an error made suspect, or that its holder gives back at shutdown, is
returned without the pool warning that it "is being released ... but has 1 active notification
listener": under the tests' warnings-as-errors that warning escaped the triage worker's retry loop
and stopped it after a database restart."""

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from db.availability import discard_connection, release_listening

CHANNEL = "otonari_probe"


def _noop(*_: object) -> None:
    pass


@contextlib.asynccontextmanager
async def listening(db_url: str, *, cut: bool) -> AsyncIterator[tuple[asyncpg.Pool, asyncpg.Connection, int]]:
    """A one-connection pool whose connection listens; ``cut``: the server then ends it, unnoticed."""
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=1)
    admin = await asyncpg.connect(db_url)
    try:
        conn = await pool.acquire()
        await conn.add_listener(CHANNEL, _noop)
        pid = conn.get_server_pid()
        if cut:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        yield pool, conn, pid
    finally:
        await admin.close()
        await pool.close()


async def test_a_live_listening_connection_is_discarded_cleanly(db_url: str) -> None:
    async with listening(db_url, cut=False) as (pool, conn, _):
        await discard_connection(pool, conn)  # warnings are errors here (pyproject)
        # The pool's one slot is free again, with a working connection.
        async with pool.acquire(timeout=5) as fresh:
            assert await fresh.fetchval("SELECT 1") == 1


async def test_a_connection_the_server_cut_is_discarded_cleanly(db_url: str) -> None:
    async with listening(db_url, cut=True) as (pool, conn, _):
        await discard_connection(pool, conn)
        await discard_connection(pool, conn)  # twice (a retry loop may): still nothing raised
        async with pool.acquire(timeout=5) as fresh:
            assert await fresh.fetchval("SELECT 1") == 1


async def test_a_live_listener_is_released_reusable_and_no_longer_listening(db_url: str) -> None:
    async with listening(db_url, cut=False) as (pool, conn, pid):
        await release_listening(pool, conn, CHANNEL, _noop)
        async with pool.acquire(timeout=5) as again:
            assert again.get_server_pid() == pid  # kept, not thrown away
            assert await again.fetchval("SELECT count(*) FROM pg_listening_channels()") == 0


async def test_a_listener_the_server_cut_unnoticed_is_released_quietly(db_url: str) -> None:
    async with listening(db_url, cut=True) as (pool, conn, pid):
        # The holder stops before it notices: UNLISTEN fails, and nothing may escape shutdown.
        await release_listening(pool, conn, CHANNEL, _noop)
        async with pool.acquire(timeout=5) as fresh:
            assert fresh.get_server_pid() != pid
            assert await fresh.fetchval("SELECT 1") == 1
