"""Background work of a process: triage jobs, notification delivery, the offer-expiry (and
reminder) and the retention schedulers.

Runs inside the server by default, or alone as `python main.py worker` against the same database.
"""

import asyncio
import contextlib
import logging
import time

import asyncpg

from db.queries import q
from service import rate_limits
from service.context import AppState
from service.erasure import retention_scheduler
from service.notifications.delivery import NotificationDelivery
from service.offers import expire_due_offers
from service.pipeline import ExampleSync, TriageWorker

log = logging.getLogger(__name__)

EXPIRY_POLL_SECONDS = 5.0
RATE_LIMIT_PRUNE_SECONDS = 300.0


async def expiry_scheduler(state: AppState) -> None:
    """Expire offers on time even when nobody calls the API; the schedule lives in the table,
    so it survives restarts. Also forgets rate-limit keys that have fully recovered."""
    next_prune = 0.0
    while True:
        try:
            while await expire_due_offers(state):
                pass
            if time.monotonic() >= next_prune:
                await rate_limits.prune(state.pool)
                next_prune = time.monotonic() + RATE_LIMIT_PRUNE_SECONDS
            delay = EXPIRY_POLL_SECONDS
            next_due = await state.pool.fetchval(q("next_offer_expiry"))
            if next_due is not None:
                now = await state.pool.fetchval("SELECT now()")
                delay = min(EXPIRY_POLL_SECONDS, max(0.05, (next_due - now).total_seconds()))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("offer expiry: database error (%s), retrying", error)
            delay = EXPIRY_POLL_SECONDS
        await asyncio.sleep(delay)


async def run_workers(state: AppState, triage_workers: int = 1) -> None:
    examples = ExampleSync(state.engine)
    tasks = [
        asyncio.create_task(
            TriageWorker(
                state.pool, state.engine, examples, hold_seconds=state.settings.triage_hold_seconds
            ).run(),
            name=f"triage-{i}",
        )
        for i in range(triage_workers)
    ]
    tasks.append(asyncio.create_task(expiry_scheduler(state), name="offer-expiry"))
    tasks.append(
        asyncio.create_task(NotificationDelivery(state.pool, state.settings).run(), name="notifications")
    )
    tasks.append(
        asyncio.create_task(retention_scheduler(state.pool, state.settings.retention_days), name="retention")
    )
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await examples.close()
