"""Erasure and retention: a resident's words, contact and name leave the database.

On request (staff `eraseResident`, the resident's own `eraseMe`) or by the retention schedule,
in one transaction each:

* every text of the resident's requests (text, area, preferred times) becomes a tombstone, and
  every copy of it goes: the triage example a review made of it (deleted; every process running
  the engine forgets it through `triage_example_removals`, service.pipeline.ExampleSync), staff
  notes on it, both sides' completion comments, a failed triage's error;
* the resident's contact, area and display name become tombstones, the account is deactivated
  and its tokens revoked (every process forgets them within a second);
* unfinished requests are cancelled first (pending offers end, a matched volunteer loses access).

What stays, for the statistics: ids, statuses, times, triage and review labels, ratings,
events (kinds and times only), and the audit log, which never holds words, names or contacts
(service.audit). The entry for the erasure itself names the resident by id.

Retention (`retention_sweep`, run by the worker's scheduler): requests closed longer than
OTONARI_RETENTION_DAYS ago lose their texts the same way; a resident registered longer ago than
that, with no request open or closed since and no token still valid, is erased whole.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from db.availability import LOOP_DATABASE_ERRORS
from db.queries import q
from db.types import Connection, Pool
from service import audit
from service.auth import revoke_account_tokens
from service.errors import ErrorReason, UserErrors, not_found
from service.outage_log import OutageLog
from service.requests import TERMINAL_STATUSES, cancel_locked
from service.stopping import pause

log = logging.getLogger(__name__)

# What an erased text, area or contact reads as (each column's CHECK wants at least a character).
ERASED = "[erased]"
ERASED_NAME = "[erased]"
# How many requests or residents one retention transaction erases.
RETENTION_BATCH = 100

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


class ErasedBy(StrEnum):
    STAFF = "STAFF"
    RESIDENT = "RESIDENT"
    RETENTION = "RETENTION"


@dataclass(frozen=True)
class Erasure:
    resident_id: int
    requests_erased: int
    requests_cancelled: int
    examples_removed: int


async def erase_resident(pool: Pool, resident_id: int, *, actor: int | None, by: ErasedBy) -> Erasure:
    """Erase one resident (staff: any; a resident: themself, checked by the caller)."""
    async with pool.acquire() as conn, conn.transaction():
        erased = await _erase_resident(conn, resident_id, actor=actor, by=by)
        if erased is None:
            raise UserErrors.one(ErrorReason.ALREADY_ERASED, "id")
    return erased


async def _erase_resident(
    conn: Connection,
    resident_id: int,
    *,
    actor: int | None,
    by: ErasedBy,
    still_due: tuple[datetime, datetime] | None = None,
) -> Erasure | None:
    """Inside a transaction. None when already erased, or (retention: `still_due` = the cutoff
    and now) when the resident turned out to be active again once locked."""
    # The lock order of submitRequest: a submission in flight finishes first (and is erased too),
    # or sees the erasure and is refused.
    await conn.execute(q("lock_resident_submissions"), resident_id)
    resident = await conn.fetchrow(q("lock_resident"), resident_id)
    if resident is None:
        raise not_found("Resident", "id")
    if resident["erased_at"] is not None:
        return None
    if still_due is not None:
        cutoff, now = still_due
        if await conn.fetchval(q("residents_due_for_erasure"), cutoff, now, 1, resident_id) is None:
            return None
    request_ids = [r["id"] for r in await conn.fetch(q("requests_of_resident"), resident_id)]
    await conn.fetch(q("lock_triage_jobs"), request_ids)
    cancelled = 0
    for request_id in request_ids:
        row = await conn.fetchrow(q("lock_request"), request_id)
        if row is not None and row["status"] not in TERMINAL_STATUSES:
            await cancel_locked(conn, request_id)
            cancelled += 1
    removed = await _erase_request_texts(conn, request_ids)
    await conn.execute(q("erase_resident"), resident_id, ERASED)
    # Messages to them (a delivery error may quote their address) go with the address.
    await conn.execute(q("delete_account_notifications"), resident["account_id"])
    await conn.execute(q("erase_account_name"), resident["account_id"], ERASED_NAME)
    await revoke_account_tokens(conn, resident["account_id"])
    outcome = Erasure(resident_id, len(request_ids), cancelled, removed)
    await audit.record(
        conn,
        audit.AuditAction.RESIDENT_ERASED,
        actor=actor,
        subject=("Resident", resident_id),
        details={
            "by": by.value,
            "requestsErased": outcome.requests_erased,
            "requestsCancelled": outcome.requests_cancelled,
            "examplesRemoved": outcome.examples_removed,
        },
    )
    return outcome


async def _erase_request_texts(conn: Connection, request_ids: Sequence[int]) -> int:
    """Tombstone the texts of these requests and delete every copy; call with their triage jobs
    locked first (lock_triage_jobs). Returns how many triage examples were removed."""
    if not request_ids:
        return 0
    ids = list(request_ids)
    await conn.execute(q("erase_request_texts"), ids, ERASED)
    await conn.execute(q("erase_review_notes"), ids)
    await conn.execute(q("erase_completion_comments"), ids)
    await conn.execute(q("erase_triage_job_errors"), ids)
    removed = await conn.fetch(q("delete_triage_examples"), ids)
    if removed:
        # Workers sync their examples when woken (service.pipeline.TriageWorker).
        await conn.execute(q("notify_jobs"), "examples")
    return len(removed)


@dataclass(frozen=True)
class RetentionOutcome:
    requests_erased: int
    residents_erased: int


async def retention_sweep(pool: Pool, now: datetime, retention_days: int) -> RetentionOutcome:
    """Erase what is past retention at `now` (the scheduler's clock), in small transactions."""
    cutoff = now - timedelta(days=retention_days)
    requests = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            due = [r["id"] for r in await conn.fetch(q("requests_due_for_erasure"), cutoff, RETENTION_BATCH)]
            if not due:
                break
            await conn.fetch(q("lock_triage_jobs"), due)
            await _erase_request_texts(conn, due)
            for request_id in due:
                await audit.record(
                    conn,
                    audit.AuditAction.REQUEST_ERASED,
                    actor=None,
                    subject=("SupportRequest", request_id),
                    details={"by": ErasedBy.RETENTION.value},
                )
            requests += len(due)
    residents = 0
    candidates = await pool.fetch(q("residents_due_for_erasure"), cutoff, now, RETENTION_BATCH * 10, None)
    for candidate in candidates:
        async with pool.acquire() as conn, conn.transaction():
            if await _erase_resident(
                conn, candidate["id"], actor=None, by=ErasedBy.RETENTION, still_due=(cutoff, now)
            ):
                residents += 1
    return RetentionOutcome(requests, residents)


RETENTION_SWEEP_SECONDS = 3600.0
# A sweep the database failed is tried again soon, not at the next hour: an outage is over (and said
# over: "reconnected after N s") within a minute of the database's return, as for the other loops,
# and a worker started while the database restarts does not put its sweep off by an hour. The retry
# doubles from the first delay to the longest: a failure that lasts (a sweep cut by the statement
# timeout every time) costs a sweep a minute, not one every few seconds.
RETENTION_RETRY_FIRST_SECONDS = 5.0
RETENTION_RETRY_MAX_SECONDS = 60.0


async def retention_scheduler(
    pool: Pool, retention_days: int, *, clock: Clock = wall_clock, every: float = RETENTION_SWEEP_SECONDS
) -> None:
    """Sweep now, then every `every` seconds, by `clock` (tests give it one they control); after a
    failed sweep, sooner (never later than `every`)."""
    outage = OutageLog(log, "retention")
    retry = RETENTION_RETRY_FIRST_SECONDS
    while True:
        try:
            outcome = await retention_sweep(pool, clock(), retention_days)
            outage.recovered()
            if outcome.requests_erased or outcome.residents_erased:
                log.info(
                    "retention: erased the texts of %d requests and %d residents",
                    outcome.requests_erased,
                    outcome.residents_erased,
                )
            delay, retry = every, RETENTION_RETRY_FIRST_SECONDS
        except LOOP_DATABASE_ERRORS as error:
            outage.failed(error)
            delay, retry = min(retry, every), min(2 * retry, RETENTION_RETRY_MAX_SECONDS)
        await pause(delay)
