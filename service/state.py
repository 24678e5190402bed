"""What a process opens before it serves or works: the database (migrated, pooled), the model,
the event broker and the matcher, closed in reverse (open_state)."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg

from db.availability import TimedPool
from db.embedded import embedded_database_url
from db.migrate import migrate
from db.types import Pool
from service import statements
from service.config import Settings
from service.context import AppState
from service.events import EventBroker
from service.matching import Matcher
from service.stopping import STOP_SECONDS
from service.viewer_cache import RevocationListener, ViewerCache
from triage.engine import Triage

log = logging.getLogger(__name__)


def database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    return embedded_database_url(settings.data_dir, keep_running=settings.keep_embedded_db)


async def open_database(settings: Settings) -> tuple[str, Pool]:
    """Start or reach PostgreSQL, apply migrations, open the pool."""
    dsn = await asyncio.to_thread(database_url, settings)
    conn = await asyncpg.connect(dsn)
    try:
        applied = await migrate(conn)
        if applied:
            log.info("applied migrations: %s", ", ".join(applied))
    finally:
        await conn.close()
    pool: Pool = await TimedPool(
        dsn,
        acquire_timeout=settings.db_acquire_timeout_seconds,
        min_size=2,
        max_size=settings.pool_size,
        reset=_keep_session,
        server_settings=session_settings(settings),
        # asyncpg.create_pool's defaults
        max_queries=50000,
        max_inactive_connection_lifetime=300.0,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        loop=None,
        init=statements.watch if settings.count_statements else None,
    )
    return dsn, pool


def session_settings(settings: Settings) -> dict[str, str]:
    """Server settings of every connection this process opens."""
    return {"statement_timeout": str(settings.db_statement_timeout_ms)}


def connector(dsn: str, settings: Settings) -> Callable[[], Awaitable[asyncpg.Connection]]:
    """Opens a dedicated connection (the LISTEN ones), bounded like the pool's."""

    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(
            dsn, timeout=settings.db_acquire_timeout_seconds, server_settings=session_settings(settings)
        )

    return connect


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Pool release without asyncpg's default reset query (a round trip per checkout).

    Nothing here leaves session state behind: advisory locks are transaction-scoped, nothing
    runs SET, listeners are removed by their owners; asyncpg still rolls back an open transaction.
    """


@contextlib.asynccontextmanager
async def open_state(settings: Settings, engine: Triage | None = None) -> AsyncIterator[AppState]:
    """Everything a process needs, opened in order and closed in reverse."""
    dsn, pool = await open_database(settings)
    try:
        if engine is None:
            engine = await asyncio.to_thread(Triage.load, settings.data_dir, settings.embedding_model)
            # The model leaves ~0.5M long-lived objects that every full collection would walk
            # (~0.25 s, a stall for every request and subscriber in flight): take them out of
            # the collector's sight. Only when this process loaded the model (not in tests).
            gc.collect()
            gc.freeze()
        broker = EventBroker(connector(dsn, settings))
        viewers = ViewerCache()
        revocations = RevocationListener(viewers, connector(dsn, settings))
        await broker.start()
        await revocations.start()
        try:
            matcher = Matcher(engine)
            await matcher.refresh(pool)
            yield AppState(
                settings=settings, pool=pool, engine=engine, broker=broker, matcher=matcher, viewers=viewers
            )
        finally:
            await revocations.stop()
            await broker.stop()
    finally:
        try:
            async with asyncio.timeout(STOP_SECONDS):
                await pool.close()
        except TimeoutError:
            # A connection still held (a stuck query) must not keep the process from exiting.
            log.warning("database pool did not close in %.0f s; terminating it", STOP_SECONDS)
            pool.terminate()
        except Exception as error:  # the database went away under it: close() has terminated it
            log.warning("database pool did not close cleanly (%r); its connections were dropped", error)
