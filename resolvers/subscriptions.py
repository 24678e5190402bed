"""Live updates: each subscriber filters the process's event stream by what its viewer may see.

A subscription given `after` (an event id it received before) first replays from the events
table what it missed, filtered and authorized exactly as live events are, then goes live.
"""

from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing

from graphql import GraphQLError

from db.availability import until_available
from db.queries import q
from resolvers.common import refusal, require_viewer
from service import metrics
from service.auth import Role, Viewer
from service.context import Context
from service.errors import ErrorReason
from service.events import (
    EventRecord,
    Missed,
    ReplayRefused,
    live_events,
    missed_events_of_kinds,
    missed_offer_events,
    missed_request_events,
    parse_event_id,
)
from service.ids import pk_of
from service.records import OfferRecord, RequestRecord
from service.requests import can_see_request, get_request

# Changes that put a request into the staff queue or take it out.
REVIEW_QUEUE_KINDS = frozenset(
    {"TRIAGED", "ESCALATED", "REVIEWED", "CLOSED", "CANCELLED", "RETURNED_TO_REVIEW"}
)


async def _resumed(
    ctx: Context, after: str | None, missed: Missed
) -> AsyncGenerator[tuple[EventRecord, bool], None]:
    """(event, replayed): the events missed since `after`, read from the table, then live ones
    (service.events.live_events), counted as an open subscription."""
    metrics.SUBSCRIPTIONS_ACTIVE.inc()
    try:
        after_id = parse_event_id(after) if after is not None else None
        async with aclosing(live_events(ctx.state.broker, after_id, missed)) as events:
            async for event, replayed in events:
                yield event, replayed
    except ReplayRefused as refused:
        raise GraphQLError(refused.message, extensions={"code": refused.code}) from None
    finally:
        metrics.SUBSCRIPTIONS_ACTIVE.dec()


async def _request_as_of(ctx: Context, event: EventRecord, replayed: bool) -> RequestRecord | None:
    """The request as of this event, read once per process for all its local subscribers
    (see EventBroker.shared). A replayed event reads the request as it is now."""

    async def read() -> RequestRecord | None:
        row = await ctx.pool.fetchrow(q("request_details"), event.request_id)
        return RequestRecord.from_row(row) if row is not None else None

    async def load() -> RequestRecord | None:
        # A live subscriber outlives a database restart: the read waits for it to come back.
        return await until_available(read, what="live update")

    if replayed:
        return await load()
    return await ctx.state.broker.shared(event, "request", load)


async def _visible_request(
    ctx: Context, viewer: Viewer, event: EventRecord, replayed: bool
) -> RequestRecord | None:
    """The request as of this event; None when this viewer may not see it."""
    record = await _request_as_of(ctx, event, replayed)
    if record is None or not await _may_see(ctx, viewer, record):
        return None
    return record


async def _may_see(ctx: Context, viewer: Viewer, record: RequestRecord) -> bool:
    return await until_available(lambda: can_see_request(ctx.pool, viewer, record), what="live update")


async def request_updated(
    ctx: Context, global_id: str, after: str | None = None
) -> AsyncGenerator[tuple[EventRecord, RequestRecord], None]:
    viewer = require_viewer(ctx)
    pk = pk_of(global_id, "SupportRequest")
    if pk is None or await get_request(ctx.pool, viewer, pk) is None:
        raise refusal("request not found", ErrorReason.NOT_FOUND)
    request_id = pk
    volunteer_id = viewer.volunteer_id if viewer.role is Role.VOLUNTEER else None

    async def missed(after_id: int) -> list[EventRecord]:
        return await missed_request_events(ctx.pool, after_id, request_id, volunteer_id)

    async with aclosing(_resumed(ctx, after, missed)) as events:
        async for event, replayed in events:
            if event.request_id != request_id:
                continue
            # Visibility is checked per event. A volunteer whose access ended (offer declined,
            # expired, withdrawn; request cancelled) gets this one event with the request
            # redacted, so they learn it is over, and then the subscription completes.
            record = await _request_as_of(ctx, event, replayed)
            if record is None:
                continue
            if not await _may_see(ctx, viewer, record):
                metrics.EVENTS_DELIVERED.inc()
                yield event, record.redact()
                return
            metrics.EVENTS_DELIVERED.inc()
            yield event, record


async def review_queue_updated(
    ctx: Context, after: str | None = None
) -> AsyncGenerator[tuple[EventRecord, RequestRecord], None]:
    viewer = require_viewer(ctx)

    async def missed(after_id: int) -> list[EventRecord]:
        return await missed_events_of_kinds(ctx.pool, after_id, REVIEW_QUEUE_KINDS)

    async with aclosing(_resumed(ctx, after, missed)) as events:
        async for event, replayed in events:
            if event.kind not in REVIEW_QUEUE_KINDS:
                continue
            record = await _visible_request(ctx, viewer, event, replayed)
            if record is not None:
                metrics.EVENTS_DELIVERED.inc()
                yield event, record


async def offer_received(
    ctx: Context, after: str | None = None
) -> AsyncGenerator[tuple[EventRecord, OfferRecord], None]:
    volunteer_id = require_viewer(ctx).volunteer_id
    if volunteer_id is None:  # the field admits volunteers only (schema.permissions)
        return

    async def missed(after_id: int) -> list[EventRecord]:
        return await missed_offer_events(ctx.pool, after_id, volunteer_id)

    async with aclosing(_resumed(ctx, after, missed)) as events:
        async for event, replayed in events:
            if event.kind != "OFFERED" or event.offer_id is None:
                continue
            load = _offer_loader(ctx, event.offer_id)
            offer = await (load() if replayed else ctx.state.broker.shared(event, "offer", load))
            if offer is not None and offer.volunteer_id == volunteer_id:
                metrics.EVENTS_DELIVERED.inc()
                yield event, offer


def _offer_loader(ctx: Context, offer_id: int) -> Callable[[], Awaitable[OfferRecord | None]]:
    async def read() -> OfferRecord | None:
        row = await ctx.pool.fetchrow(q("offer_by_id"), offer_id)
        return OfferRecord.from_row(row) if row is not None else None

    async def load() -> OfferRecord | None:
        return await until_available(read, what="live update")

    return load
