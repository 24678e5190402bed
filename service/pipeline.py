"""The triage worker: takes jobs from the PostgreSQL queue, triages off the event loop, stores results.

A job is taken with FOR UPDATE SKIP LOCKED and finished in the same transaction as the result and
the status change, so a worker killed at any point leaves the job to be taken again and each
request is triaged exactly once.
"""

import asyncio
import functools
import json
import logging
import math
import time
from collections.abc import Collection, Sequence
from typing import Protocol

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from db.availability import (
    LOOP_DATABASE_ERRORS,
    acquire_listening,
    connection_lost,
    discard_connection,
    release_listening,
)
from db.queries import q
from db.types import Connection, Executor, Pool
from service import memory, metrics
from service.outage_log import OutageLog
from service.records import EmergencyAdviceRecord, EmergencyNumberRecord
from service.requests import emit_event
from service.stopping import STOP_SECONDS, pause
from triage.advice import emergency_advice
from triage.labels import SupportField, Urgency

log = logging.getLogger(__name__)

JOBS_CHANNEL = "otonari_jobs"


class TriageOutcome(Protocol):
    @property
    def language(self) -> str: ...
    @property
    def language_confidence(self) -> float: ...
    @property
    def field(self) -> SupportField: ...
    @property
    def field_scores(self) -> Sequence[tuple[SupportField, float]]: ...
    @property
    def urgency(self) -> Urgency: ...
    @property
    def urgency_score(self) -> float: ...
    @property
    def confidence(self) -> float: ...
    @property
    def signals(self) -> Sequence[str]: ...
    @property
    def model(self) -> str: ...
    @property
    def similar_examples(self) -> Sequence[tuple[int, float]]: ...
    @property
    def emergency_probability(self) -> float: ...


class TriageEngine(Protocol):
    def triage_many(self, texts: Sequence[str]) -> Sequence[TriageOutcome]: ...
    def add_examples(
        self, examples: Sequence[tuple[str, SupportField, Urgency, int]], *, refit: bool = True
    ) -> None: ...
    def remove_examples(self, source_ids: Collection[int]) -> None: ...
    def refit_heads(self) -> int: ...
    @property
    def unfitted_count(self) -> int: ...


def advice_for(language: str) -> EmergencyAdviceRecord:
    advice = emergency_advice(language)
    return EmergencyAdviceRecord(
        message=advice.message,
        numbers=tuple(EmergencyNumberRecord(n.number, n.label) for n in advice.numbers),
    )


REFIT_SECONDS = 30.0  # at most one refit of the linear heads this often
TRIM_SECONDS = 5.0  # at most one malloc_trim (~30 ms, in a thread) after triage batches this often


class ExampleSync:
    """Feeds staff-reviewed examples to this process's engine, whichever process stored them, and
    takes out those an erasure deleted (triage_example_removals, service.erasure).

    Each goes with its triage_examples id: the engine reports near ones by id (for staff), and
    never shows their text to anyone.

    A new example is learned before the next triage batch (its nearest-example part: a
    near-duplicate of a reviewed request takes the staff's labels at once); the linear heads
    are refitted in the background, at most once per ``refit_seconds`` and warm-started, for
    all the examples learned since (``Triage.refit_heads``): a review stream costs a few cheap
    refits, not one full training per review.
    """

    def __init__(self, engine: TriageEngine, refit_seconds: float = REFIT_SECONDS) -> None:
        self.engine = engine
        self.last_id = 0
        self.last_removal: int | None = None
        self.refit_seconds = refit_seconds
        self._lock = asyncio.Lock()
        self._refit: asyncio.Task[int] | None = None
        self._last_refit = -math.inf

    def _maybe_refit(self) -> None:
        if self._refit is not None and not self._refit.done():
            return
        if not self.engine.unfitted_count or time.monotonic() - self._last_refit < self.refit_seconds:
            return
        self._last_refit = time.monotonic()
        self._refit = asyncio.create_task(asyncio.to_thread(self._refit_heads), name="triage-refit")
        self._refit.add_done_callback(_log_refit_failure)

    def _refit_heads(self) -> int:
        learned = self.engine.refit_heads()
        memory.release_free_memory()  # the refit's temporaries, back to the system
        return learned

    async def close(self) -> None:
        """Wait for a refit in progress. Unlike a loop it ends by itself (finite CPU work), a thread
        cannot be cancelled, and the process's exit waits for its thread anyway: no bound, but a
        long wait is said (its failure, if any, is logged by _log_refit_failure)."""
        if self._refit is None or self._refit.done():
            return
        _, running = await asyncio.wait({self._refit}, timeout=STOP_SECONDS)
        if running:
            log.warning("stopping: waiting for a refit of the triage heads (%.0f s so far)", STOP_SECONDS)
            await asyncio.wait(running)

    async def sync(self, conn: Executor) -> int:
        """Learn new examples and forget removed ones; returns how many were learned."""
        async with self._lock:
            if self.last_removal is None:
                # Read before the examples: a removal made meanwhile is applied next time (it
                # may then name an example never loaded, which removes nothing).
                self.last_removal = int(await conn.fetchval(q("last_triage_example_removal")))
            else:
                removals = await conn.fetch(q("triage_example_removals_after"), self.last_removal)
                if removals:
                    gone = {int(r["example_id"]) for r in removals}
                    await asyncio.to_thread(self.engine.remove_examples, gone)
                    self.last_removal = int(removals[-1]["seq"])
            rows = await conn.fetch(q("triage_examples_after"), self.last_id)
            if rows:
                examples = [
                    (r["text"], SupportField(r["field"]), Urgency(r["urgency"]), r["id"]) for r in rows
                ]
                await asyncio.to_thread(functools.partial(self.engine.add_examples, examples, refit=False))
                self.last_id = rows[-1]["id"]
            self._maybe_refit()
            return len(rows)


def _log_refit_failure(task: "asyncio.Task[int]") -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("refitting the triage heads failed", exc_info=task.exception())


async def triage_batch(pool: Pool, engine: TriageEngine, batch_size: int, hold_seconds: float = 0.0) -> int:
    """Triage up to batch_size pending jobs; return how many were done."""
    async with pool.acquire() as conn, conn.transaction():
        jobs = await conn.fetch(q("take_triage_jobs"), batch_size)
        if not jobs:
            return 0
        if hold_seconds:
            await asyncio.sleep(hold_seconds)
        texts = [job["text"] for job in jobs]
        try:
            # Inference is blocking CPU work: keep it off the event loop.
            started = time.perf_counter()
            results = await asyncio.to_thread(engine.triage_many, texts)
            per_request = (time.perf_counter() - started) / len(texts)
        except Exception as exc:
            log.exception("triage failed for %d jobs", len(jobs))
            for job in jobs:
                await conn.execute(q("fail_triage_job"), job["request_id"], repr(exc)[:1000])
            return 0
        for job, result in zip(jobs, results, strict=True):
            metrics.TRIAGE_SECONDS.observe(per_request)
            await store_triage(conn, job["request_id"], result)
        return len(jobs)


async def store_triage(conn: Connection, request_id: int, result: TriageOutcome) -> None:
    emergency = result.urgency is Urgency.EMERGENCY
    advice = advice_for(result.language) if emergency else None
    await conn.execute(
        q("insert_triage_result"),
        request_id,
        result.language,
        float(result.language_confidence),
        result.field.value,
        json.dumps([[f.value, round(float(s), 6)] for f, s in result.field_scores]),
        result.urgency.value,
        float(result.urgency_score),
        float(result.confidence),
        list(result.signals),
        result.model,
        advice.to_json() if advice else None,
        json.dumps([[int(i), round(float(c), 4)] for i, c in result.similar_examples]),
        min(1.0, max(0.0, float(result.emergency_probability))),
    )
    status = "ESCALATED" if emergency else "IN_REVIEW"
    # A request cancelled before its triage keeps its status; the result is stored all the same.
    waited = await conn.fetchval(q("mark_triaged"), request_id, status)
    await conn.execute(q("finish_triage_job"), request_id)
    if waited is not None:
        metrics.TIME_TO_TRIAGE.observe(waited)
        await emit_event(conn, request_id, "TRIAGED")
        if emergency:
            await emit_event(conn, request_id, "ESCALATED")


def triage_worker_name(number: int, workers: int) -> str:
    """What a triage worker's log lines call it: "triage worker 2 of 3", so that an operator can
    tell which of a process's workers is in an outage, or just "triage worker" when it is the only
    one."""
    return "triage worker" if workers == 1 else f"triage worker {number} of {workers}"


class TriageWorker:
    def __init__(
        self,
        pool: Pool,
        engine: TriageEngine,
        examples: ExampleSync,
        *,
        batch_size: int = 16,
        poll_seconds: float = 2.0,
        hold_seconds: float = 0.0,
        name: str = "triage worker",
    ) -> None:
        self.pool = pool
        self.engine = engine
        self.examples = examples
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.hold_seconds = hold_seconds
        self._wake = asyncio.Event()
        # Each worker says an outage once, every 30 s, then its end: not a line per poll.
        self._outage = OutageLog(log, name)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Work until cancelled. NOTIFY wakes it at once; polling covers missed notifications."""
        # None until it listens: the first LISTEN is taken in the loop, so a database that is away
        # when the worker starts is an outage like any other (said once, retried), not a failure.
        listener: PoolConnectionProxy[asyncpg.Record] | None = None
        next_trim = time.monotonic() + TRIM_SECONDS
        relisten = False  # set by an error: the listening connection may be the broken one
        try:
            while True:
                self._wake.clear()
                try:
                    if listener is not None and (relisten or connection_lost(listener)):
                        # The database restarted, or an error made it suspect: listen again.
                        lost, listener = listener, None
                        await discard_connection(self.pool, lost)
                    if listener is None:
                        listener = await acquire_listening(self.pool, JOBS_CHANNEL, self._on_notify)
                    relisten = False
                    await self.examples.sync(self.pool)
                    done = await triage_batch(self.pool, self.engine, self.batch_size, self.hold_seconds)
                    self._outage.recovered()
                    if done and time.monotonic() >= next_trim:
                        # The encoder's temporaries differ with every batch's shape: give back
                        # what malloc keeps free (~30 ms) now and then, not after every batch.
                        next_trim = time.monotonic() + TRIM_SECONDS
                        await asyncio.to_thread(memory.release_free_memory)
                except LOOP_DATABASE_ERRORS as error:
                    self._outage.failed(error)
                    relisten, done = True, 0
                if done == 0:
                    await pause(self.poll_seconds, self._wake)
        finally:
            if listener is not None:
                await release_listening(self.pool, listener, JOBS_CHANNEL, self._on_notify)
