"""Reading support requests, each through the visibility rules of service.requests."""

from db.queries import q
from resolvers.common import (
    Page,
    Paging,
    check_first,
    decode_cursor,
    encode_cursor,
    int_cursor,
    is_key,
    refusal,
    require_viewer,
)
from service.auth import Role, Viewer
from service.context import Context
from service.errors import ErrorReason
from service.events import EventRecord
from service.ids import pk_of
from service.matching import CandidateView
from service.paging import Window
from service.records import OfferRecord, RequestRecord, ResidentRecord, ReviewRecord
from service.requests import sees_without_offer
from triage.labels import SupportField, Urgency

__all__ = ["Page", "Paging"]


async def request(ctx: Context, global_id: str) -> RequestRecord | None:
    viewer = require_viewer(ctx)
    pk = pk_of(global_id, "SupportRequest")
    if pk is None:
        return None
    record = await ctx.loaders.requests.load(pk)
    return record if record is not None and await _can_see(ctx, viewer, record) else None


async def request_by_pk(ctx: Context, pk: int) -> RequestRecord:
    viewer = require_viewer(ctx)
    record = await ctx.loaders.requests.load(pk)
    if record is None or not await _can_see(ctx, viewer, record):
        raise refusal("request not found", ErrorReason.NOT_FOUND)
    return record


async def _can_see(ctx: Context, viewer: Viewer, record: RequestRecord) -> bool:
    """service.requests.can_see_request, its live-offer check batched."""
    seen = sees_without_offer(viewer, record)
    if seen is not None:
        return seen
    assert viewer.volunteer_id is not None  # noqa: S101 - sees_without_offer answers for others
    return await ctx.loaders.live_offers.load((viewer.volunteer_id, record.id))


async def requests(
    ctx: Context,
    statuses: list[str] | None,
    field: SupportField | None,
    urgency: Urgency | None,
    page: Paging,
) -> Page[RequestRecord]:
    """Staff see all; a resident their own; a volunteer those assigned to them."""
    viewer = require_viewer(ctx)
    window_ = page.window(int_cursor)
    resident_scope = viewer.resident_id if viewer.role is Role.RESIDENT else None
    volunteer_scope = viewer.volunteer_id if viewer.role is Role.VOLUNTEER else None
    if viewer.role is Role.RESIDENT and resident_scope is None:
        return Page.empty()
    if viewer.role is Role.VOLUNTEER and volunteer_scope is None:
        return Page.empty()
    return await _request_page(ctx, statuses, field, urgency, resident_scope, volunteer_scope, window_)


async def _request_page(
    ctx: Context,
    statuses: list[str] | None,
    field: SupportField | None,
    urgency: Urgency | None,
    resident_scope: int | None,
    volunteer_scope: int | None,
    page: Window[int],
) -> Page[RequestRecord]:
    field_value = field.value if field else None
    urgency_value = urgency.value if urgency else None
    rows = await ctx.pool.fetch(
        q("list_requests"),
        statuses,
        field_value,
        urgency_value,
        page.after,
        resident_scope,
        volunteer_scope,
        page.size + 1,
        page.before,
        page.backward,
    )
    total = await ctx.pool.fetchval(
        q("count_requests"), statuses, field_value, urgency_value, resident_scope, volunteer_scope
    )
    records = [RequestRecord.from_row(r) for r in rows]
    return Page.scanned(page, [(encode_cursor(r.id), r) for r in records], total)


async def resident_requests(ctx: Context, resident: ResidentRecord, page: Paging) -> Page[RequestRecord]:
    viewer = require_viewer(ctx)
    window_ = page.window(int_cursor)
    if not (viewer.is_staff or viewer.resident_id == resident.id):
        return Page.empty()
    found, total = await ctx.loaders.request_pages_of_resident.load((resident.id, window_))
    return Page.scanned(window_, [(encode_cursor(r.id), r) for r in found], total)


QueueKey = tuple[int, float, int]


def queue_key(cursor: str | None) -> QueueKey | None:
    """A review queue cursor: [urgency rank, emergency probability, id]."""
    key = decode_cursor(cursor)
    if key is None:
        return None
    if not (isinstance(key, list) and len(key) == 3):
        raise refusal("invalid cursor", ErrorReason.INVALID_CURSOR)
    if not (is_key(key[0]) and is_probability(key[1]) and is_key(key[2])):
        raise refusal("invalid cursor", ErrorReason.INVALID_CURSOR)
    return (key[0], float(key[1]), key[2])


async def review_queue(ctx: Context, page: Paging) -> Page[RequestRecord]:
    """IN_REVIEW and ESCALATED, most urgent first, then the likeliest emergency, then oldest."""
    window_ = page.window(queue_key)
    after = window_.after or (None, None, None)
    before = window_.before or (None, None, None)
    rows = await ctx.pool.fetch(q("review_queue"), *after, window_.size + 1, *before, window_.backward)
    total = await ctx.pool.fetchval(q("count_review_queue"))
    items = []
    for row in rows:
        record = RequestRecord.from_row(row)
        cursor = [row["urgency_rank"], float(row["queue_probability"]), record.id]
        items.append((encode_cursor(cursor), record))
    return Page.scanned(window_, items, total)


def is_probability(value: object) -> bool:
    """A queue cursor's emergency probability: a number in [0, 1] (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and 0.0 <= value <= 1.0


async def offers(ctx: Context, record: RequestRecord) -> list[OfferRecord]:
    """Staff and the resident see every offer; a volunteer only their own."""
    viewer = require_viewer(ctx)
    found = await ctx.loaders.offers_of_request.load(record.id)
    if viewer.is_staff or viewer.resident_id == record.resident_id:
        return found
    return [o for o in found if o.volunteer_id == viewer.volunteer_id]


async def offers_page(ctx: Context, record: RequestRecord, page: Paging) -> Page[OfferRecord]:
    """offers, a page at a time (oldest first)."""
    viewer = require_viewer(ctx)
    window_ = page.window(int_cursor)
    everyone = viewer.is_staff or viewer.resident_id == record.resident_id
    if not everyone and viewer.volunteer_id is None:
        return Page.empty()
    only = None if everyone else viewer.volunteer_id
    found, total = await ctx.loaders.offer_pages_of_request.load((record.id, window_, only))
    return Page.scanned(window_, [(encode_cursor(o.id), o) for o in found], total)


async def offer_request(ctx: Context, offer: OfferRecord) -> RequestRecord:
    """The request behind an offer; its text is hidden once the viewer no longer holds the offer."""
    viewer = require_viewer(ctx)
    record = await ctx.loaders.requests.load(offer.request_id)
    if record is None:
        raise refusal("request not found", ErrorReason.NOT_FOUND)
    if await _can_see(ctx, viewer, record):
        return record
    return record.redact()


async def viewer_completed(ctx: Context, record: RequestRecord) -> bool | None:
    """Whether the viewer's side has completed the request; None unless they are one of its sides."""
    viewer = require_viewer(ctx)
    if viewer.role is Role.RESIDENT and viewer.resident_id == record.resident_id:
        side = "RESIDENT"
    elif viewer.role is Role.VOLUNTEER and record.assigned_volunteer_id == viewer.volunteer_id:
        side = "VOLUNTEER"
    else:
        return None
    return side in await ctx.loaders.completed_sides.load(record.id)


def review_note(ctx: Context, review: ReviewRecord) -> str | None:
    """Staff only: a note may quote the resident or say things about them."""
    return review.note if ctx.viewer is not None and ctx.viewer.is_staff else None


def review_reviewer(ctx: Context, review: ReviewRecord) -> str:
    """Staff only: which staff member reviewed; others read an empty string (the field is non-null)."""
    return review.reviewer if ctx.viewer is not None and ctx.viewer.is_staff else ""


async def candidates(ctx: Context, record: RequestRecord, first: int | None) -> list[CandidateView]:
    first = check_first(first, default=10)
    if record.triage is None:
        return []
    return await ctx.state.matcher.candidates(ctx.pool, record, first)


async def events(ctx: Context, record: RequestRecord) -> list[EventRecord]:
    """Staff: the request's timeline."""
    return await ctx.loaders.events_of_request.load(record.id)


async def last_event_id(ctx: Context, record: RequestRecord) -> int | None:
    """The id to resume requestUpdated after, for the request as it was read."""
    if record.redacted:
        return None
    return await ctx.loaders.last_event_ids.load((record.id, record.updated_at))


async def similar_reviewed_requests(
    ctx: Context, record: RequestRecord, first: int | None
) -> list[RequestRecord]:
    """Staff: earlier reviewed requests nearest to this one at triage. Only staff may follow
    them: a reviewed text is one resident's words, never shown to another."""
    first = check_first(first, default=5)
    return await ctx.loaders.similar_reviewed.load((record.id, first))
