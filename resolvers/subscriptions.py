"""Live updates: each subscriber filters the process's event stream by what its viewer may see."""

from collections.abc import AsyncGenerator, Awaitable, Callable

from graphql import GraphQLError

from db.queries import q
from resolvers.common import require_staff, require_viewer
from service.auth import Viewer
from service.context import Context
from service.events import EventRecord
from service.ids import pk_of
from service.records import OfferRecord, RequestRecord
from service.requests import can_see_request, get_request

# Changes that put a request into the staff queue or take it out.
REVIEW_QUEUE_KINDS = frozenset(
    {"TRIAGED", "ESCALATED", "REVIEWED", "CLOSED", "CANCELLED", "RETURNED_TO_REVIEW"}
)


async def _request_as_of(ctx: Context, event: EventRecord) -> RequestRecord | None:
    """The request as of this event, read once per process for all its local subscribers
    (see EventBroker.shared)."""

    async def load() -> RequestRecord | None:
        row = await ctx.pool.fetchrow(q("request_details"), event.request_id)
        return RequestRecord.from_row(row) if row is not None else None

    return await ctx.state.broker.shared(event, "request", load)


async def _visible_request(ctx: Context, viewer: Viewer, event: EventRecord) -> RequestRecord | None:
    """The request as of this event; None when this viewer may not see it."""
    record = await _request_as_of(ctx, event)
    if record is None or not await can_see_request(ctx.pool, viewer, record):
        return None
    return record


async def request_updated(
    ctx: Context, global_id: str
) -> AsyncGenerator[tuple[EventRecord, RequestRecord], None]:
    viewer = require_viewer(ctx)
    pk = pk_of(global_id, "SupportRequest")
    if pk is None or await get_request(ctx.pool, viewer, pk) is None:
        raise GraphQLError("request not found", extensions={"code": "NOT_FOUND"})
    async with ctx.state.broker.subscribe() as queue:
        while True:
            event = await queue.get()
            if event.request_id != pk:
                continue
            # Visibility is checked per event. A volunteer whose access ended (offer declined,
            # expired, withdrawn; request cancelled) gets this one event with the request redacted,
            # so they learn it is over, and then the subscription completes.
            record = await _request_as_of(ctx, event)
            if record is None:
                continue
            if not await can_see_request(ctx.pool, viewer, record):
                yield event, record.redact()
                return
            yield event, record


async def review_queue_updated(
    ctx: Context,
) -> AsyncGenerator[tuple[EventRecord, RequestRecord], None]:
    viewer = require_staff(ctx)
    async with ctx.state.broker.subscribe() as queue:
        while True:
            event = await queue.get()
            if event.kind not in REVIEW_QUEUE_KINDS:
                continue
            record = await _visible_request(ctx, viewer, event)
            if record is not None:
                yield event, record


async def offer_received(ctx: Context) -> AsyncGenerator[OfferRecord, None]:
    viewer = require_viewer(ctx)
    if viewer.volunteer_id is None:
        raise GraphQLError("volunteers only", extensions={"code": "FORBIDDEN"})
    async with ctx.state.broker.subscribe() as queue:
        while True:
            event = await queue.get()
            if event.kind != "OFFERED" or event.offer_id is None:
                continue
            offer = await ctx.state.broker.shared(event, "offer", _offer_loader(ctx, event.offer_id))
            if offer is not None and offer.volunteer_id == viewer.volunteer_id:
                yield offer


def _offer_loader(ctx: Context, offer_id: int) -> Callable[[], Awaitable[OfferRecord | None]]:
    async def load() -> OfferRecord | None:
        row = await ctx.pool.fetchrow(q("offer_by_id"), offer_id)
        return OfferRecord.from_row(row) if row is not None else None

    return load
