"""Support requests: submit, read with visibility rules, cancel, review. Write first, then work."""

from collections.abc import Sequence
from dataclasses import dataclass

from db.queries import q
from db.types import Connection, Executor, Pool
from service import audit, metrics
from service.auth import Role, Viewer
from service.errors import ErrorReason, UserErrors, forbidden, not_found
from service.notifications import outbox
from service.paging import Pages, Window, pages_of
from service.rate_limits import rate_limited
from service.records import RequestRecord, Row
from service.statuses import RequestStatus
from service.validation import MAX_AREA, MAX_NOTE, MAX_SHORT_TEXT, MAX_TEXT, Checker
from triage.labels import SupportField, Urgency


def _values(*statuses: RequestStatus) -> frozenset[str]:
    """Statuses as the records hold them (requests.status)."""
    return frozenset(s.value for s in statuses)


TERMINAL_STATUSES = _values(RequestStatus.COMPLETED, RequestStatus.CANCELLED, RequestStatus.CLOSED)
REVIEWABLE_STATUSES = _values(RequestStatus.IN_REVIEW, RequestStatus.ESCALATED)
# The matched volunteer reads the request (and the resident's contact) in these statuses only:
# a resident who cancels ends the volunteer's access.
MATCHED_STATUSES = _values(RequestStatus.MATCHED, RequestStatus.COMPLETED)


async def emit_event(conn: Connection, request_id: int, kind: str, offer_id: int | None = None) -> None:
    """Record a change in the transaction that makes it; the NOTIFY goes out at commit. The
    notifications the change causes (email, webhooks) are queued in the same transaction."""
    event_id: int = await conn.fetchval(q("insert_event"), request_id, kind, offer_id)
    await outbox.on_event(conn, event_id, request_id, kind, offer_id)
    # Counted as written: a transaction rolled back after this (rare: refusals come first)
    # counts once too often.
    metrics.offer_event(kind)


def sees_without_offer(viewer: Viewer, record: RequestRecord) -> bool | None:
    """Staff: all. A resident: their own. A volunteer: while matched with it (MATCHED or
    COMPLETED); else None: it depends on whether they hold a live offer for it."""
    if viewer.role is Role.STAFF:
        return True
    if viewer.role is Role.RESIDENT:
        return record.resident_id == viewer.resident_id
    if viewer.volunteer_id is None:
        return False
    if record.assigned_volunteer_id == viewer.volunteer_id and record.status in MATCHED_STATUSES:
        return True
    return None


async def can_see_request(conn: Executor, viewer: Viewer, record: RequestRecord) -> bool:
    """sees_without_offer, or a volunteer holding a live offer for it: PENDING and before its
    expiry time."""
    seen = sees_without_offer(viewer, record)
    if seen is not None:
        return seen
    return bool(await conn.fetchval(q("volunteer_holds_live_offer"), record.id, viewer.volunteer_id))


async def get_requests(conn: Executor, ids: Sequence[int]) -> dict[int, RequestRecord]:
    """Requests by id, whoever may see them: callers apply the visibility rules."""
    rows = await conn.fetch(q("request_details_many"), list(ids))
    return {r["id"]: RequestRecord.from_row(r) for r in rows}


async def request_pages_of_residents(
    conn: Executor, resident_ids: Sequence[int], window: Window[int]
) -> Pages[RequestRecord]:
    """Each resident's requests, newest first, a page each."""
    rows = await conn.fetch(
        q("request_pages_of_residents"),
        list(resident_ids),
        window.after,
        window.before,
        window.size + 1,
        window.backward,
    )

    async def count(ids: list[int]) -> Sequence[Row]:
        return await conn.fetch(q("count_requests_of_residents"), ids)

    return await pages_of(rows, "resident_id", resident_ids, window, RequestRecord.from_row, count)


async def similar_reviewed(
    conn: Executor, request_ids: Sequence[int], first: int
) -> dict[int, list[RequestRecord]]:
    """For each request, the reviewed requests nearest to it at triage (at most `first`)."""
    found: dict[int, list[RequestRecord]] = {pk: [] for pk in request_ids}
    for row in await conn.fetch(q("similar_reviewed_requests"), list(request_ids), first):
        found[row["similar_to"]].append(RequestRecord.from_row(row))
    return found


async def live_offers_held(conn: Executor, volunteer_id: int, request_ids: Sequence[int]) -> set[int]:
    """Of these requests, those for which the volunteer holds a live offer."""
    rows = await conn.fetch(q("live_offers_held"), list(request_ids), volunteer_id)
    return {r["request_id"] for r in rows}


async def get_request(conn: Executor, viewer: Viewer, request_id: int) -> RequestRecord | None:
    """The request if the viewer may see it; None both when missing and when not theirs."""
    row = await conn.fetchrow(q("request_details"), request_id)
    if row is None:
        return None
    record = RequestRecord.from_row(row)
    return record if await can_see_request(conn, viewer, record) else None


@dataclass(frozen=True)
class SubmitInput:
    text: str
    area: str | None
    preferred_times: str | None


async def submit_request(pool: Pool, viewer: Viewer, data: SubmitInput, *, rate_per_minute: int) -> int:
    """Store the request and its triage job in one transaction; return its id at once."""
    if viewer.role is not Role.RESIDENT or viewer.resident_id is None:
        raise forbidden(Role.RESIDENT)
    check = Checker("input")
    text = check.text("text", data.text, max_len=MAX_TEXT)
    area = check.optional_line("area", data.area, max_len=MAX_AREA)
    if data.area is not None and area is None:
        check.fail("area", ErrorReason.BLANK)  # leave it out to use the registered area
    preferred = check.optional_line("preferredTimes", data.preferred_times, max_len=MAX_SHORT_TEXT)
    check.check()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(q("lock_resident_submissions"), viewer.resident_id)
        # Read under the lock an erasure or a deactivation takes too: one that got there first is
        # seen here, so no request is added to an account that was just erased.
        resident = await conn.fetchrow(q("resident_may_submit"), viewer.resident_id)
        if resident is None:
            raise UserErrors.one(ErrorReason.ACCOUNT_DEACTIVATED)
        recent = await conn.fetchval(q("count_recent_submissions"), viewer.resident_id, 60.0)
        if recent >= rate_per_minute:
            oldest_age = await conn.fetchval(q("oldest_recent_submission_age"), viewer.resident_id, 60.0)
            raise rate_limited(
                60.0 - (oldest_age or 0.0), limit=rate_per_minute, window_seconds=60.0, per="resident"
            )
        request_id: int = await conn.fetchval(
            q("insert_request"), viewer.resident_id, text, area or resident["area"], preferred
        )
        await conn.execute(q("insert_triage_job"), request_id)
        await emit_event(conn, request_id, "RECEIVED")
        await conn.execute(q("notify_jobs"), str(request_id))
    return request_id


async def cancel_request(pool: Pool, viewer: Viewer, request_id: int) -> None:
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(q("lock_request"), request_id)
        if row is None or viewer.role is not Role.RESIDENT or row["resident_id"] != viewer.resident_id:
            raise not_found("SupportRequest", "id")
        if row["status"] in TERMINAL_STATUSES:
            raise UserErrors.one(ErrorReason.NOT_ALLOWED_IN_STATUS, "id", status=row["status"])
        await cancel_locked(conn, request_id)


async def cancel_locked(conn: Connection, request_id: int) -> None:
    """Cancel a request not yet finished whose row this transaction has locked (lock_request)."""
    # Pending offers end with the request; their holders see it through the CANCELLED event.
    withdrawn = await conn.fetch(q("withdraw_pending_offers"), request_id)
    metrics.OFFERS.labels("withdrawn").inc(len(withdrawn))
    await conn.execute(q("set_request_status"), request_id, "CANCELLED")
    await emit_event(conn, request_id, "CANCELLED")


@dataclass(frozen=True)
class ReviewInput:
    request_id: int
    decision: str  # APPROVE | CLOSE
    field: SupportField | None
    urgency: Urgency | None
    note: str | None


@dataclass(frozen=True)
class ReviewOutcome:
    request_id: int
    opened: bool


async def review_triage(conn: Connection, viewer: Viewer, data: ReviewInput) -> ReviewOutcome:
    """Approve (with the same or corrected labels) or close. Call inside a transaction."""
    check = Checker("input")
    note = check.optional_text("note", data.note, max_len=MAX_NOTE)
    check.check()
    row = await conn.fetchrow(q("lock_request"), data.request_id)
    if row is None:
        raise not_found("SupportRequest", "input", "requestId")
    if row["status"] not in REVIEWABLE_STATUSES:
        raise UserErrors.one(ErrorReason.NOT_ALLOWED_IN_STATUS, "input", "requestId", status=row["status"])
    triaged_field = SupportField(row["t_field"])
    triaged_urgency = Urgency(row["t_urgency"])
    field = data.field or triaged_field
    urgency = data.urgency or triaged_urgency
    await conn.execute(
        q("insert_review"),
        data.request_id,
        viewer.account_id,
        data.decision,
        field.value,
        urgency.value,
        note,
        field == triaged_field and urgency == triaged_urgency,
    )
    await audit.record(
        conn,
        audit.AuditAction.REVIEW,
        actor=viewer.account_id,
        subject=("SupportRequest", data.request_id),
        details={
            "decision": data.decision,
            "triageField": triaged_field.value,
            "triageUrgency": triaged_urgency.value,
            "field": field.value,
            "urgency": urgency.value,
            "agreedWithTriage": field == triaged_field and urgency == triaged_urgency,
        },
    )
    # Every review teaches the triage engine: the text with the labels staff settled on.
    await conn.execute(q("upsert_triage_example"), data.request_id, row["text"], field.value, urgency.value)
    await emit_event(conn, data.request_id, "REVIEWED")
    opened = data.decision == "APPROVE"
    if opened:
        await conn.execute(q("open_request"), data.request_id)
    else:
        await conn.execute(q("set_request_status"), data.request_id, "CLOSED")
        await emit_event(conn, data.request_id, "CLOSED")
    return ReviewOutcome(data.request_id, opened)
