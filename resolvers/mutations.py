"""Mutations: translate GraphQL input into domain calls; expected failures become payload errors."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from db.availability import database_unavailable
from db.queries import q
from resolvers.common import require_viewer
from service import accounts, offers
from service import rate_limits as rates
from service import requests as request_service
from service.auth import Viewer
from service.context import Context
from service.errors import ErrorReason, UserError, UserErrors, not_found, unavailable
from service.ids import pk_of
from service.offers import MY_OFFERS_LIMIT
from service.rate_limits import REGISTER, RateCheck, RateRule, client_key
from service.records import LongTermPairRecord, OfferRecord, RequestRecord, VolunteerRecord
from triage.labels import SupportField, Urgency

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T | None
    errors: tuple[UserError, ...] = ()


async def guarded(
    work: Callable[[], Awaitable[T]], ctx: Context | None = None, family: str | None = None
) -> Outcome[T]:
    """Run a domain operation; a refusal (UserErrors) becomes the payload's errors, and so does a
    database that cannot answer (SERVICE_UNAVAILABLE); a rate limit's or an outage's wait is also
    the Retry-After header of the HTTP response. `family`: the mutation family
    whose per-account limit (service.rate_limits) this call takes first, before any work."""
    try:
        if family is not None and ctx is not None:
            await account_limit(ctx, family).take(ctx.pool)
        return Outcome(await work())
    except UserErrors as refused:
        errors = refused.errors
    except Exception as error:
        if not database_unavailable(error):
            raise
        errors = (unavailable(),)
    waits = [e.retry_after_seconds for e in errors if e.retry_after_seconds is not None]
    if waits and ctx is not None and isinstance(ctx.response, Response):
        ctx.response.headers["Retry-After"] = str(max(waits))
    return Outcome(None, errors)


def registration_limit(ctx: Context) -> RateCheck:
    """Registrations per client address (the only key an anonymous caller has)."""
    settings = ctx.state.settings
    request = ctx.request
    peer = request.client.host if isinstance(request, Request) and request.client else None
    headers = dict(request.headers) if isinstance(request, Request) else {}
    key = client_key(peer, headers, settings.trusted_proxy_header)
    return RateCheck(RateRule(REGISTER, settings.register_rate_per_hour, 3600.0), key)


def account_limit(ctx: Context, family: str) -> RateCheck:
    """A mutation family's limit for the signed-in account: every token of it counts together."""
    per_hour = ctx.state.settings.mutation_rate_per_hour[family]
    return RateCheck(RateRule(family, per_hour, 3600.0), f"account:{signed_in(ctx).account_id}")


def signed_in(ctx: Context) -> Viewer:
    """The viewer of a mutation whose field declares who may call it (schema.permissions)."""
    if ctx.viewer is None:
        raise UserErrors.one(ErrorReason.SIGN_IN_REQUIRED)
    return ctx.viewer


def decode_id(global_id: str, type_name: str, *path: str) -> int:
    pk = pk_of(global_id, type_name)
    if pk is None:
        raise not_found(type_name, *path)
    return pk


async def _request(ctx: Context, pk: int) -> RequestRecord:
    viewer = require_viewer(ctx)
    record = await request_service.get_request(ctx.pool, viewer, pk)
    if record is None:
        raise not_found("SupportRequest")
    return record


async def _volunteer(ctx: Context, pk: int) -> VolunteerRecord:
    found = await accounts.get_volunteers(ctx.pool, [pk])
    return found[pk]


async def register_resident(ctx: Context, data: accounts.ResidentInput) -> Outcome[tuple[str, int]]:
    rate = registration_limit(ctx)
    return await guarded(lambda: accounts.register_resident(ctx.pool, data, rate=rate), ctx)


async def register_volunteer(ctx: Context, data: accounts.VolunteerInput) -> Outcome[tuple[str, int]]:
    async def work() -> tuple[str, int]:
        token, volunteer_id = await accounts.register_volunteer(
            ctx.pool, ctx.state.engine, data, rate=registration_limit(ctx)
        )
        await ctx.state.matcher.refresh(ctx.pool)
        return token, volunteer_id

    return await guarded(work, ctx)


async def update_volunteer(ctx: Context, data: accounts.VolunteerUpdate) -> Outcome[VolunteerRecord]:
    async def work() -> VolunteerRecord:
        pk = await accounts.update_volunteer(ctx.pool, ctx.state.engine, signed_in(ctx), data)
        await ctx.state.matcher.refresh(ctx.pool)
        return await _volunteer(ctx, pk)

    return await guarded(work, ctx, rates.PROFILE)


async def set_volunteer_verified(ctx: Context, volunteer_id: str, verified: bool) -> Outcome[VolunteerRecord]:
    async def work() -> VolunteerRecord:
        viewer = signed_in(ctx)
        pk = decode_id(volunteer_id, "Volunteer", "volunteerId")
        await accounts.set_volunteer_verified(ctx.state, viewer, pk, verified)
        await ctx.state.matcher.refresh(ctx.pool)
        return await _volunteer(ctx, pk)

    return await guarded(work, ctx, rates.ACCOUNTS)


async def submit_request(ctx: Context, data: request_service.SubmitInput) -> Outcome[RequestRecord]:
    async def work() -> RequestRecord:
        viewer = signed_in(ctx)
        pk = await request_service.submit_request(
            ctx.pool, viewer, data, rate_per_minute=ctx.state.settings.submit_rate_per_minute
        )
        return await _request(ctx, pk)

    return await guarded(work, ctx, rates.REQUESTS)


async def cancel_request(ctx: Context, request_id: str) -> Outcome[RequestRecord]:
    async def work() -> RequestRecord:
        viewer = signed_in(ctx)
        pk = decode_id(request_id, "SupportRequest", "id")
        await request_service.cancel_request(ctx.pool, viewer, pk)
        return await _request(ctx, pk)

    return await guarded(work, ctx, rates.REQUESTS)


async def review_triage(
    ctx: Context,
    request_id: str,
    decision: str,
    field: SupportField | None,
    urgency: Urgency | None,
    note: str | None,
) -> Outcome[RequestRecord]:
    async def work() -> RequestRecord:
        viewer = signed_in(ctx)
        pk = decode_id(request_id, "SupportRequest", "input", "requestId")
        review = request_service.ReviewInput(pk, decision, field, urgency, note)
        await offers.review_and_dispatch(ctx.state, viewer, review)
        return await _request(ctx, pk)

    return await guarded(work, ctx, rates.REVIEWS)


async def send_offers(ctx: Context, request_id: str, volunteer_ids: Sequence[str]) -> Outcome[RequestRecord]:
    async def work() -> RequestRecord:
        viewer = signed_in(ctx)
        pk = decode_id(request_id, "SupportRequest", "requestId")
        pks = [decode_id(v, "Volunteer", "volunteerIds") for v in volunteer_ids]
        await offers.send_offers(ctx.state, viewer, pk, pks)
        return await _request(ctx, pk)

    return await guarded(work, ctx, rates.OFFERS)


async def respond_to_offer(ctx: Context, offer_id: str, accept: bool) -> Outcome[OfferRecord]:
    async def work() -> OfferRecord:
        viewer = signed_in(ctx)
        pk = decode_id(offer_id, "Offer", "offerId")
        return await offers.respond_to_offer(ctx.state, viewer, pk, accept)

    return await guarded(work, ctx, rates.OFFERS)


async def complete_request(
    ctx: Context,
    request_id: str,
    rating: int | None,
    comment: str | None,
    wants_long_term_pair: bool,
) -> Outcome[tuple[RequestRecord, LongTermPairRecord | None]]:
    async def work() -> tuple[RequestRecord, LongTermPairRecord | None]:
        viewer = signed_in(ctx)
        pk = decode_id(request_id, "SupportRequest", "input", "requestId")
        data = offers.CompleteInput(pk, rating, comment, wants_long_term_pair)
        pair = await offers.complete_request(ctx.state, viewer, data)
        return await _request(ctx, pk), pair

    return await guarded(work, ctx, rates.REQUESTS)


async def my_offers(ctx: Context, statuses: list[str] | None) -> list[OfferRecord]:
    viewer = require_viewer(ctx)
    if viewer.volunteer_id is None:
        return []
    rows = await ctx.pool.fetch(q("offers_for_volunteer"), viewer.volunteer_id, statuses, MY_OFFERS_LIMIT)
    return [OfferRecord.from_row(r) for r in rows]
