"""Background work of a process: triage jobs, notification delivery, the offer-expiry (and
reminder) and the retention schedulers.

Runs inside the server by default, or alone as `python main.py worker` against the same database.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from db.availability import LOOP_DATABASE_ERRORS
from db.queries import q
from service import metrics, rate_limits
from service.context import AppState
from service.erasure import retention_scheduler
from service.notifications.delivery import NotificationDelivery
from service.offers import expire_due_offers
from service.outage_log import OutageLog
from service.pipeline import ExampleSync, TriageWorker, triage_worker_name
from service.stopping import pause, stop_requested, stop_tasks

log = logging.getLogger(__name__)

EXPIRY_POLL_SECONDS = 5.0
RATE_LIMIT_PRUNE_SECONDS = 300.0
# A background loop that failed is started again after this, doubling up to the maximum; one
# that had run that long before it failed starts again at the first delay.
RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0


async def supervised(name: str, loop: Callable[[], Awaitable[None]]) -> None:
    """Run a background loop for as long as the process lives. Each loop handles the errors it
    expects (the database going away) itself; anything else would end its task without a word
    and, with it, the process's triage, offers or mail. Here it is logged with its traceback,
    counted (otonari_worker_restarts) and the loop started again after a back-off."""
    delay = RESTART_FIRST_SECONDS
    while True:
        started = time.monotonic()
        try:
            await loop()
            log.error("background loop %s returned; starting it again", name)
        except Exception:
            if stop_requested():
                raise  # how its cancellation surfaced: it stops, it is not started again
            log.exception("background loop %s failed; starting it again", name)
        metrics.WORKER_RESTARTS.labels(name).inc()
        if time.monotonic() - started >= RESTART_MAX_SECONDS:
            delay = RESTART_FIRST_SECONDS
        await pause(delay)
        delay = min(2 * delay, RESTART_MAX_SECONDS)


async def expiry_scheduler(state: AppState) -> None:
    """Expire offers on time even when nobody calls the API; the schedule lives in the table,
    so it survives restarts. Also forgets rate-limit keys that have fully recovered."""
    next_prune = 0.0
    outage = OutageLog(log, "offer expiry")
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
            outage.recovered()
        except LOOP_DATABASE_ERRORS as error:
            outage.failed(error)
            delay = EXPIRY_POLL_SECONDS
        await pause(delay)


async def run_workers(state: AppState, triage_workers: int = 1) -> None:
    """The background loops, until cancelled (`python main.py worker`)."""
    async with background_work(state, triage_workers) as tasks:
        await asyncio.gather(*tasks)


@contextlib.asynccontextmanager
async def background_work(
    state: AppState, triage_workers: int = 1
) -> AsyncIterator[list["asyncio.Task[None]"]]:
    """The background loops run while the block does (inside `serve`, or run_workers). At its end
    they are stopped within STOP_SECONDS (service.stopping): a job being triaged then goes back to
    the queue with its rolled-back transaction, for the next worker. A refit of the triage heads
    in progress is waited for (ExampleSync.close)."""
    examples = ExampleSync(state.engine)
    hold = state.settings.triage_hold_seconds
    notifications = NotificationDelivery(state.pool, state.settings)
    loops: dict[str, Callable[[], Awaitable[None]]] = {
        **{
            f"triage-{i}": TriageWorker(
                state.pool,
                state.engine,
                examples,
                hold_seconds=hold,
                name=triage_worker_name(i + 1, triage_workers),
            ).run
            for i in range(triage_workers)
        },
        "offer-expiry": lambda: expiry_scheduler(state),
        "notifications": notifications.run,
        "retention": lambda: retention_scheduler(state.pool, state.settings.retention_days),
    }
    tasks = [asyncio.create_task(supervised(name, loop), name=name) for name, loop in loops.items()]
    try:
        yield tasks
    finally:
        await stop_tasks(tasks, "background work")
        await examples.close()
