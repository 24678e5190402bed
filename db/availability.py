"""When the database cannot answer: an outage, a restart, a query cut by statement_timeout, a
pool with no free connection in time. These failures are the service's, not the caller's: the
API answers SERVICE_UNAVAILABLE (retry shortly) and background loops wait and try again."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from asyncpg.pool import PoolAcquireContext

log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_RETRY_SECONDS = 0.1

# What a client is told to wait before retrying (Retry-After).
RETRY_AFTER_SECONDS = 5

_UNAVAILABLE = (
    OSError,  # refused, reset, the server's Unix socket gone
    TimeoutError,  # no pooled connection within the acquire timeout; connect timeout
    asyncpg.PostgresConnectionError,  # class 08: the connection broke mid-query
    asyncpg.exceptions.OperatorInterventionError,  # class 57: shutdown, statement timeout
    asyncpg.exceptions.InsufficientResourcesError,  # class 53: too many connections, disk full
)


# Client-side errors of one connection a background loop holds (LISTEN), after the database cut it
# mid-operation: asyncpg's "connection is closed" (InterfaceError) and "another operation is in
# progress" (InternalClientError). The loop drops that connection and connects again.
CONNECTION_BROKEN = (asyncpg.InterfaceError, asyncpg.InternalClientError)

# What a background loop's round (the triage worker, offer expiry, the notification lanes, the
# retention sweep) treats as the database being away: it says so (service.outage_log) and tries
# again, rather than failing.
# CONNECTION_BROKEN covers a pooled connection the database cut, handed out (or reset on its
# release) before the pool noticed: "another operation is in progress".
LOOP_DATABASE_ERRORS = (OSError, asyncpg.PostgresError, *CONNECTION_BROKEN)


def database_unavailable(error: BaseException | None) -> bool:
    """Whether this error says the database could not answer now (rather than a bug or a refusal)."""
    if isinstance(error, _UNAVAILABLE):
        return True
    # asyncpg's own "connection is closed" / "pool is closing" (a lost connection, not a misuse).
    if isinstance(error, asyncpg.InterfaceError) and "clos" in str(error):
        return True
    # A pooled connection the database cut mid-operation, handed out before the pool noticed:
    # "cannot switch to state 11; another operation (2) is in progress" (seen on a live
    # subscriber's read during a restart). The pool drops it on release, so trying again gets a
    # fresh connection.
    return isinstance(error, asyncpg.InternalClientError) and "another operation" in str(error)


def connection_lost(conn: Any) -> bool:
    """Whether a pooled connection held for LISTEN died (a database restart): then the pool has
    already taken it back, and the holder must acquire a fresh one."""
    try:
        return bool(conn.is_closed())
    except asyncpg.InterfaceError:  # "released back to the pool": its connection was lost
        return True


async def discard_connection(pool: asyncpg.Pool, conn: Any) -> None:
    """Give back a pooled connection held for LISTEN that an error made suspect, to acquire a fresh
    one. It is terminated first: that drops its listeners and returns it to the pool. Released
    with a listener still registered (a connection the server cut is not always cleaned up, and
    one cut by an error elsewhere may not know yet), asyncpg warns, and under the tests' "warnings
    are errors" that warning killed the triage worker after a database restart."""
    with contextlib.suppress(asyncpg.InterfaceError):  # already released back to the pool
        conn.terminate()
    await pool.release(conn)  # nothing left to do once terminated; harmless


async def acquire_listening(pool: asyncpg.Pool, channel: str, callback: Any) -> Any:
    """A pooled connection listening on `channel`, for a holder that gives it back with
    ``release_listening`` (or ``discard_connection``). A connection that fails to LISTEN, or whose
    holder is stopped mid-LISTEN, is discarded here rather than left held by nobody."""
    conn = await pool.acquire()
    try:
        await conn.add_listener(channel, callback)
    except BaseException:
        await discard_connection(pool, conn)
        raise
    return conn


async def release_listening(pool: asyncpg.Pool, conn: Any, channel: str, callback: Any) -> None:
    """Give back, when its holder stops, a pooled connection held for LISTEN: a live one stops
    listening and goes back reusable; a lost one, or one that fails to UNLISTEN (the server cut it
    and the holder has not noticed yet), is discarded rather than handed to the pool's reset.
    The one place for this, beside ``discard_connection`` for the holders' retry paths."""
    if connection_lost(conn):
        await discard_connection(pool, conn)
        return
    try:
        await conn.remove_listener(channel, callback)
    except Exception:  # it broke under UNLISTEN: not reusable
        await discard_connection(pool, conn)
        return
    except BaseException:  # cancelled mid-UNLISTEN: not reusable either, and the cancel goes on
        await discard_connection(pool, conn)
        raise
    await pool.release(conn)


class TimedPool(asyncpg.Pool):
    """A pool whose every acquire (also the pool's own fetch/execute) waits at most
    acquire_timeout seconds, so that a burst or a stuck query cannot queue callers for ever."""

    def __init__(self, *args: Any, acquire_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = acquire_timeout

    def acquire(self, *, timeout: float | None = None) -> PoolAcquireContext:
        return super().acquire(timeout=self.acquire_timeout if timeout is None else timeout)


async def until_available(
    work: Callable[[], Awaitable[T]], *, what: str, give_up_seconds: float = 120.0
) -> T:
    """work(), tried again while the database is unavailable (backing off to 2 s), for at most
    give_up_seconds; then the last error. For work that must outlive a restart (a live
    subscriber's read of an event), not for a caller waiting on an answer."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + give_up_seconds
    delay = FIRST_RETRY_SECONDS
    while True:
        try:
            return await work()
        except Exception as error:
            if not database_unavailable(error) or loop.time() + delay > deadline:
                raise
            if delay == FIRST_RETRY_SECONDS:
                log.info("%s: database unavailable (%s); retrying", what, error)
        await asyncio.sleep(delay)
        delay = min(2.0, delay * 2)
