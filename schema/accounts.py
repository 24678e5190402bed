"""GraphQL types of tokens, deactivation, erasure and the audit log. Records in, no I/O."""

from __future__ import annotations

import json
from datetime import datetime

import strawberry

from resolvers.common import Page
from schema.types import CursorEdge, PageInfo, Role, UserError, _domain_enum, connection_of
from service.audit import AuditAction as AuditActionEnum
from service.audit import AuditEntry as AuditEntryRecord
from service.auth import IssuedToken
from service.deactivation import Deactivation
from service.erasure import Erasure
from service.ids import to_global_id

ERRORS = "Why the mutation refused; empty on success. Nothing was changed when it is not empty."

_domain_enum(
    AuditActionEnum,
    "AuditAction",
    "What an audit log entry records.",
    {
        "REVIEW": "Staff reviewed a triage (details: decision, the AI's and the staff's labels).",
        "VETTING": "Staff vetted or un-vetted a volunteer.",
        "OFFERS_SENT": "Staff hand-picked volunteers for offers (sendOffers).",
        "ACCOUNT_DEACTIVATED": "Staff deactivated an account (details: what was revoked, withdrawn, "
        "returned, cancelled).",
        "RESIDENT_ERASED": "A resident's words, contact and name were erased (details.by: STAFF, "
        "RESIDENT themself, or RETENTION).",
        "REQUEST_ERASED": "A closed request's texts were erased by the retention schedule.",
        "CONTACT_READ": "Someone other than its owner read a resident's or volunteer's contact.",
        "STAFF_CREATED": "A staff account was created from the command line.",
        "STAFF_TOKEN_ISSUED": "A staff token was issued from the command line.",
        "NOTIFICATION_RETRIED": "Staff sent a parked notification again.",
        "WEBHOOK_REGISTERED": "Staff registered a webhook endpoint.",
        "WEBHOOK_DELETED": "Staff deleted a webhook endpoint.",
    },
)
AuditAction = AuditActionEnum


@strawberry.type(description="The result of rotateToken.")
class RotateTokenPayload:
    token: str | None = strawberry.field(
        description="The new bearer token, shown once. The token this call was made with no longer "
        "works (on every server process within a second)."
    )
    expires_at: datetime | None = strawberry.field(description="When the new token stops working.")
    errors: list[UserError] = strawberry.field(description=ERRORS)

    @classmethod
    def from_issued(cls, issued: IssuedToken) -> RotateTokenPayload:
        return cls(token=issued.token, expires_at=issued.expires_at, errors=[])


@strawberry.type(description="The result of revokeToken.")
class RevokeTokenPayload:
    revoked: bool | None = strawberry.field(
        description="True: the token this call was made with no longer works (on every server "
        "process within a second, open WebSocket connections close). Null on error."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The result of deactivateAccount.")
class DeactivateAccountPayload:
    account_id: strawberry.ID | None = strawberry.field(
        description="The deactivated account, as given (a Resident, Volunteer or StaffMember ID)."
    )
    role: Role | None = strawberry.field(description="What the account was.")
    tokens_revoked: int | None = strawberry.field(description="Its tokens that stopped working.")
    offers_withdrawn: int | None = strawberry.field(
        description="A volunteer's pending offers withdrawn (each request goes to the next candidate "
        "or back to staff)."
    )
    requests_returned: int | None = strawberry.field(
        description="Requests a volunteer was matched with, back in the review queue."
    )
    requests_cancelled: int | None = strawberry.field(
        description="A resident's unfinished requests, cancelled."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)

    @classmethod
    def from_outcome(cls, account_id: str, outcome: Deactivation) -> DeactivateAccountPayload:
        return cls(
            account_id=strawberry.ID(account_id),
            role=outcome.role,
            tokens_revoked=outcome.tokens_revoked,
            offers_withdrawn=outcome.offers_withdrawn,
            requests_returned=outcome.requests_returned,
            requests_cancelled=outcome.requests_cancelled,
            errors=[],
        )


@strawberry.type(description="The result of eraseResident and eraseMe.")
class ErasePayload:
    resident_id: strawberry.ID | None = strawberry.field(description="The erased resident.")
    requests_erased: int | None = strawberry.field(
        description="Their requests whose texts are gone (statuses, labels and times stay)."
    )
    requests_cancelled: int | None = strawberry.field(
        description="Of those, unfinished ones cancelled first (pending offers end)."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)

    @classmethod
    def from_outcome(cls, outcome: Erasure) -> ErasePayload:
        return cls(
            resident_id=strawberry.ID(to_global_id("Resident", outcome.resident_id)),
            requests_erased=outcome.requests_erased,
            requests_cancelled=outcome.requests_cancelled,
            errors=[],
        )


@strawberry.type(description="One detail of an audit entry: a label, an ID or a count, never free text.")
class AuditDetail:
    name: str = strawberry.field(description='What it is, e.g. "decision", "volunteerIds".')
    value: str = strawberry.field(description="Its value as JSON: a string, a number, a boolean, a list.")


@strawberry.type(description="Staff only: one thing done, who did it and to what.")
class AuditEntry:
    id: strawberry.ID = strawberry.field(description="The entry's ID.")
    at: datetime = strawberry.field(description="When it was done (the action's transaction).")
    action: AuditAction = strawberry.field(description="What was done.")
    actor_id: strawberry.ID | None = strawberry.field(
        description="Who did it: a Resident, Volunteer or StaffMember ID; null for the service "
        "itself (retention) or the command line."
    )
    actor_role: Role | None = strawberry.field(description="The actor's role; null as actorId.")
    subject_id: strawberry.ID = strawberry.field(
        description="What it was done to: a SupportRequest, Resident, Volunteer, StaffMember, Offer, "
        "Notification or WebhookEndpoint ID."
    )
    details: list[AuditDetail] = strawberry.field(description="Labels, IDs and counts, by name.")

    @classmethod
    def from_record(cls, e: AuditEntryRecord) -> AuditEntry:
        return cls(
            id=strawberry.ID(to_global_id("AuditEntry", e.id)),
            at=e.at,
            action=e.action,
            actor_id=strawberry.ID(e.actor_global_id) if e.actor_global_id else None,
            actor_role=Role(e.actor_role) if e.actor_role else None,
            subject_id=strawberry.ID(e.subject_global_id),
            details=[
                AuditDetail(name=k, value=json.dumps(v, ensure_ascii=False)) for k, v in e.details.items()
            ],
        )


@strawberry.type(description="One audit entry in a page, with its cursor.")
class AuditEntryEdge(CursorEdge):
    node: AuditEntry = strawberry.field(description="The entry.")


@strawberry.type(description="A page of the audit log, newest first (Relay cursor connection).")
class AuditEntryConnection:
    edges: list[AuditEntryEdge] = strawberry.field(description="The entries of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page ends.")
    total_count: int = strawberry.field(description="How many entries match, over every page.")

    @classmethod
    def from_page(cls, page: Page[AuditEntryRecord]) -> AuditEntryConnection:
        return connection_of(cls, page, lambda c, e: AuditEntryEdge(cursor=c, node=AuditEntry.from_record(e)))
