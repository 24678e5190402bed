"""The root types: Query, Mutation, Subscription. Each field is one call into resolvers/."""

import asyncio
from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry
from strawberry.extensions.field_extension import (
    AsyncExtensionResolver,
    FieldExtension,
    SyncExtensionResolver,
)
from strawberry.types import Info
from strawberry.types.base import get_object_definition

from resolvers import accounts as account_resolvers
from resolvers import mutations as m
from resolvers import notifications as notify
from resolvers import people as people_resolvers
from resolvers import requests as request_resolvers
from resolvers import stats as stats_resolvers
from resolvers import subscriptions as live
from resolvers.common import Paging, refusal, require_viewer
from schema.accounts import (
    AuditEntryConnection,
    DeactivateAccountPayload,
    ErasePayload,
    RevokeTokenPayload,
    RotateTokenPayload,
)
from schema.inputs import (
    CompleteRequestInput,
    RegisterResidentInput,
    RegisterVolunteerInput,
    ReviewTriageInput,
    SubmitRequestInput,
    UpdateVolunteerInput,
)
from schema.notifications import (
    AnswerLinkOffer,
    AnswerLinkPayload,
    Notification,
    NotificationKind,
    NotificationPage,
    NotificationPayload,
    NotificationSettings,
    NotificationSettingsInput,
    NotificationSettingsPayload,
    RegisterWebhookInput,
    RegisterWebhookPayload,
    WebhookEndpoint,
    WebhookEndpointPayload,
)
from schema.permissions import allow
from schema.types import (
    AfterArg,
    BeforeArg,
    FirstArg,
    LastArg,
    LongTermPair,
    Node,
    Offer,
    OfferConnection,
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
    status_names,
)
from service.accounts import ResidentInput, VolunteerInput, VolunteerUpdate
from service.auth import Role
from service.context import Context
from service.erasure import Erasure
from service.errors import ErrorReason
from service.errors import UserError as UserErrorRecord
from service.events import REPLAY_LIMIT, EventRecord, event_id_text
from service.ids import from_global_id, to_global_id
from service.notifications.answers import AnswerView
from service.notifications.kinds import NotificationKind as NotificationKindEnum
from service.notifications.preferences import Preferences
from service.notifications.staff import WebhookInput
from service.offers import MY_OFFERS_LIMIT
from service.records import RequestRecord
from service.requests import SubmitInput
from service.validation import DEFAULT_PAGE, MAX_PAGE

ContextInfo = Info[Context, None]

# Arguments named alike mean the same everywhere.
ID_ARG = strawberry.argument(description="A global ID, as an object's `id` gives it.")


def _errors(errors: tuple[UserErrorRecord, ...]) -> list[UserError]:
    return [UserError.from_record(e) for e in errors]


def _preferences(
    email: str | None, opt_outs: list[NotificationKind] | None, language: str | None
) -> Preferences:
    return Preferences(email, [k.name for k in opt_outs] if opt_outs is not None else None, language)


def _answer(view: AnswerView | None, errors: tuple[UserErrorRecord, ...]) -> AnswerLinkPayload:
    return AnswerLinkPayload(offer=AnswerLinkOffer.from_view(view) if view else None, errors=_errors(errors))


async def _node(info: ContextInfo, id: strawberry.ID) -> Node | None:
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


@strawberry.type(description="Reads. Every field needs `Authorization: Bearer <token>`.")
class Query:
    @strawberry.field(
        extensions=allow(),
        description="Any object by its global ID, if the viewer may see it; null when it does not "
        "exist or is not the viewer's to see (the same answer for both).",
    )
    async def node(self, info: ContextInfo, id: Annotated[strawberry.ID, ID_ARG]) -> Node | None:
        return await _node(info, id)

    @strawberry.field(
        extensions=allow(),
        description=f"Several objects by global ID (at most {MAX_PAGE}), in the order asked: each "
        "as `node` answers it, null where it does not exist or is not the viewer's to see.",
    )
    async def nodes(
        self,
        info: ContextInfo,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description=f"Global IDs, at most {MAX_PAGE}.")
        ],
    ) -> list[Node | None]:
        if len(ids) > MAX_PAGE:
            raise refusal(f"ids: at most {MAX_PAGE} at once", ErrorReason.TOO_MANY)
        # Together, so that each kind is read in one batch.
        return list(await asyncio.gather(*(_node(info, i) for i in ids)))

    @strawberry.field(extensions=allow(), description="The signed-in account: its role and profile.")
    async def viewer(self, info: ContextInfo) -> Viewer:
        viewer = require_viewer(info.context)
        resident = volunteer = None
        if viewer.resident_id is not None:
            resident = Resident.from_record(await people_resolvers.resident(info.context, viewer.resident_id))
        if viewer.volunteer_id is not None:
            volunteer = Volunteer.from_record(
                await people_resolvers.volunteer(info.context, viewer.volunteer_id)
            )
        staff_member_id = (
            strawberry.ID(to_global_id("StaffMember", viewer.account_id)) if viewer.is_staff else None
        )
        return Viewer(
            role=viewer.role, resident=resident, volunteer=volunteer, staff_member_id=staff_member_id
        )

    @strawberry.field(
        extensions=allow(),
        description="A support request by global ID; null when it does not exist or the viewer may "
        "not see it (the same answer for both).",
    )
    async def request(self, info: ContextInfo, id: Annotated[strawberry.ID, ID_ARG]) -> SupportRequest | None:
        record = await request_resolvers.request(info.context, id)
        return SupportRequest.from_record(record) if record else None

    @strawberry.field(
        extensions=allow(),
        description="Support requests, newest first. Staff see all; a resident sees their own; a "
        "volunteer sees those assigned to them (MATCHED, COMPLETED).",
    )
    async def requests(
        self,
        info: ContextInfo,
        status: Annotated[
            list[RequestStatus] | None,
            strawberry.argument(description="Only requests in one of these statuses; null: any."),
        ] = None,
        field: Annotated[
            SupportField | None,
            strawberry.argument(description="Only this field (the review's, else the triage's)."),
        ] = None,
        urgency: Annotated[
            Urgency | None,
            strawberry.argument(description="Only this urgency (the review's, else the triage's)."),
        ] = None,
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        last: LastArg = None,
        before: BeforeArg = None,
    ) -> SupportRequestConnection:
        statuses = status_names(status)
        paging = Paging(first, after, last, before)
        page = await request_resolvers.requests(info.context, statuses, field, urgency, paging)
        return SupportRequestConnection.from_page(page)

    @strawberry.field(
        extensions=allow(Role.STAFF),
        description="Staff only: IN_REVIEW and ESCALATED requests, most urgent first, then oldest first.",
    )
    async def review_queue(
        self,
        info: ContextInfo,
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        last: LastArg = None,
        before: BeforeArg = None,
    ) -> SupportRequestConnection:
        paging = Paging(first, after, last, before)
        return SupportRequestConnection.from_page(await request_resolvers.review_queue(info.context, paging))

    @strawberry.field(
        extensions=allow(Role.STAFF), description="Staff only. Volunteers, oldest registration first."
    )
    async def volunteers(
        self,
        info: ContextInfo,
        field: Annotated[
            SupportField | None, strawberry.argument(description="Only those who help in this field.")
        ] = None,
        language: Annotated[
            str | None,
            strawberry.argument(description='Only those who speak this language (ISO 639-1, e.g. "vi").'),
        ] = None,
        area: Annotated[
            str | None, strawberry.argument(description="Only those in this ward or city (exact name).")
        ] = None,
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        verified: Annotated[
            bool | None,
            strawberry.argument(description="Only vetted (true) or not yet vetted (false) volunteers."),
        ] = None,
        last: LastArg = None,
        before: BeforeArg = None,
    ) -> VolunteerConnection:
        paging = Paging(first, after, last, before)
        page = await people_resolvers.volunteers(info.context, field, language, area, paging, verified)
        return VolunteerConnection.from_page(page)

    @strawberry.field(
        extensions=allow(),
        description="Volunteer: offers made to the viewer, newest first; empty for other roles.",
    )
    async def my_offers(
        self,
        info: ContextInfo,
        status: Annotated[
            list[OfferStatus] | None,
            strawberry.argument(description="Only offers in one of these statuses; null: any."),
        ] = None,
    ) -> list[Offer]:
        statuses = status_names(status)
        return [Offer.from_record(o) for o in await m.my_offers(info.context, statuses)]

    @strawberry.field(
        extensions=allow(),
        description="Volunteer: the offers of `myOffers` a page at a time, newest first, without "
        f"its limit of {MY_OFFERS_LIMIT}; an empty page for other roles.",
    )
    async def my_offers_connection(
        self,
        info: ContextInfo,
        status: Annotated[
            list[OfferStatus] | None,
            strawberry.argument(description="Only offers in one of these statuses; null: any."),
        ] = None,
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        last: LastArg = None,
        before: BeforeArg = None,
    ) -> OfferConnection:
        statuses = status_names(status)
        paging = Paging(first, after, last, before)
        viewer = require_viewer(info.context)
        page = await people_resolvers.volunteer_offers(info.context, viewer.volunteer_id, statuses, paging)
        return OfferConnection.from_page(page)

    @strawberry.field(
        extensions=allow(Role.STAFF),
        description="Staff only: notifications that failed OTONARI_NOTIFY_MAX_ATTEMPTS times (PARKED), "
        "newest first.",
    )
    async def failed_notifications(
        self,
        info: ContextInfo,
        first: Annotated[
            int | None, strawberry.argument(description=f"Page size, 1 to {MAX_PAGE}.")
        ] = DEFAULT_PAGE,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
    ) -> NotificationPage:
        items, more, cursor, total = await notify.failed(info.context, first, after)
        return NotificationPage(
            items=[Notification.from_record(n) for n in items],
            has_next_page=more,
            end_cursor=cursor,
            total_count=total,
        )

    @strawberry.field(
        extensions=allow(Role.STAFF),
        description="Staff only: the registered webhook endpoints (their secrets are never shown again).",
    )
    async def webhook_endpoints(self, info: ContextInfo) -> list[WebhookEndpoint]:
        return [WebhookEndpoint.from_record(w) for w in await notify.endpoints(info.context)]

    @strawberry.field(
        description="Public: what a one-click answer link from an offer email is for (the link is the "
        "credential, for that one offer). Reading never answers: use answerOfferByLink."
    )
    async def answer_link(
        self,
        info: ContextInfo,
        token: Annotated[str, strawberry.argument(description="The t= parameter of the link.")],
    ) -> AnswerLinkPayload:
        outcome = await notify.answer_link(info.context, token)
        return _answer(outcome.value, outcome.errors)

    @strawberry.field(
        extensions=allow(Role.STAFF),
        description="Staff only: the audit log, newest first: every staff action and every read of "
        "someone's contact by anyone but its owner. Holds IDs, labels and counts, never words or contacts.",
    )
    async def audit_log(
        self,
        info: ContextInfo,
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        actor: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only what this Resident, Volunteer or StaffMember did (an AuditEntry.actorId)."
            ),
        ] = None,
        subject: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only what was done to this object (an AuditEntry.subjectId)."),
        ] = None,
        last: LastArg = None,
        before: BeforeArg = None,
    ) -> AuditEntryConnection:
        paging = Paging(first, after, last, before)
        page = await account_resolvers.audit_log(info.context, paging, actor, subject)
        return AuditEntryConnection.from_page(page)

    @strawberry.field(
        extensions=allow(Role.STAFF), description="Staff only. Figures on requests, triage and offers."
    )
    async def stats(self, info: ContextInfo) -> Stats:
        s = await stats_resolvers.stats(info.context)
        return Stats(
            requests_by_status=[StatusCount(status=RequestStatus(k), count=v) for k, v in s.by_status],
            median_seconds_to_triage=s.median_seconds_to_triage,
            median_seconds_to_match=s.median_seconds_to_match,
            triage_agreement=s.triage_agreement,
            offer_acceptance_rate=s.offer_acceptance_rate,
        )


ERRORS = "Why the mutation refused; empty on success. Nothing was changed when it is not empty."


@strawberry.type(description="The result of registerResident or registerVolunteer.")
class RegisterPayload:
    token: str | None = strawberry.field(description="Bearer token for the new account; shown once.")
    resident: Resident | None = strawberry.field(
        default=None, description="The new resident (registerResident); null on error."
    )
    volunteer: Volunteer | None = strawberry.field(
        default=None, description="The new volunteer (registerVolunteer); null on error."
    )
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS)


@strawberry.type(description="The result of a mutation on a volunteer.")
class VolunteerPayload:
    volunteer: Volunteer | None = strawberry.field(description="The volunteer as it is now; null on error.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of submitRequest.")
class SubmitRequestPayload:
    request: SupportRequest | None = strawberry.field(
        description="The stored request (status RECEIVED, or later if triage was quick); null on error."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of a mutation on a support request.")
class SupportRequestPayload:
    request: SupportRequest | None = strawberry.field(description="The request as it is now; null on error.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of respondToOffer.")
class OfferPayload:
    offer: Offer | None = strawberry.field(description="The offer as it is now; null on error.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of completeRequest.")
class CompletePayload:
    request: SupportRequest | None = strawberry.field(
        description="The request as it is now (COMPLETED); null on error."
    )
    long_term_pair: LongTermPair | None = strawberry.field(
        description="Set once both sides have asked for it."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


def _request_payload(outcome: m.Outcome[RequestRecord]) -> SupportRequestPayload:
    return SupportRequestPayload(
        request=SupportRequest.from_record(outcome.value) if outcome.value else None,
        errors=_errors(outcome.errors),
    )


@strawberry.type(
    description="Changes. Each returns a payload whose `errors` explain a refusal; nothing changes then."
)
class Mutation:
    @strawberry.mutation(
        description="Anyone: create a resident account and get its token. Limited per client address."
    )
    async def register_resident(
        self,
        info: ContextInfo,
        input: Annotated[RegisterResidentInput, strawberry.argument(description="The new resident.")],
    ) -> RegisterPayload:
        data = ResidentInput(
            input.display_name,
            input.languages,
            input.area,
            input.contact,
            _preferences(input.email, input.notification_opt_outs, input.notification_language),
        )
        outcome = await m.register_resident(info.context, data)
        if outcome.value is None:
            return RegisterPayload(token=None, errors=_errors(outcome.errors))
        token, pk = outcome.value
        return RegisterPayload(
            token=token,
            resident=Resident.from_record(await people_resolvers.resident(info.context, pk)),
        )

    @strawberry.mutation(
        description="Anyone: create a volunteer account and get its token. The volunteer gets "
        "offers once staff have vetted them (setVolunteerVerified). Limited per client address."
    )
    async def register_volunteer(
        self,
        info: ContextInfo,
        input: Annotated[RegisterVolunteerInput, strawberry.argument(description="The new volunteer.")],
    ) -> RegisterPayload:
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
            _preferences(input.email, input.notification_opt_outs, input.notification_language),
        )
        outcome = await m.register_volunteer(info.context, data)
        if outcome.value is None:
            return RegisterPayload(token=None, errors=_errors(outcome.errors))
        token, pk = outcome.value
        return RegisterPayload(
            token=token,
            volunteer=Volunteer.from_record(await people_resolvers.volunteer(info.context, pk)),
        )

    @strawberry.mutation(
        extensions=allow(Role.VOLUNTEER), description="Volunteer: change the viewer's own profile."
    )
    async def update_volunteer(
        self,
        info: ContextInfo,
        input: Annotated[
            UpdateVolunteerInput, strawberry.argument(description="What to change; null fields stay.")
        ],
    ) -> VolunteerPayload:
        data = VolunteerUpdate(
            input.languages,
            input.skills,
            input.fields,
            input.area,
            input.availability,
            input.remote_ok,
            input.max_active_requests,
            input.active,
            _preferences(input.email, input.notification_opt_outs, input.notification_language),
        )
        outcome = await m.update_volunteer(info.context, data)
        return VolunteerPayload(
            volunteer=Volunteer.from_record(outcome.value) if outcome.value else None,
            errors=_errors(outcome.errors),
        )

    @strawberry.mutation(
        extensions=allow(Role.STAFF),
        description="Staff only: vet (or un-vet) a volunteer. Un-vetting withdraws their pending offers "
        "at once (OFFER_WITHDRAWN events; each request goes to the next candidate or back to staff).",
    )
    async def set_volunteer_verified(
        self,
        info: ContextInfo,
        volunteer_id: Annotated[strawberry.ID, strawberry.argument(description="The volunteer's global ID.")],
        verified: Annotated[
            bool, strawberry.argument(description="True: vetted, may get offers. False: un-vetted.")
        ],
    ) -> VolunteerPayload:
        outcome = await m.set_volunteer_verified(info.context, volunteer_id, verified)
        return VolunteerPayload(
            volunteer=Volunteer.from_record(outcome.value) if outcome.value else None,
            errors=_errors(outcome.errors),
        )

    @strawberry.mutation(
        extensions=allow(Role.RESIDENT),
        description="Resident. Returns at once with status RECEIVED (or later); "
        "triage runs in the background.",
    )
    async def submit_request(
        self,
        info: ContextInfo,
        input: Annotated[SubmitRequestInput, strawberry.argument(description="The request.")],
    ) -> SubmitRequestPayload:
        outcome = await m.submit_request(
            info.context, SubmitInput(input.text, input.area, input.preferred_times)
        )
        return SubmitRequestPayload(
            request=SupportRequest.from_record(outcome.value) if outcome.value else None,
            errors=_errors(outcome.errors),
        )

    @strawberry.mutation(
        extensions=allow(Role.RESIDENT),
        description="Resident: cancel the viewer's own request, before it is COMPLETED, CANCELLED or "
        "CLOSED. Pending offers are withdrawn.",
    )
    async def cancel_request(
        self,
        info: ContextInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The request's global ID.")],
    ) -> SupportRequestPayload:
        return _request_payload(await m.cancel_request(info.context, id))

    @strawberry.mutation(
        extensions=allow(Role.STAFF),
        description="Staff only: approve a triaged request (IN_REVIEW or ESCALATED) with its triaged "
        "or corrected labels, which sends the first offers, or close it.",
    )
    async def review_triage(
        self,
        info: ContextInfo,
        input: Annotated[ReviewTriageInput, strawberry.argument(description="The decision.")],
    ) -> SupportRequestPayload:
        outcome = await m.review_triage(
            info.context,
            input.request_id,
            input.decision.name,
            input.field,
            input.urgency,
            input.note,
        )
        return _request_payload(outcome)

    @strawberry.mutation(
        extensions=allow(Role.STAFF),
        description="Staff only: make offers to these volunteers now, instead of or besides the "
        "automatic ones. The request must be OPEN, or back in review for lack of candidates (it "
        "reopens).",
    )
    async def send_offers(
        self,
        info: ContextInfo,
        request_id: Annotated[strawberry.ID, strawberry.argument(description="The request's global ID.")],
        volunteer_ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description="1 to 20 verified, active volunteers' global IDs."),
        ],
    ) -> SupportRequestPayload:
        return _request_payload(await m.send_offers(info.context, request_id, volunteer_ids))

    @strawberry.mutation(
        extensions=allow(Role.VOLUNTEER),
        description="Volunteer: an offer made to the viewer. The first acceptance wins; "
        "the other offers become WITHDRAWN.",
    )
    async def respond_to_offer(
        self,
        info: ContextInfo,
        offer_id: Annotated[strawberry.ID, strawberry.argument(description="The offer's global ID.")],
        accept: Annotated[bool, strawberry.argument(description="True: accept. False: decline.")],
    ) -> OfferPayload:
        outcome = await m.respond_to_offer(info.context, offer_id, accept)
        return OfferPayload(
            offer=Offer.from_record(outcome.value) if outcome.value else None,
            errors=_errors(outcome.errors),
        )

    @strawberry.mutation(
        description="Public, with a one-click answer link's token: accept or decline that offer. "
        "Expired or already used links are refused with a clear error (and the link's state)."
    )
    async def answer_offer_by_link(
        self,
        info: ContextInfo,
        token: Annotated[str, strawberry.argument(description="The t= parameter of the link.")],
        accept: Annotated[bool, strawberry.argument(description="True accepts, false declines.")],
    ) -> AnswerLinkPayload:
        view, errors = await notify.answer_by_link(info.context, token, accept)
        return _answer(view, errors)

    @strawberry.mutation(
        extensions=allow(Role.RESIDENT, Role.VOLUNTEER),
        description="Resident or volunteer: the viewer's notification settings.",
    )
    async def update_notification_settings(
        self,
        info: ContextInfo,
        input: Annotated[NotificationSettingsInput, strawberry.argument(description="What changes.")],
    ) -> NotificationSettingsPayload:
        prefs = _preferences(input.email, input.notification_opt_outs, input.notification_language)
        outcome = await notify.update_settings(info.context, prefs)
        return NotificationSettingsPayload(
            settings=NotificationSettings.from_record(outcome.value) if outcome.value else None,
            errors=_errors(outcome.errors),
        )

    @strawberry.mutation(
        extensions=allow(Role.STAFF),
        description="Staff only: send a parked notification again (a fresh series of attempts).",
    )
    async def retry_notification(
        self,
        info: ContextInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="A parked notification's ID.")],
    ) -> NotificationPayload:
        outcome = await notify.retry(info.context, id)
        return NotificationPayload(
            notification=Notification.from_record(outcome.value) if outcome.value else None,
            errors=_errors(outcome.errors),
        )

    @strawberry.mutation(
        extensions=allow(Role.STAFF),
        description="Staff only: register an HTTPS endpoint for some kinds of notification; returns its "
        "signing secret once (Standard Webhooks).",
    )
    async def register_webhook(
        self,
        info: ContextInfo,
        input: Annotated[RegisterWebhookInput, strawberry.argument(description="The endpoint.")],
    ) -> RegisterWebhookPayload:
        data = WebhookInput(
            input.url, [NotificationKindEnum(k.name) for k in input.kinds], input.trusted, input.description
        )
        outcome = await notify.register_webhook(info.context, data)
        if outcome.value is None:
            return RegisterWebhookPayload(endpoint=None, secret=None, errors=_errors(outcome.errors))
        endpoint, secret = outcome.value
        return RegisterWebhookPayload(
            endpoint=WebhookEndpoint.from_record(endpoint), secret=secret, errors=[]
        )

    @strawberry.mutation(
        extensions=allow(Role.STAFF), description="Staff only: stop deliveries to a webhook endpoint."
    )
    async def delete_webhook(
        self,
        info: ContextInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The endpoint's ID.")],
    ) -> WebhookEndpointPayload:
        outcome = await notify.delete_webhook(info.context, id)
        return WebhookEndpointPayload(
            endpoint=WebhookEndpoint.from_record(outcome.value) if outcome.value else None,
            errors=_errors(outcome.errors),
        )

    @strawberry.mutation(
        extensions=allow(Role.RESIDENT, Role.VOLUNTEER),
        description="The resident or the matched volunteer: the help is done (MATCHED becomes "
        "COMPLETED), with an optional rating and comment. Each side completes once.",
    )
    async def complete_request(
        self,
        info: ContextInfo,
        input: Annotated[CompleteRequestInput, strawberry.argument(description="The completion.")],
    ) -> CompletePayload:
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

    @strawberry.mutation(
        extensions=allow(),
        description="Any signed-in account: a new token for the viewer's account (valid for its "
        "role's lifetime); the token this call was made with is revoked at once.",
    )
    async def rotate_token(self, info: ContextInfo) -> RotateTokenPayload:
        outcome = await account_resolvers.rotate_token(info.context)
        if outcome.value is None:
            return RotateTokenPayload(token=None, expires_at=None, errors=_errors(outcome.errors))
        return RotateTokenPayload.from_issued(outcome.value)

    @strawberry.mutation(
        extensions=allow(),
        description="Any signed-in account: sign out. The token this call was made with stops working "
        "on every server process within a second; the account's other tokens stay.",
    )
    async def revoke_token(self, info: ContextInfo) -> RevokeTokenPayload:
        outcome = await account_resolvers.revoke_token(info.context)
        return RevokeTokenPayload(revoked=outcome.value, errors=_errors(outcome.errors))

    @strawberry.mutation(
        extensions=allow(Role.STAFF),
        description="Staff only: deactivate a resident, volunteer or another staff member. Their tokens "
        "stop working at once; a volunteer's pending offers are withdrawn and requests they were matched "
        "with go back to staff; a resident's unfinished requests are cancelled. Audited.",
    )
    async def deactivate_account(
        self,
        info: ContextInfo,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="A Resident, Volunteer or StaffMember global ID."),
        ],
    ) -> DeactivateAccountPayload:
        outcome = await account_resolvers.deactivate_account(info.context, id)
        if outcome.value is None:
            return DeactivateAccountPayload(
                account_id=None,
                role=None,
                tokens_revoked=None,
                offers_withdrawn=None,
                requests_returned=None,
                requests_cancelled=None,
                errors=_errors(outcome.errors),
            )
        return DeactivateAccountPayload.from_outcome(id, outcome.value)

    @strawberry.mutation(
        extensions=allow(Role.STAFF),
        description="Staff only: erase a resident: the texts of their requests, their contact, area and "
        "name, and every copy (notes, comments, triage examples) leave the database; unfinished requests "
        "are cancelled and the account deactivated. Statistics (statuses, labels, times) stay. Audited.",
    )
    async def erase_resident(
        self,
        info: ContextInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The resident's global ID.")],
    ) -> ErasePayload:
        return _erase_payload(await account_resolvers.erase_resident(info.context, id))

    @strawberry.mutation(
        extensions=allow(Role.RESIDENT),
        description="Resident: erase the viewer, as eraseResident does. The token stops working.",
    )
    async def erase_me(self, info: ContextInfo) -> ErasePayload:
        return _erase_payload(await account_resolvers.erase_me(info.context))


class FreshLoaders(FieldExtension):
    """Mutation fields run one after another, each committing its change: each starts and ends
    with empty loader caches, so neither its work nor its payload reads what an earlier field
    cached before that change."""

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: ContextInfo, **kwargs: Any) -> Any:
        info.context.loaders.clear_all()
        try:
            return next_(source, info, **kwargs)
        finally:
            info.context.loaders.clear_all()

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: ContextInfo, **kwargs: Any
    ) -> Any:
        info.context.loaders.clear_all()
        try:
            return await next_(source, info, **kwargs)
        finally:
            info.context.loaders.clear_all()


# Declared here once rather than on each field, so that no mutation can miss it.
for _field in get_object_definition(Mutation, strict=True).fields:
    _field.extensions.append(FreshLoaders())


def _erase_payload(outcome: m.Outcome[Erasure]) -> ErasePayload:
    if outcome.value is None:
        return ErasePayload(
            resident_id=None, requests_erased=None, requests_cancelled=None, errors=_errors(outcome.errors)
        )
    return ErasePayload.from_outcome(outcome.value)


def _event(event: EventRecord, record: RequestRecord) -> RequestEvent:
    return RequestEvent(
        event_id=strawberry.ID(event_id_text(event.id)),
        kind=RequestEventKind(event.kind),
        request=SupportRequest.from_record(record),
        at=event.created_at,
        offer_id=event.offer_id,
    )


_AFTER = (
    "Resume after a reconnection: the id of the last event received (`eventId`). The events "
    "written since then that this subscription would have delivered come first, oldest first, "
    "with the request or offer as it is now, then live ones; none twice, none missing. At most "
    f"{REPLAY_LIMIT}: beyond, the error code is REPLAY_TOO_LONG (read the current state by query, "
    "then subscribe without `after`); an id this API did not give out is UNKNOWN_EVENT."
)
After = Annotated[strawberry.ID | None, strawberry.argument(description=_AFTER)]


@strawberry.type(
    description="Live events over WebSocket (graphql-transport-ws at /graphql), with the same token."
)
class Subscription:
    @strawberry.subscription(
        extensions=allow(),
        description="The resident who owns it, staff, the matched volunteer and volunteers holding a "
        "live offer for it. Delivered whichever server process made the change. When a volunteer's "
        "access ends (their offer ends, or the resident cancels), they get that event with the "
        "request redacted (see Offer.request) and the subscription completes. A volunteer resuming "
        "with `after` gets no event from before the offer that let them see the request.",
    )
    async def request_updated(
        self,
        info: ContextInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The request's global ID.")],
        after: After = None,
    ) -> AsyncGenerator[RequestEvent, None]:
        async for event, record in live.request_updated(info.context, id, after):
            yield _event(event, record)

    @strawberry.subscription(
        extensions=allow(Role.STAFF),
        description="Staff only: every change that enters or leaves the review queue.",
    )
    async def review_queue_updated(
        self, info: ContextInfo, after: After = None
    ) -> AsyncGenerator[RequestEvent, None]:
        async for event, record in live.review_queue_updated(info.context, after):
            yield _event(event, record)

    @strawberry.subscription(
        extensions=allow(Role.VOLUNTEER),
        description="Volunteer: each new offer to the viewer (its `eventId` is set, for `after`).",
    )
    async def offer_received(self, info: ContextInfo, after: After = None) -> AsyncGenerator[Offer, None]:
        async for event, offer in live.offer_received(info.context, after):
            yield Offer.from_record(offer, event_id=event.id)
