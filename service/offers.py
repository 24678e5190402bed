"""Offers: from an approved request to an accepted volunteer. The first acceptance wins.

Every change locks the request row first (SELECT ... FOR UPDATE), so concurrent acceptances of
one request run one after the other: the second sees the request MATCHED and gets CONFLICT. The
partial unique index offers_one_accepted is the backstop in the database itself.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from db.queries import q
from db.types import Connection, Executor
from service import audit, metrics
from service.auth import Role, Viewer
from service.context import AppState
from service.errors import ErrorReason, UserErrors, forbidden, not_found
from service.ids import to_global_id
from service.notifications import outbox
from service.paging import Window, pages_of
from service.records import LongTermPairRecord, OfferRecord, Row
from service.requests import ReviewInput, emit_event, review_triage
from service.validation import MAX_NOTE, Checker
from triage.labels import Urgency

log = logging.getLogger(__name__)

# myOffers lists at most this many (myOffersConnection pages through all of them).
MY_OFFERS_LIMIT = 200

MAX_OFFERS_AT_ONCE = 20  # sendOffers: volunteers picked by hand in one call
NO_CANDIDATE_LEFT = "no volunteer candidate left: every ranked volunteer declined, expired or is unavailable"


async def offers_for_requests(db: Executor, request_ids: Sequence[int]) -> dict[int, list[OfferRecord]]:
    """Every offer of each request, oldest first, whoever may see them."""
    found: dict[int, list[OfferRecord]] = {pk: [] for pk in request_ids}
    for row in await db.fetch(q("offers_for_requests"), list(request_ids)):
        found[row["request_id"]].append(OfferRecord.from_row(row))
    return found


async def completed_sides(db: Executor, request_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """The sides (RESIDENT, VOLUNTEER) that have completed each request."""
    found: dict[int, set[str]] = {pk: set() for pk in request_ids}
    for row in await db.fetch(q("completion_sides_of_requests"), list(request_ids)):
        found[row["request_id"]].add(row["side"])
    return {pk: frozenset(sides) for pk, sides in found.items()}


async def offers_with_residents(db: Executor, offer_ids: Sequence[int]) -> dict[int, tuple[OfferRecord, int]]:
    """Offers by id, each with its request's resident (who may read it, with staff and its volunteer)."""
    rows = await db.fetch(q("offers_with_resident_by_ids"), list(offer_ids))
    return {r["id"]: (OfferRecord.from_row(r), r["resident_id"]) for r in rows}


async def long_term_pairs(db: Executor, pair_ids: Sequence[int]) -> dict[int, LongTermPairRecord]:
    rows = await db.fetch(q("long_term_pairs_by_ids"), list(pair_ids))
    return {r["id"]: LongTermPairRecord.from_row(r) for r in rows}


# Of each parent (request or volunteer): up to a page and one more of its offers, in the
# window's scan order, and how many it has in all.
OfferPages = dict[int, tuple[list[OfferRecord], int]]


class _OfferParent(NamedTuple):
    """Where the offers of one kind of parent are read: two named queries and the ID column."""

    pages_query: str
    count_query: str
    id_column: str


_OF_REQUESTS = _OfferParent("offer_pages_of_requests", "count_offers_of_requests", "request_id")
_OF_VOLUNTEERS = _OfferParent("offer_pages_of_volunteers", "count_offers_of_volunteers", "volunteer_id")


async def offer_pages_of_requests(
    db: Executor, request_ids: Sequence[int], window: Window[int], volunteer_id: int | None
) -> OfferPages:
    """Each request's offers, oldest first; only `volunteer_id`'s when given."""
    return await _offer_pages(db, _OF_REQUESTS, request_ids, window, volunteer_id)


async def offer_pages_of_volunteers(
    db: Executor, volunteer_ids: Sequence[int], window: Window[int], statuses: Sequence[str] | None
) -> OfferPages:
    """Each volunteer's offers, newest first; only in `statuses` when given."""
    wanted = list(statuses) if statuses is not None else None
    return await _offer_pages(db, _OF_VOLUNTEERS, volunteer_ids, window, wanted)


async def _offer_pages(
    db: Executor,
    parent: _OfferParent,
    parent_ids: Sequence[int],
    window: Window[int],
    only: object,
) -> OfferPages:
    """The offer pages of each parent; both of its queries take the parents' IDs, then the filter `only`."""
    rows = await db.fetch(
        q(parent.pages_query),
        list(parent_ids),
        window.after,
        window.before,
        window.size + 1,
        window.backward,
        only,
    )

    async def count(ids: list[int]) -> Sequence[Row]:
        return await db.fetch(q(parent.count_query), ids, only)

    return await pages_of(rows, parent.id_column, parent_ids, window, OfferRecord.from_row, count)


async def review_and_dispatch(state: AppState, viewer: Viewer, review: ReviewInput) -> None:
    """Staff review; an approval sends the first offers in the same transaction."""
    async with state.pool.acquire() as conn, conn.transaction():
        outcome = await review_triage(conn, viewer, review)
        if outcome.opened:
            await dispatch_offers(state, conn, outcome.request_id)


async def dispatch_offers(state: AppState, conn: Connection, request_id: int) -> int:
    """Top the request up to N pending offers from the ranking; call with the request row locked.

    When nobody is pending and no candidate is left, the request goes back to the staff queue.
    """
    row = await conn.fetchrow(q("lock_request"), request_id)
    if row is None or row["status"] != "OPEN":
        return 0
    pending = await conn.fetchval(q("count_pending_offers"), request_id)
    wanted = state.settings.offers_per_request - pending
    sent = 0
    if wanted > 0:
        already = {r["volunteer_id"] for r in await conn.fetch(q("offered_volunteer_ids"), request_id)}
        ranked = await state.matcher.rank_for_offers(conn, request_id, wanted, exclude=already)
        ttl = await _offer_ttl(state, conn, request_id)
        for volunteer_id in ranked:
            if await _insert_offer(conn, request_id, volunteer_id, None, ttl):
                sent += 1
    if pending + sent == 0:
        await conn.execute(q("return_to_review"), request_id, NO_CANDIDATE_LEFT)
        await emit_event(conn, request_id, "RETURNED_TO_REVIEW")
    return sent


async def _offer_ttl(state: AppState, conn: Connection, request_id: int) -> float:
    """Offers live as long as the (reviewed) urgency allows: HIGH 30 min, NORMAL 24 h, LOW 72 h."""
    urgency = Urgency(await conn.fetchval(q("request_urgency"), request_id) or Urgency.NORMAL)
    return state.settings.offer_ttl[urgency].total_seconds()


async def _insert_offer(
    conn: Connection, request_id: int, volunteer_id: int, created_by: int | None, ttl: float
) -> bool:
    offer = await conn.fetchrow(q("insert_offer"), request_id, volunteer_id, created_by, ttl)
    if offer is None:
        return False
    await emit_event(conn, request_id, "OFFERED", offer["id"])
    first_wait = await conn.fetchval(q("first_offer_wait"), request_id)
    if first_wait is not None:
        metrics.TIME_TO_OFFER.observe(first_wait)
    return True


async def send_offers(state: AppState, viewer: Viewer, request_id: int, volunteer_ids: Sequence[int]) -> int:
    """Staff pick volunteers by hand, besides the automatic offers."""
    if not volunteer_ids:
        raise UserErrors.one(ErrorReason.BLANK, "volunteerIds")
    if len(volunteer_ids) > MAX_OFFERS_AT_ONCE:
        raise UserErrors.one(
            ErrorReason.TOO_MANY, "volunteerIds", limit=MAX_OFFERS_AT_ONCE, count=len(volunteer_ids)
        )
    async with state.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(q("lock_request"), request_id)
        if row is None:
            raise not_found("SupportRequest", "requestId")
        # A request that came back to staff because no candidate was left is where hand-picking
        # matters most: it reopens. Anything not yet approved must be reviewed first.
        returned = row["status"] == "IN_REVIEW" and row["needs_attention"] is not None
        if row["status"] != "OPEN" and not returned:
            raise UserErrors.one(ErrorReason.NOT_ALLOWED_IN_STATUS, "requestId", status=row["status"])
        eligible = {r["id"] for r in await conn.fetch(q("eligible_volunteers"), list(volunteer_ids))}
        missing = [v for v in volunteer_ids if v not in eligible]
        if missing:
            raise UserErrors.one(ErrorReason.VOLUNTEER_NOT_ELIGIBLE, "volunteerIds")
        ttl = await _offer_ttl(state, conn, request_id)
        sent = 0
        for volunteer_id in dict.fromkeys(volunteer_ids):
            if await _insert_offer(conn, request_id, volunteer_id, viewer.account_id, ttl):
                sent += 1
        if sent == 0:
            raise UserErrors.one(ErrorReason.ALREADY_OFFERED, "volunteerIds")
        if returned:
            await conn.execute(q("open_request"), request_id)
        await audit.record(
            conn,
            audit.AuditAction.OFFERS_SENT,
            actor=viewer.account_id,
            subject=("SupportRequest", request_id),
            details={
                "volunteerIds": [to_global_id("Volunteer", v) for v in dict.fromkeys(volunteer_ids)],
                "sent": sent,
            },
        )
        return sent


async def respond_to_offer(state: AppState, viewer: Viewer, offer_id: int, accept: bool) -> OfferRecord:
    if viewer.role is not Role.VOLUNTEER or viewer.volunteer_id is None:
        raise forbidden(Role.VOLUNTEER)
    async with state.pool.acquire() as conn, conn.transaction():
        peek = await conn.fetchrow(q("offer_by_id"), offer_id)
        if peek is None or peek["volunteer_id"] != viewer.volunteer_id:
            raise not_found("Offer", "offerId")
        # Request first, then offer: the same lock order everywhere, so no deadlocks.
        request = await conn.fetchrow(q("lock_request"), peek["request_id"])
        offer = await conn.fetchrow(q("lock_offer"), offer_id)
        if request is None or offer is None:  # deleted meanwhile
            raise not_found("Offer", "offerId")
        if offer["status"] == "WITHDRAWN":
            raise UserErrors.one(ErrorReason.OFFER_WITHDRAWN, "offerId")
        if offer["status"] == "EXPIRED" or (
            offer["status"] == "PENDING"
            and await conn.fetchval("SELECT now() >= $1::timestamptz", offer["expires_at"])
        ):
            raise UserErrors.one(ErrorReason.OFFER_EXPIRED, "offerId")
        if offer["status"] != "PENDING":
            raise UserErrors.one(ErrorReason.OFFER_ALREADY_ANSWERED, "offerId", status=offer["status"])
        if not accept:
            updated = await _set_offer_status(conn, offer_id, "DECLINED")
            await emit_event(conn, offer["request_id"], "OFFER_DECLINED", offer_id)
            await dispatch_offers(state, conn, offer["request_id"])
            return updated
        if request["status"] != "OPEN":
            raise UserErrors.one(ErrorReason.NOT_ALLOWED_IN_STATUS, "offerId", status=request["status"])
        if not await conn.fetchval(q("volunteer_is_verified"), viewer.volunteer_id):
            raise UserErrors.one(ErrorReason.NOT_VETTED, "offerId")
        limit = await conn.fetchval(q("volunteer_max_active"), viewer.volunteer_id)
        active = await conn.fetchval(q("volunteer_active_count"), viewer.volunteer_id)
        if active >= limit:
            raise UserErrors.one(ErrorReason.AT_CAPACITY, "offerId", limit=limit)
        updated = await _set_offer_status(conn, offer_id, "ACCEPTED")
        others = await conn.fetch(q("withdraw_other_offers"), offer["request_id"], offer_id)
        metrics.OFFERS.labels("withdrawn").inc(len(others))
        await conn.execute(q("match_request"), offer["request_id"], viewer.volunteer_id)
        await emit_event(conn, offer["request_id"], "MATCHED", offer_id)
        return updated


async def withdraw_live_offers(state: AppState, conn: Connection, volunteer_id: int) -> int:
    """End every PENDING offer of a volunteer who may no longer help: staff un-vetted them (and,
    in time, any account deactivation). Each offer becomes WITHDRAWN with an OFFER_WITHDRAWN event,
    and its request gets the next candidate, or goes back to staff when none is left, as after a
    decline or an expiry. Call inside the transaction that changes the volunteer, after the change:
    nobody can read or accept the offers once it commits. Returns how many were withdrawn."""
    withdrawn = 0
    for pending in await conn.fetch(q("pending_offers_of_volunteer"), volunteer_id):
        # Request first, then offer: the lock order of respond_to_offer.
        await conn.fetchrow(q("lock_request"), pending["request_id"])
        offer = await conn.fetchrow(q("lock_offer"), pending["id"])
        if offer is None or offer["status"] != "PENDING":
            continue  # answered or swept meanwhile
        await _set_offer_status(conn, offer["id"], "WITHDRAWN")
        await emit_event(conn, offer["request_id"], "OFFER_WITHDRAWN", offer["id"])
        await dispatch_offers(state, conn, offer["request_id"])
        withdrawn += 1
    return withdrawn


async def _set_offer_status(conn: Connection, offer_id: int, status: str) -> OfferRecord:
    row = await conn.fetchrow(q("set_offer_status"), offer_id, status)
    assert row is not None  # noqa: S101 - the row is locked by this transaction
    return OfferRecord.from_row(row)


async def expire_due_offers(state: AppState, batch: int = 100) -> int:
    """Expire offers past their time and replace each with the next candidate."""
    async with state.pool.acquire() as conn, conn.transaction():
        expired = await conn.fetch(q("expire_due_offers"), batch)
        for row in sorted(expired, key=lambda r: (r["request_id"], r["id"])):
            await emit_event(conn, row["request_id"], "OFFER_EXPIRED", row["id"])
        for request_id in sorted({r["request_id"] for r in expired}):
            await dispatch_offers(state, conn, request_id)
        # Offers near their end: "about to expire" to their volunteers, queued once each.
        reminded = await outbox.remind_expiring_offers(conn, batch)
        return len(expired) + reminded


@dataclass(frozen=True)
class CompleteInput:
    request_id: int
    rating: int | None
    comment: str | None
    wants_long_term_pair: bool


async def complete_request(state: AppState, viewer: Viewer, data: CompleteInput) -> LongTermPairRecord | None:
    """Either side completes; when both want it, the pair joins the six-month programme."""
    check = Checker("input")
    if data.rating is not None:
        check.int_range("rating", data.rating, 1, 5)
    comment = check.optional_text("comment", data.comment, max_len=MAX_NOTE)
    check.check()
    async with state.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(q("lock_request"), data.request_id)
        if row is None:
            raise not_found("SupportRequest", "input", "requestId")
        if viewer.role is Role.RESIDENT and row["resident_id"] == viewer.resident_id:
            side = "RESIDENT"
        elif viewer.role is Role.VOLUNTEER and row["assigned_volunteer_id"] == viewer.volunteer_id:
            side = "VOLUNTEER"
        else:
            raise not_found("SupportRequest", "input", "requestId")
        if row["status"] not in ("MATCHED", "COMPLETED"):
            raise UserErrors.one(
                ErrorReason.NOT_ALLOWED_IN_STATUS, "input", "requestId", status=row["status"]
            )
        sides = {
            r["side"]: r["wants_long_term_pair"]
            for r in await conn.fetch(q("completion_sides"), data.request_id)
        }
        if side in sides:
            raise UserErrors.one(ErrorReason.ALREADY_COMPLETED, "input", "requestId")
        await conn.execute(
            q("insert_completion"),
            data.request_id,
            side,
            data.rating,
            comment,
            data.wants_long_term_pair,
        )
        if row["status"] == "MATCHED":
            await conn.execute(q("complete_request"), data.request_id)
            await emit_event(conn, data.request_id, "COMPLETED")
        sides[side] = data.wants_long_term_pair
        if sides.get("RESIDENT") and sides.get("VOLUNTEER"):
            formed = await conn.fetchrow(
                q("insert_long_term_pair"),
                data.request_id,
                row["resident_id"],
                row["assigned_volunteer_id"],
            )
            if formed is not None:
                await outbox.pair_formed(conn, formed["id"], data.request_id)
        pair = await conn.fetchrow(q("long_term_pair_for_request"), data.request_id)
        return LongTermPairRecord.from_row(pair) if pair else None
