"""GraphQL object types. They hold records and no I/O: fields that need data delegate to resolvers/."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from resolvers import dashboard as dashboard_resolvers
from resolvers import people as people_resolvers
from resolvers import requests as request_resolvers
from service.auth import Role as RoleEnum
from service.context import Context
from service.errors import ErrorCode as ErrorCodeEnum
from service.errors import UserError as UserErrorRecord
from service.ids import to_global_id
from service.records import (
    LongTermPairRecord,
    OfferRecord,
    RequestRecord,
    ResidentRecord,
    ReviewRecord,
    TriageRecord,
    VolunteerRecord,
)
from triage.labels import SupportField as SupportFieldEnum
from triage.labels import Urgency as UrgencyEnum

if TYPE_CHECKING:
    from schema.dashboard import Dashboard

# The domain enums are the GraphQL enums: registering them keeps one definition of each.
strawberry.enum(RoleEnum, name="Role")
strawberry.enum(SupportFieldEnum, name="SupportField", description="See TAXONOMY.md.")
strawberry.enum(UrgencyEnum, name="Urgency", description="See TAXONOMY.md.")
strawberry.enum(ErrorCodeEnum, name="ErrorCode")
Role = RoleEnum
SupportField = SupportFieldEnum
Urgency = UrgencyEnum
ErrorCode = ErrorCodeEnum


@strawberry.enum
class RequestStatus(Enum):
    RECEIVED = strawberry.enum_value("RECEIVED", description="Stored; triage not finished yet.")
    IN_REVIEW = strawberry.enum_value(
        "IN_REVIEW", description="Triaged; waiting for staff to approve or correct the triage."
    )
    ESCALATED = strawberry.enum_value(
        "ESCALATED",
        description="Triaged as EMERGENCY: the resident got emergency advice at once and staff were alerted.",
    )
    OPEN = strawberry.enum_value("OPEN", description="Approved; offers are going out to volunteers.")
    MATCHED = strawberry.enum_value("MATCHED", description="A volunteer accepted.")
    COMPLETED = "COMPLETED"
    CANCELLED = strawberry.enum_value("CANCELLED", description="Cancelled by the resident.")
    CLOSED = strawberry.enum_value(
        "CLOSED", description="Closed by staff: out of scope, duplicate, referred elsewhere."
    )


@strawberry.enum
class OfferStatus(Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = strawberry.enum_value(
        "WITHDRAWN",
        description="Another volunteer accepted first, the resident cancelled, or staff withdrew it "
        "(un-vetting a volunteer withdraws their pending offers).",
    )


@strawberry.enum
class RequestEventKind(Enum):
    RECEIVED = "RECEIVED"
    TRIAGED = "TRIAGED"
    ESCALATED = "ESCALATED"
    REVIEWED = "REVIEWED"
    OFFERED = "OFFERED"
    OFFER_DECLINED = "OFFER_DECLINED"
    OFFER_EXPIRED = strawberry.enum_value(
        "OFFER_EXPIRED", description="An offer ran out of time; the next candidate gets one."
    )
    OFFER_WITHDRAWN = strawberry.enum_value(
        "OFFER_WITHDRAWN",
        description="A pending offer was withdrawn because its volunteer may no longer help "
        "(staff un-vetted them); the next candidate gets one.",
    )
    RETURNED_TO_REVIEW = strawberry.enum_value(
        "RETURNED_TO_REVIEW",
        description="No volunteer candidate was left: back in the staff queue.",
    )
    MATCHED = "MATCHED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    CLOSED = "CLOSED"


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class UserError:
    path: list[str] = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "text"]; empty when not tied to one.'
    )
    message: str
    code: ErrorCode
    retry_after_seconds: int | None = strawberry.field(
        default=None,
        description="RATE_LIMITED only: seconds until the same operation would be allowed again "
        "(also sent as the Retry-After header).",
    )

    @classmethod
    def from_record(cls, error: UserErrorRecord) -> UserError:
        return cls(
            path=list(error.path),
            message=error.message,
            code=error.code,
            retry_after_seconds=error.retry_after_seconds,
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Resident(Node):
    record: strawberry.Private[ResidentRecord]
    display_name: str
    languages: list[str] = strawberry.field(description="ISO 639-1 codes, preferred first.")
    area: str = strawberry.field(description='Ward or city, e.g. "Meguro", "Kawasaki".')

    @classmethod
    def from_record(cls, r: ResidentRecord) -> Resident:
        return cls(
            record=r,
            id=strawberry.ID(to_global_id("Resident", r.id)),
            display_name=r.display_name,
            languages=list(r.languages),
            area=r.area,
        )

    @strawberry.field
    async def requests(
        self, info: Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> SupportRequestConnection:
        page = await request_resolvers.resident_requests(info.context, self.record, first, after)
        return SupportRequestConnection.from_page(page)

    @strawberry.field(description="Private: staff, and the volunteer matched with this resident.")
    async def contact(self, info: Info[Context, None]) -> str | None:
        return await people_resolvers.resident_contact(info.context, self.record)


@strawberry.type
class Volunteer(Node):
    record: strawberry.Private[VolunteerRecord]
    display_name: str
    languages: list[str] = strawberry.field(
        description="ISO 639-1 codes the volunteer can help in (Japanese is assumed)."
    )
    skills: str = strawberry.field(description="Free text: what the volunteer can do, in any language.")
    fields: list[SupportField]
    area: str
    availability: str = strawberry.field(
        description='Free text or slots such as "weekday evenings", "Sat AM".'
    )
    remote_ok: bool = strawberry.field(description="Helps by phone or video, not only in person.")
    max_active_requests: int
    active: bool = strawberry.field(description="The volunteer's own switch: false pauses new offers.")
    verified: bool = strawberry.field(
        description="Set by staff after they have met and vetted the volunteer; "
        "only verified, active volunteers get offers."
    )

    @classmethod
    def from_record(cls, v: VolunteerRecord) -> Volunteer:
        return cls(
            record=v,
            id=strawberry.ID(to_global_id("Volunteer", v.id)),
            display_name=v.display_name,
            languages=list(v.languages),
            skills=v.skills,
            fields=list(v.fields),
            area=v.area,
            availability=v.availability,
            remote_ok=v.remote_ok,
            max_active_requests=v.max_active_requests,
            active=v.active,
            verified=v.verified,
        )

    @strawberry.field(description="Private: staff, the volunteer, and the resident once matched.")
    async def contact(self, info: Info[Context, None]) -> str | None:
        return await people_resolvers.volunteer_contact(info.context, self.record)


@strawberry.type
class Viewer:
    role: Role
    resident: Resident | None
    volunteer: Volunteer | None


@strawberry.type
class FieldScore:
    field: SupportField
    score: float


@strawberry.type
class Triage:
    language: str
    language_confidence: float
    field: SupportField
    field_scores: list[FieldScore] = strawberry.field(description="One score per field, highest first.")
    urgency: Urgency
    urgency_score: float
    confidence: float = strawberry.field(
        description="0..1: how sure the triage is of its field and urgency together."
    )
    signals: list[str] = strawberry.field(
        description='Human-readable reasons, e.g. "mentions: seizure", "close to examples of: child '
        'fever tonight (MEDICAL/HIGH, cosine 0.91)", "unsure: WELFARE or OTHER". Made only of the '
        "project's own words (cue names, curated example topics, labels): never another request's text."
    )
    model: str = strawberry.field(description="Model and triage version that produced this.")
    created_at: datetime

    @classmethod
    def from_record(cls, t: TriageRecord) -> Triage:
        return cls(
            language=t.language,
            language_confidence=t.language_confidence,
            field=t.field,
            field_scores=[FieldScore(field=f, score=s) for f, s in t.field_scores],
            urgency=t.urgency,
            urgency_score=t.urgency_score,
            confidence=t.confidence,
            signals=list(t.signals),
            model=t.model,
            created_at=t.created_at,
        )


@strawberry.type
class Review:
    record: strawberry.Private[ReviewRecord]
    field: SupportField
    urgency: Urgency
    agreed_with_triage: bool = strawberry.field(
        description="True when staff kept both the triage's field and urgency."
    )
    decided_at: datetime

    @classmethod
    def from_record(cls, r: ReviewRecord) -> Review:
        return cls(
            record=r,
            field=r.field,
            urgency=r.urgency,
            agreed_with_triage=r.agreed_with_triage,
            decided_at=r.decided_at,
        )

    @strawberry.field(description='Staff only: the reviewing staff member. Others read "" (empty).')
    def reviewer(self, info: Info[Context, None]) -> str:
        return request_resolvers.review_reviewer(info.context, self.record)

    @strawberry.field(description="Staff only: the reviewer's note. Others read null.")
    def note(self, info: Info[Context, None]) -> str | None:
        return request_resolvers.review_note(info.context, self.record)


@strawberry.type
class EmergencyNumber:
    number: str
    label: str = strawberry.field(
        description="What it is for, in the resident's language where the service has a translation."
    )


@strawberry.type
class EmergencyAdvice:
    message: str = strawberry.field(
        description="In the resident's language where the service has a translation, "
        "else English and easy Japanese."
    )
    numbers: list[EmergencyNumber]


@strawberry.type
class MatchBreakdown:
    skill: float
    language: float
    area: float
    availability: float
    load: float = strawberry.field(
        description="Lower when the volunteer already carries many active requests."
    )


@strawberry.type
class MatchCandidate:
    volunteer: Volunteer
    score: float
    breakdown: MatchBreakdown


@strawberry.type
class Offer(Node):
    record: strawberry.Private[OfferRecord]
    status: OfferStatus
    created_at: datetime
    expires_at: datetime
    responded_at: datetime | None

    @classmethod
    def from_record(cls, o: OfferRecord) -> Offer:
        return cls(
            record=o,
            id=strawberry.ID(to_global_id("Offer", o.id)),
            status=OfferStatus(o.status),
            created_at=o.created_at,
            expires_at=o.expires_at,
            responded_at=o.responded_at,
        )

    @strawberry.field(
        description="While the offer is live (PENDING, before expiresAt) its volunteer reads the "
        "whole request, and once matched with it too. After that the volunteer gets the request "
        'redacted: only id, status, createdAt and updatedAt are real; text and area are "" and '
        "every other field is null or empty (no resident, no assigned volunteer). What they need "
        "is the offer's own status and times."
    )
    async def request(self, info: Info[Context, None]) -> SupportRequest:
        return SupportRequest.from_record(await request_resolvers.offer_request(info.context, self.record))

    @strawberry.field
    async def volunteer(self, info: Info[Context, None]) -> Volunteer:
        return Volunteer.from_record(await people_resolvers.volunteer(info.context, self.record.volunteer_id))


@strawberry.type
class SupportRequest(Node):
    record: strawberry.Private[RequestRecord]
    text: str = strawberry.field(
        description="Visible to the resident, staff, volunteers holding a live offer for it (PENDING, "
        "before its expiry time), and the matched volunteer until the request is cancelled."
    )
    area: str
    status: RequestStatus
    triage: Triage | None
    review: Review | None
    field: SupportField | None = strawberry.field(
        description="The review's field when there is one, else the triage's."
    )
    urgency: Urgency | None
    emergency_advice: EmergencyAdvice | None
    preferred_times: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_record(cls, r: RequestRecord) -> SupportRequest:
        advice = r.emergency_advice
        return cls(
            record=r,
            id=strawberry.ID(to_global_id("SupportRequest", r.id)),
            text=r.text,
            area=r.area,
            status=RequestStatus(r.status),
            triage=Triage.from_record(r.triage) if r.triage else None,
            review=Review.from_record(r.review) if r.review else None,
            field=r.field,
            urgency=r.urgency,
            emergency_advice=EmergencyAdvice(
                message=advice.message,
                numbers=[EmergencyNumber(number=n.number, label=n.label) for n in advice.numbers],
            )
            if advice
            else None,
            preferred_times=r.preferred_times,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )

    @strawberry.field(description="Staff only: ranked volunteers for this request.")
    async def candidates(self, info: Info[Context, None], first: int | None = 10) -> list[MatchCandidate]:
        ranked = await request_resolvers.candidates(info.context, self.record, first)
        return [
            MatchCandidate(
                volunteer=Volunteer.from_record(c.volunteer),
                score=c.score,
                breakdown=MatchBreakdown(
                    skill=c.skill,
                    language=c.language,
                    area=c.area,
                    availability=c.availability,
                    load=c.load,
                ),
            )
            for c in ranked
        ]

    @strawberry.field(
        description="Staff only: requests reviewed earlier whose texts were nearest to this one "
        "when it was triaged, nearest first (at most 5 were kept). Reviewed texts reach the triage "
        "only as these links: its signals never quote them."
    )
    async def similar_reviewed_requests(
        self, info: Info[Context, None], first: int | None = 5
    ) -> list[SupportRequest]:
        found = await request_resolvers.similar_reviewed_requests(info.context, self.record, first)
        return [SupportRequest.from_record(r) for r in found]

    @strawberry.field
    async def offers(self, info: Info[Context, None]) -> list[Offer]:
        return [Offer.from_record(o) for o in await request_resolvers.offers(info.context, self.record)]

    @strawberry.field(
        description="Staff only: the request's timeline, every event written for it, oldest first "
        "(at most 500)."
    )
    async def events(self, info: Info[Context, None]) -> list[RequestEvent]:
        found = await request_resolvers.events(info.context, self.record)
        return [
            RequestEvent(kind=RequestEventKind(e.kind), request=self, at=e.created_at, offer_id=e.offer_id)
            for e in found
        ]

    @strawberry.field
    async def assigned_volunteer(self, info: Info[Context, None]) -> Volunteer | None:
        if self.record.assigned_volunteer_id is None:
            return None
        return Volunteer.from_record(
            await people_resolvers.volunteer(info.context, self.record.assigned_volunteer_id)
        )

    @strawberry.field(
        description="The resident who asked (their contact stays private). Null on a redacted "
        "request (see Offer.request)."
    )
    async def resident(self, info: Info[Context, None]) -> Resident | None:
        if self.record.redacted:
            return None
        return Resident.from_record(await people_resolvers.resident(info.context, self.record.resident_id))

    @strawberry.field(description="Staff: why the request came back to the queue, if it did.")
    def needs_attention(self, info: Info[Context, None]) -> str | None:
        viewer = info.context.viewer
        return self.record.needs_attention if viewer is not None and viewer.is_staff else None


@strawberry.type
class SupportRequestEdge:
    cursor: str
    node: SupportRequest


@strawberry.type
class SupportRequestConnection:
    edges: list[SupportRequestEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: request_resolvers.Page[RequestRecord]) -> SupportRequestConnection:
        return cls(
            edges=[
                SupportRequestEdge(cursor=cursor, node=SupportRequest.from_record(r))
                for cursor, r in page.items
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@strawberry.type
class VolunteerEdge:
    cursor: str
    node: Volunteer


@strawberry.type
class VolunteerConnection:
    edges: list[VolunteerEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def from_page(cls, page: request_resolvers.Page[VolunteerRecord]) -> VolunteerConnection:
        return cls(
            edges=[VolunteerEdge(cursor=cursor, node=Volunteer.from_record(v)) for cursor, v in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@strawberry.type
class StatusCount:
    status: RequestStatus
    count: int


@strawberry.type
class Stats:
    requests_by_status: list[StatusCount]
    median_seconds_to_triage: float | None = strawberry.field(
        description="Median seconds from submission to triage, over the last 7 days."
    )
    median_seconds_to_match: float | None = strawberry.field(
        description="Median seconds from approval to a volunteer's acceptance, over the last 7 days."
    )
    triage_agreement: float | None = strawberry.field(
        description="Share of reviewed requests where staff kept the triage's field and urgency."
    )
    offer_acceptance_rate: float | None

    @strawberry.field(
        description="Staff: the dashboard's series over the last `days` whole days (Tokyo), 1 to 366."
    )
    async def dashboard(
        self, info: Info[Context, None], days: int = 30
    ) -> Annotated[Dashboard, strawberry.lazy("schema.dashboard")]:
        from schema.dashboard import Dashboard

        since = await dashboard_resolvers.window_start(info.context, days)
        return Dashboard(days=days, since=since)


@strawberry.type
class LongTermPair(Node):
    record: strawberry.Private[LongTermPairRecord]
    created_at: datetime

    @classmethod
    def from_record(cls, p: LongTermPairRecord) -> LongTermPair:
        return cls(record=p, id=strawberry.ID(to_global_id("LongTermPair", p.id)), created_at=p.created_at)

    @strawberry.field
    async def resident(self, info: Info[Context, None]) -> Resident:
        return Resident.from_record(await people_resolvers.resident(info.context, self.record.resident_id))

    @strawberry.field
    async def volunteer(self, info: Info[Context, None]) -> Volunteer:
        return Volunteer.from_record(await people_resolvers.volunteer(info.context, self.record.volunteer_id))

    @strawberry.field(description="From the request that led to it.")
    async def request(self, info: Info[Context, None]) -> SupportRequest:
        return SupportRequest.from_record(
            await request_resolvers.request_by_pk(info.context, self.record.request_id)
        )


@strawberry.type
class RequestEvent:
    kind: RequestEventKind
    request: SupportRequest
    at: datetime
    offer_id: strawberry.Private[int | None] = None

    @strawberry.field(
        description="The offer an offer event is about (OFFERED, OFFER_DECLINED, OFFER_EXPIRED, "
        "OFFER_WITHDRAWN, MATCHED), for those who may read that offer: staff, its volunteer and "
        "the request's resident; null otherwise and for other kinds."
    )
    async def offer(self, info: Info[Context, None]) -> Offer | None:
        if self.offer_id is None:
            return None
        found = await people_resolvers.node(info.context, to_global_id("Offer", self.offer_id))
        return Offer.from_record(found[1]) if found else None
