"""The root types: Query, Mutation, Subscription. Each field is one call into resolvers/."""

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import mutations as m
from resolvers import people as people_resolvers
from resolvers import requests as request_resolvers
from resolvers import stats as stats_resolvers
from resolvers import subscriptions as live
from resolvers.common import require_viewer
from schema.inputs import (
    CompleteRequestInput,
    RegisterResidentInput,
    RegisterVolunteerInput,
    ReviewTriageInput,
    SubmitRequestInput,
    UpdateVolunteerInput,
)
from schema.types import (
    LongTermPair,
    Node,
    Offer,
    OfferStatus,
    RequestEvent,
    RequestEventKind,
    RequestStatus,
    Resident,
    Stats,
    StatusCount,
    SupportField,
    SupportRequest,
    SupportRequestConnection,
    Urgency,
    UserError,
    Viewer,
    Volunteer,
    VolunteerConnection,
)
from service.accounts import ResidentInput, VolunteerInput, VolunteerUpdate
from service.context import Context
from service.errors import UserError as UserErrorRecord
from service.events import EventRecord
from service.ids import from_global_id
from service.records import RequestRecord
from service.requests import SubmitInput

ContextInfo = Info[Context, None]


def _errors(errors: tuple[UserErrorRecord, ...]) -> list[UserError]:
    return [UserError.from_record(e) for e in errors]


@strawberry.type
class Query:
    @strawberry.field
    async def node(self, info: ContextInfo, id: strawberry.ID) -> Node | None:
        decoded = from_global_id(id)
        if decoded is None:
            return None
        type_name, _ = decoded
        if type_name == "SupportRequest":
            record = await request_resolvers.request(info.context, id)
            return SupportRequest.from_record(record) if record else None
        node = await people_resolvers.node(info.context, id)
        if node is None:
            return None
        kind, value = node
        if kind == "Resident":
            return Resident.from_record(value)
        if kind == "Volunteer":
            return Volunteer.from_record(value)
        if kind == "Offer":
            return Offer.from_record(value)
        return LongTermPair.from_record(value)

    @strawberry.field
    async def viewer(self, info: ContextInfo) -> Viewer:
        viewer = require_viewer(info.context)
        resident = volunteer = None
        if viewer.resident_id is not None:
            resident = Resident.from_record(await people_resolvers.resident(info.context, viewer.resident_id))
        if viewer.volunteer_id is not None:
            volunteer = Volunteer.from_record(
                await people_resolvers.volunteer(info.context, viewer.volunteer_id)
            )
        return Viewer(role=viewer.role, resident=resident, volunteer=volunteer)

    @strawberry.field
    async def request(self, info: ContextInfo, id: strawberry.ID) -> SupportRequest | None:
        record = await request_resolvers.request(info.context, id)
        return SupportRequest.from_record(record) if record else None

    @strawberry.field(
        description="Staff see all; a resident sees their own; a volunteer sees those assigned to them."
    )
    async def requests(
        self,
        info: ContextInfo,
        status: list[RequestStatus] | None = None,
        field: SupportField | None = None,
        urgency: Urgency | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> SupportRequestConnection:
        statuses = [s.value for s in status] if status else None
        page = await request_resolvers.requests(info.context, statuses, field, urgency, first, after)
        return SupportRequestConnection.from_page(page)

    @strawberry.field(
        description="Staff: IN_REVIEW and ESCALATED requests, most urgent first, then oldest first."
    )
    async def review_queue(
        self, info: ContextInfo, first: int | None = 20, after: str | None = None
    ) -> SupportRequestConnection:
        return SupportRequestConnection.from_page(
            await request_resolvers.review_queue(info.context, first, after)
        )

    @strawberry.field(description="Staff only.")
    async def volunteers(
        self,
        info: ContextInfo,
        field: SupportField | None = None,
        language: str | None = None,
        area: str | None = None,
        first: int | None = 20,
        after: str | None = None,
        verified: Annotated[
            bool | None,
            strawberry.argument(description="Only vetted (true) or not yet vetted (false) volunteers."),
        ] = None,
    ) -> VolunteerConnection:
        page = await people_resolvers.volunteers(info.context, field, language, area, first, after, verified)
        return VolunteerConnection.from_page(page)

    @strawberry.field(description="Volunteer: offers made to the viewer.")
    async def my_offers(self, info: ContextInfo, status: list[OfferStatus] | None = None) -> list[Offer]:
        statuses = [s.value for s in status] if status else None
        return [Offer.from_record(o) for o in await m.my_offers(info.context, statuses)]

    @strawberry.field(description="Staff only.")
    async def stats(self, info: ContextInfo) -> Stats:
        s = await stats_resolvers.stats(info.context)
        return Stats(
            requests_by_status=[StatusCount(status=RequestStatus(k), count=v) for k, v in s.by_status],
            median_seconds_to_triage=s.median_seconds_to_triage,
            median_seconds_to_match=s.median_seconds_to_match,
            triage_agreement=s.triage_agreement,
            offer_acceptance_rate=s.offer_acceptance_rate,
        )


@strawberry.type
class RegisterPayload:
    token: str | None = strawberry.field(description="Bearer token for the new account; shown once.")
    resident: Resident | None = None
    volunteer: Volunteer | None = None
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class VolunteerPayload:
    volunteer: Volunteer | None
    errors: list[UserError]


@strawberry.type
class SubmitRequestPayload:
    request: SupportRequest | None
    errors: list[UserError]


@strawberry.type
class SupportRequestPayload:
    request: SupportRequest | None
    errors: list[UserError]


@strawberry.type
class OfferPayload:
    offer: Offer | None
    errors: list[UserError]


@strawberry.type
class CompletePayload:
    request: SupportRequest | None
    long_term_pair: LongTermPair | None = strawberry.field(
        description="Set once both sides have asked for it."
    )
    errors: list[UserError]


def _request_payload(outcome: m.Outcome[RequestRecord]) -> SupportRequestPayload:
    return SupportRequestPayload(
        request=SupportRequest.from_record(outcome.value) if outcome.value else None,
        errors=_errors(outcome.errors),
    )


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register_resident(self, info: ContextInfo, input: RegisterResidentInput) -> RegisterPayload:
        data = ResidentInput(input.display_name, input.languages, input.area, input.contact)
        outcome = await m.register_resident(info.context, data)
        if outcome.value is None:
            return RegisterPayload(token=None, errors=_errors(outcome.errors))
        token, pk = outcome.value
        return RegisterPayload(
            token=token,
            resident=Resident.from_record(await people_resolvers.resident(info.context, pk)),
        )

    @strawberry.mutation
    async def register_volunteer(self, info: ContextInfo, input: RegisterVolunteerInput) -> RegisterPayload:
        data = VolunteerInput(
            input.display_name,
            input.languages,
            input.skills,
            input.fields,
            input.area,
            input.availability,
            input.remote_ok,
            input.max_active_requests,
            input.contact,
        )
        outcome = await m.register_volunteer(info.context, data)
        if outcome.value is None:
            return RegisterPayload(token=None, errors=_errors(outcome.errors))
        token, pk = outcome.value
        return RegisterPayload(
            token=token,
            volunteer=Volunteer.from_record(await people_resolvers.volunteer(info.context, pk)),
        )

    @strawberry.mutation(description="Volunteer: own profile.")
    async def update_volunteer(self, info: ContextInfo, input: UpdateVolunteerInput) -> VolunteerPayload:
        data = VolunteerUpdate(
            input.languages,
            input.skills,
            input.fields,
            input.area,
            input.availability,
            input.remote_ok,
            input.max_active_requests,
            input.active,
        )
        outcome = await m.update_volunteer(info.context, data)
        return VolunteerPayload(
            volunteer=Volunteer.from_record(outcome.value) if outcome.value else None,
            errors=_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="Staff: vet (or un-vet) a volunteer. Un-vetting withdraws their pending offers at "
        "once (OFFER_WITHDRAWN events; each request goes to the next candidate or back to staff)."
    )
    async def set_volunteer_verified(
        self, info: ContextInfo, volunteer_id: strawberry.ID, verified: bool
    ) -> VolunteerPayload:
        outcome = await m.set_volunteer_verified(info.context, volunteer_id, verified)
        return VolunteerPayload(
            volunteer=Volunteer.from_record(outcome.value) if outcome.value else None,
            errors=_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="Resident. Returns at once with status RECEIVED (or later); "
        "triage runs in the background."
    )
    async def submit_request(self, info: ContextInfo, input: SubmitRequestInput) -> SubmitRequestPayload:
        outcome = await m.submit_request(
            info.context, SubmitInput(input.text, input.area, input.preferred_times)
        )
        return SubmitRequestPayload(
            request=SupportRequest.from_record(outcome.value) if outcome.value else None,
            errors=_errors(outcome.errors),
        )

    @strawberry.mutation(description="Resident: own request, before it is COMPLETED.")
    async def cancel_request(self, info: ContextInfo, id: strawberry.ID) -> SupportRequestPayload:
        return _request_payload(await m.cancel_request(info.context, id))

    @strawberry.mutation(description="Staff.")
    async def review_triage(self, info: ContextInfo, input: ReviewTriageInput) -> SupportRequestPayload:
        outcome = await m.review_triage(
            info.context,
            input.request_id,
            input.decision.value,
            input.field,
            input.urgency,
            input.note,
        )
        return _request_payload(outcome)

    @strawberry.mutation(
        description="Staff: make offers to these volunteers now, instead of or besides the automatic ones."
    )
    async def send_offers(
        self, info: ContextInfo, request_id: strawberry.ID, volunteer_ids: list[strawberry.ID]
    ) -> SupportRequestPayload:
        return _request_payload(await m.send_offers(info.context, request_id, volunteer_ids))

    @strawberry.mutation(
        description="Volunteer: an offer made to the viewer. The first acceptance wins; "
        "the other offers become WITHDRAWN."
    )
    async def respond_to_offer(
        self, info: ContextInfo, offer_id: strawberry.ID, accept: bool
    ) -> OfferPayload:
        outcome = await m.respond_to_offer(info.context, offer_id, accept)
        return OfferPayload(
            offer=Offer.from_record(outcome.value) if outcome.value else None,
            errors=_errors(outcome.errors),
        )

    @strawberry.mutation(description="The resident or the matched volunteer.")
    async def complete_request(self, info: ContextInfo, input: CompleteRequestInput) -> CompletePayload:
        outcome = await m.complete_request(
            info.context,
            input.request_id,
            input.rating,
            input.comment,
            bool(input.wants_long_term_pair),
        )
        if outcome.value is None:
            return CompletePayload(request=None, long_term_pair=None, errors=_errors(outcome.errors))
        record, pair = outcome.value
        return CompletePayload(
            request=SupportRequest.from_record(record),
            long_term_pair=LongTermPair.from_record(pair) if pair else None,
            errors=[],
        )


def _event(event: EventRecord, record: RequestRecord) -> RequestEvent:
    return RequestEvent(
        kind=RequestEventKind(event.kind),
        request=SupportRequest.from_record(record),
        at=event.created_at,
        offer_id=event.offer_id,
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="The resident who owns it, staff, the matched volunteer and volunteers holding a "
        "live offer for it. Delivered whichever server process made the change. When a volunteer's "
        "access ends (their offer ends, or the resident cancels), they get that event with the "
        "request redacted (see Offer.request) and the subscription completes."
    )
    async def request_updated(
        self, info: ContextInfo, id: strawberry.ID
    ) -> AsyncGenerator[RequestEvent, None]:
        async for event, record in live.request_updated(info.context, id):
            yield _event(event, record)

    @strawberry.subscription(description="Staff: every change that enters or leaves the review queue.")
    async def review_queue_updated(self, info: ContextInfo) -> AsyncGenerator[RequestEvent, None]:
        async for event, record in live.review_queue_updated(info.context):
            yield _event(event, record)

    @strawberry.subscription(description="Volunteer: each new offer to the viewer.")
    async def offer_received(self, info: ContextInfo) -> AsyncGenerator[Offer, None]:
        async for offer in live.offer_received(info.context):
            yield Offer.from_record(offer)
