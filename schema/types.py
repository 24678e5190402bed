"""GraphQL object types. They hold records and no I/O: fields that need data delegate to resolvers/."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info

from resolvers import dashboard as dashboard_resolvers
from resolvers import errors as error_resolvers
from resolvers import notifications as notification_resolvers
from resolvers import people as people_resolvers
from resolvers import requests as request_resolvers
from resolvers.common import Page, Paging
from schema.permissions import allow
from service.auth import Role as RoleEnum
from service.context import Context
from service.errors import ErrorCode as ErrorCodeEnum
from service.errors import ErrorReason as ErrorReasonEnum
from service.errors import UserError as UserErrorRecord
from service.events import TIMELINE_LIMIT, event_id_text
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
from service.statuses import EventKind as EventKindEnum
from service.statuses import OfferStatus as OfferStatusEnum
from service.statuses import RequestStatus as RequestStatusEnum
from service.validation import DEFAULT_PAGE, MAX_PAGE
from triage.labels import SupportField as SupportFieldEnum
from triage.labels import Urgency as UrgencyEnum

if TYPE_CHECKING:
    from schema.dashboard import Dashboard
    from schema.notifications import NotificationSettings

_Item = TypeVar("_Item")
_Connection = TypeVar("_Connection")

# Arguments shared by every paged field.
FirstArg = Annotated[
    int | None, strawberry.argument(description=f"Page size, 1 to {MAX_PAGE} (default {DEFAULT_PAGE}).")
]
AfterArg = Annotated[
    str | None,
    strawberry.argument(
        description="Start after this cursor (an edge's cursor or pageInfo.endCursor of the page before)."
    ),
]
LastArg = Annotated[
    int | None,
    strawberry.argument(
        description="Page backward: the last this many (1 to 100) before `before` (or of all); "
        "`first` is then ignored."
    ),
]
BeforeArg = Annotated[
    str | None,
    strawberry.argument(
        description="End before this cursor (an edge's cursor or pageInfo.startCursor of the page after)."
    ),
]


def status_names(statuses: Sequence[Enum] | None) -> list[str] | None:
    """A status filter as the resolvers take it: names; None (or empty) for any status."""
    return [s.name for s in statuses] if statuses else None


def _domain_enum(cls: type[Enum], name: str, description: str, values: dict[str, str]) -> None:
    """Register a domain enum as the GraphQL enum, with a description for each value: the domain
    keeps plain values (strawberry.enum_value would replace them), the schema gets the words."""
    strawberry.enum(cls, name=name, description=description)
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    undescribed = {v.name for v in definition.values} ^ values.keys()
    if undescribed:
        raise ValueError(f"{name}: describe exactly its values; mismatch: {sorted(undescribed)}")
    for value in definition.values:
        value.description = values[value.name]


# The domain enums are the GraphQL enums: registering them keeps one definition of each.
_domain_enum(
    RoleEnum,
    "Role",
    "What an account is; it decides what the viewer may read and do.",
    {
        "RESIDENT": "A foreign resident who asks for help (registerResident).",
        "VOLUNTEER": "A neighbour who helps (registerVolunteer); gets offers once staff have vetted them.",
        "STAFF": "A coordinator: reviews triage, vets volunteers, sees everything. Created from the CLI.",
    },
)
_domain_enum(
    SupportFieldEnum,
    "SupportField",
    "What kind of help a request needs: the field whose volunteer skills it needs most. See TAXONOMY.md.",
    {
        "MEDICAL": "Hospitals, clinics, dentists, pharmacies, check-ups, vaccinations, mental health, "
        "the medical side of health insurance.",
        "WELFARE": "Public benefits and social security at city hall: allowances, pension, national "
        "health insurance, public assistance, care, tax letters.",
        "CHILDCARE_EDUCATION": "Daycare and kindergarten, school enrolment and letters, after-school "
        "care, Japanese classes for children, exams and scholarships.",
        "LIFELINE": "Daily-life infrastructure: utilities, internet and phone, garbage, housing and "
        "landlords, bank accounts, post, moving, resident registration.",
        "OTHER": "Anything else, or not a support request: visa, legal and employment disputes, "
        "crime, chat, spam.",
    },
)
_domain_enum(
    UrgencyEnum,
    "Urgency",
    "How soon help is needed. See TAXONOMY.md.",
    {
        "EMERGENCY": "Danger to life or safety now: the resident gets the emergency numbers at once "
        "and staff are alerted; never waits for a volunteer.",
        "HIGH": "Needs help within about 24 hours; first in the staff queue and in matching.",
        "NORMAL": "Needs help within days.",
        "LOW": "No deadline: general questions, learning how things work.",
    },
)
_domain_enum(
    ErrorCodeEnum,
    "ErrorCode",
    "The coarse class of a UserError: what a client can do about it in general.",
    {
        "INVALID_INPUT": "The input is not acceptable as sent: fix the field named by `path` and retry.",
        "NOT_FOUND": "The object does not exist or the viewer may not see it (the same answer for "
        "both, so nothing leaks).",
        "FORBIDDEN": "The viewer is signed in but their role may not do this.",
        "CONFLICT": "The object is not in a state that allows this (already done, no longer open, "
        "expired); reload it before deciding what to do.",
        "RATE_LIMITED": "Too many of these operations: retry after `retryAfterSeconds` (also the "
        "Retry-After header).",
        "UNAUTHENTICATED": "No valid credentials: no token, or one that is unknown, revoked or "
        "expired, or an account that was deactivated. Sign in again.",
        "SERVICE_UNAVAILABLE": "The service could not answer now: its database is down, restarting "
        "or too slow. Retry after `retryAfterSeconds` (also the Retry-After header); a change cut "
        "short this way is normally not made, reload to be sure before repeating it.",
    },
)
_domain_enum(
    ErrorReasonEnum,
    "ErrorReason",
    "The exact reason of a UserError, within its `code`; `params` holds the values its message "
    "names (listed per reason as Params). New reasons may be added: treat an unknown one by its `code`.",
    {
        "BLANK": "INVALID_INPUT: the field is empty (or only spaces), or a list has no item.",
        "TOO_LONG": "INVALID_INPUT: the text is longer than allowed, counted in characters after "
        "trimming. Params: limit, length. `limit` holds the bound.",
        "TOO_MANY": "INVALID_INPUT: the list has more items than allowed. Params: limit, count.",
        "OUT_OF_RANGE": "INVALID_INPUT: the number is outside its range. Params: min, max.",
        "NUL_CHARACTER": "INVALID_INPUT: the text contains NUL (U+0000).",
        "CONTROL_CHARACTER": "INVALID_INPUT: a one-line field (name, area, contact, times) contains "
        "a line break, tab or other control character.",
        "PRIVATE_USE_CHARACTER": "INVALID_INPUT: the text contains private-use or unpaired surrogate "
        "characters.",
        "INVISIBLE_CHARACTER": "INVALID_INPUT: the text contains an invisible formatting character "
        "(bidi override, zero-width space ...). Params: codepoint (e.g. U+202E).",
        "NO_VISIBLE_CHARACTER": "INVALID_INPUT: the text has no letter, digit or symbol.",
        "MIXED_SCRIPTS": "INVALID_INPUT: one word mixes Latin, Cyrillic or Greek letters (a "
        "look-alike spelling). Params: scripts (e.g. Latin, Cyrillic).",
        "UNKNOWN_LANGUAGE": "INVALID_INPUT: not an ISO 639-1 language code. Params: value.",
        "UNKNOWN_LOCALE": "INVALID_INPUT: notificationLanguage is not a locale with messages. "
        "Params: value, allowed.",
        "NOT_OPT_OUTABLE": "INVALID_INPUT: a notification kind that cannot be opted out of. "
        "Params: value, allowed.",
        "INVALID_EMAIL": "INVALID_INPUT: not an email address.",
        "INVALID_URL": "INVALID_INPUT: not a URL.",
        "URL_WITH_CREDENTIALS": "INVALID_INPUT: the URL holds a user name or password.",
        "URL_NOT_HTTPS": "INVALID_INPUT: the URL is not https://.",
        "VOLUNTEER_NOT_ELIGIBLE": "INVALID_INPUT: a volunteer picked for an offer is not vetted and active.",
        "INVALID_ID": "INVALID_INPUT: not a global ID of the expected kind (top-level errors of "
        "queries; a mutation answers NOT_FOUND for an ID it cannot use).",
        "INVALID_CURSOR": "INVALID_INPUT: `after` is not a cursor this connection gave out.",
        "SIGN_IN_REQUIRED": "UNAUTHENTICATED: no valid token was sent.",
        "TOKEN_NO_LONGER_VALID": "UNAUTHENTICATED: the token was revoked or expired.",
        "ACCOUNT_DEACTIVATED": "UNAUTHENTICATED: the account was deactivated.",
        "ROLE_NOT_ALLOWED": "FORBIDDEN: the viewer's role may not do this. Params: roles (those that may).",
        "NOT_FOUND": "NOT_FOUND: no such object, or not the viewer's to see. Params: type (e.g. "
        "SupportRequest).",
        "LINK_INVALID": "NOT_FOUND: a one-click answer link that is not valid.",
        "NOT_ALLOWED_IN_STATUS": "CONFLICT: the object's status does not allow this (e.g. cancelling "
        "a completed request). Params: status (e.g. COMPLETED).",
        "OFFER_EXPIRED": "CONFLICT: the offer expired before an answer.",
        "OFFER_WITHDRAWN": "CONFLICT: the offer was withdrawn (another volunteer accepted first, the "
        "request ended, or staff withdrew it).",
        "OFFER_ALREADY_ANSWERED": "CONFLICT: the offer was already answered. Params: status "
        "(ACCEPTED or DECLINED).",
        "NOT_VETTED": "CONFLICT: only vetted volunteers can accept offers.",
        "AT_CAPACITY": "CONFLICT: the volunteer already helps with as many requests as their "
        "maxActiveRequests. Params: limit.",
        "ALREADY_OFFERED": "CONFLICT: every volunteer picked already had an offer for the request.",
        "ALREADY_COMPLETED": "CONFLICT: the viewer already marked the request as done.",
        "ALREADY_DEACTIVATED": "CONFLICT: the account is already deactivated.",
        "ALREADY_ERASED": "CONFLICT: the resident's data is already erased.",
        "NAME_TAKEN": "CONFLICT: the name is already taken (staff accounts). Params: name.",
        "OWN_ACCOUNT": "CONFLICT: the viewer cannot do this to their own account.",
        "RATE_LIMITED": "RATE_LIMITED: too many of these operations. Params: seconds (as "
        "retryAfterSeconds), limit, windowSeconds, per (address, account or resident).",
        "SERVICE_UNAVAILABLE": "SERVICE_UNAVAILABLE: the database did not answer in time; nothing "
        "was changed. Params: seconds (as retryAfterSeconds).",
    },
)
Role = RoleEnum
SupportField = SupportFieldEnum
Urgency = UrgencyEnum
ErrorCode = ErrorCodeEnum
ErrorReason = ErrorReasonEnum


_domain_enum(
    RequestStatusEnum,
    "RequestStatus",
    "Where a support request is in its life, from submission to an end.",
    {
        "RECEIVED": "Stored; triage not finished yet.",
        "IN_REVIEW": "Triaged; waiting for staff to approve or correct the triage.",
        "ESCALATED": "Triaged as EMERGENCY: the resident got emergency advice at once and staff "
        "were alerted.",
        "OPEN": "Approved; offers are going out to volunteers.",
        "MATCHED": "A volunteer accepted.",
        "COMPLETED": "The resident or the matched volunteer marked the help as done.",
        "CANCELLED": "Cancelled by the resident.",
        "CLOSED": "Closed by staff: out of scope, duplicate, referred elsewhere.",
    },
)

_domain_enum(
    OfferStatusEnum,
    "OfferStatus",
    "Where an offer to one volunteer stands.",
    {
        "PENDING": "Waiting for the volunteer's answer until expiresAt.",
        "ACCEPTED": "The volunteer accepted first: the request is MATCHED with them.",
        "DECLINED": "The volunteer declined; the next candidate gets an offer.",
        "EXPIRED": "Nobody answered before expiresAt; the next candidate gets an offer.",
        "WITHDRAWN": "Another volunteer accepted first, the resident cancelled, or staff withdrew "
        "it (un-vetting a volunteer withdraws their pending offers).",
    },
)

_domain_enum(
    EventKindEnum,
    "RequestEventKind",
    "What happened to a support request (RequestEvent.kind).",
    {
        "RECEIVED": "The resident submitted it; it is stored.",
        "TRIAGED": "The triage finished; the request waits for staff review (IN_REVIEW).",
        "ESCALATED": "The triage found an emergency: emergency advice went to the resident and "
        "staff were alerted.",
        "REVIEWED": "Staff approved or closed the triage (a CLOSED event follows a close).",
        "OFFERED": "An offer went out to a volunteer.",
        "OFFER_DECLINED": "A volunteer declined an offer; the next candidate gets one.",
        "OFFER_EXPIRED": "An offer ran out of time; the next candidate gets one.",
        "OFFER_WITHDRAWN": "A pending offer was withdrawn because its volunteer may no longer "
        "help (staff un-vetted them); the next candidate gets one.",
        "RETURNED_TO_REVIEW": "No volunteer candidate was left: back in the staff queue.",
        "MATCHED": "A volunteer accepted an offer.",
        "COMPLETED": "One side marked the help as done.",
        "CANCELLED": "The resident cancelled it.",
        "CLOSED": "Staff closed it.",
    },
)
RequestStatus = RequestStatusEnum
OfferStatus = OfferStatusEnum
RequestEventKind = EventKindEnum


@strawberry.interface(description="An object with a global ID, readable with Query.node.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Global ID: opaque, stable, unique across types. Pass it back as it is."
    )


@strawberry.type(description="One parameter of a UserError: a value its message names.")
class ErrorParam:
    name: str = strawberry.field(description="The parameter's name, as ErrorReason lists it (e.g. `limit`).")
    value: str = strawberry.field(description="Its value, as text (numbers in decimal).")


@strawberry.type(
    description="Why a mutation refused its input. Nothing was changed when a payload has errors."
)
class UserError:
    record: strawberry.Private[UserErrorRecord]

    @strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "text"]; empty when not tied to one.'
    )
    def path(self) -> list[str]:
        return list(self.record.path)

    @strawberry.field(
        description="What went wrong, for a person to read, in the viewer's language: their "
        "notificationLanguage, else the first of their languages with messages, else the request's "
        "Accept-Language, else English (see messageLanguage). For a program: `reason`."
    )
    async def message(self, info: Info[Context, None]) -> str:
        return await error_resolvers.message(info.context, self.record)

    @strawberry.field(description="The class of the error, for a client to act on.")
    def code(self) -> ErrorCode:
        return self.record.code

    @strawberry.field(
        description="RATE_LIMITED: seconds until the same operation would be allowed again; "
        "SERVICE_UNAVAILABLE: seconds to wait before retrying (also sent as the Retry-After header)."
    )
    def retry_after_seconds(self) -> int | None:
        return self.record.retry_after_seconds

    @strawberry.field(description="The exact reason, within `code`: what to tell the person or fix.")
    def reason(self) -> ErrorReason:
        return self.record.reason

    @strawberry.field(
        description="TOO_LONG (characters), TOO_MANY (items), AT_CAPACITY (requests): the limit that "
        "was crossed; null for other reasons."
    )
    def limit(self) -> int | None:
        return self.record.limit

    @strawberry.field(description="The values `message` names, as ErrorReason lists them for each reason.")
    def params(self) -> list[ErrorParam]:
        return [ErrorParam(name=k, value=str(v)) for k, v in self.record.params.items()]

    @strawberry.field(
        description="The locale `message` is written in: one of notificationLanguage's locales "
        "(e.g. vi, zh-Hant, ja-easy, en)."
    )
    async def message_language(self, info: Info[Context, None]) -> str:
        return await error_resolvers.error_locale(info.context, self.record)

    @classmethod
    def from_record(cls, error: UserErrorRecord) -> UserError:
        return cls(record=error)


@strawberry.type(description="Where a page of a connection starts and ends (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow after endCursor.")
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor: pass it as `after` for the next page. Null on an empty page."
    )
    has_previous_page: bool = strawberry.field(
        default=False,
        description="Items come before startCursor: when paging backward (`last`), whether more "
        "precede this page; when paging forward, whether the page started after a cursor.",
    )
    start_cursor: str | None = strawberry.field(
        default=None,
        description="The first edge's cursor: pass it as `before` (with `last`) for the page "
        "before. Null on an empty page.",
    )

    @classmethod
    def of(cls, page: Page[Any]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            end_cursor=page.end_cursor,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
        )


@strawberry.type
class CursorEdge:
    """What every edge type has before its node (not itself in the schema)."""

    cursor: str = strawberry.field(description="Opaque position of this edge: pass it as `after`.")


def connection_of(
    connection: Callable[..., _Connection], page: Page[_Item], edge: Callable[[str, _Item], Any]
) -> _Connection:
    """A Relay connection type filled from a page: each item with its cursor made an edge by `edge`."""
    return connection(
        edges=[edge(cursor, item) for cursor, item in page.items],
        page_info=PageInfo.of(page),
        total_count=page.total_count,
    )


@strawberry.type(
    description="A foreign resident who asks for help. Readable by staff, the resident, and "
    "volunteers matched with them."
)
class Resident(Node):
    record: strawberry.Private[ResidentRecord]
    display_name: str = strawberry.field(description="The name the resident chose to be called by.")
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

    @strawberry.field(
        description="The resident's requests, newest first: for staff and the resident; others "
        "get an empty page."
    )
    async def requests(
        self,
        info: Info[Context, None],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        last: LastArg = None,
        before: BeforeArg = None,
    ) -> SupportRequestConnection:
        paging = Paging(first, after, last, before)
        page = await request_resolvers.resident_requests(info.context, self.record, paging)
        return SupportRequestConnection.from_page(page)

    @strawberry.field(description="Private: staff, and the volunteer matched with this resident.")
    async def contact(self, info: Info[Context, None]) -> str | None:
        return await people_resolvers.resident_contact(info.context, self.record)

    @strawberry.field(description="How this resident hears from the service: themself and staff only.")
    async def notification_settings(
        self, info: Info[Context, None]
    ) -> Annotated[NotificationSettings, strawberry.lazy("schema.notifications")] | None:
        from schema.notifications import NotificationSettings

        found = await notification_resolvers.settings_of(info.context, self.record.account_id)
        return NotificationSettings.from_record(found) if found else None


@strawberry.type(
    description="A neighbour who helps. Readable by staff, the volunteer, and residents matched with them."
)
class Volunteer(Node):
    record: strawberry.Private[VolunteerRecord]
    display_name: str = strawberry.field(description="The name the volunteer chose to be called by.")
    languages: list[str] = strawberry.field(
        description="ISO 639-1 codes the volunteer can help in (Japanese is assumed)."
    )
    skills: str = strawberry.field(description="Free text: what the volunteer can do, in any language.")
    fields: list[SupportField] = strawberry.field(description="The support fields they help in.")
    area: str = strawberry.field(description='Ward or city where they help in person, e.g. "Meguro".')
    availability: str = strawberry.field(
        description='Free text or slots such as "weekday evenings", "Sat AM".'
    )
    remote_ok: bool = strawberry.field(description="Helps by phone or video, not only in person.")
    max_active_requests: int = strawberry.field(
        description="How many matched requests at once they take on (1 to 20); no offers beyond it."
    )
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

    @strawberry.field(
        description="Offers made to this volunteer, newest first: for staff and the volunteer "
        "themself; others get an empty page."
    )
    async def offers_connection(
        self,
        info: Info[Context, None],
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
        page = await people_resolvers.volunteer_offers(info.context, self.record.id, statuses, paging)
        return OfferConnection.from_page(page)

    @strawberry.field(description="How this volunteer hears from the service: themself and staff only.")
    async def notification_settings(
        self, info: Info[Context, None]
    ) -> Annotated[NotificationSettings, strawberry.lazy("schema.notifications")] | None:
        from schema.notifications import NotificationSettings

        found = await notification_resolvers.settings_of(info.context, self.record.account_id)
        return NotificationSettings.from_record(found) if found else None


@strawberry.type(description="The signed-in account (Query.viewer).")
class Viewer:
    role: Role = strawberry.field(description="What the account is.")
    resident: Resident | None = strawberry.field(description="The resident profile; null unless RESIDENT.")
    volunteer: Volunteer | None = strawberry.field(
        description="The volunteer profile; null unless VOLUNTEER."
    )
    staff_member_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The viewer's StaffMember ID, as audit entries name staff and deactivateAccount "
        "takes it; null unless STAFF.",
    )


@strawberry.type(description="How strongly the triage leans to one support field.")
class FieldScore:
    field: SupportField = strawberry.field(description="The support field scored.")
    score: float = strawberry.field(description="0..1; the scores of one triage add up to 1.")


@strawberry.type(description="What the AI triage made of a request's text; staff review it.")
class Triage:
    language: str = strawberry.field(
        description='Detected language, ISO 639-1 ("zh" for either script), "und" when none can be told.'
    )
    language_confidence: float = strawberry.field(description="0..1: how sure the language detection is.")
    field: SupportField = strawberry.field(description="The most likely support field.")
    field_scores: list[FieldScore] = strawberry.field(description="One score per field, highest first.")
    urgency: Urgency = strawberry.field(
        description=(
            "The triaged urgency; an emergency cue in the text forces EMERGENCY, unless the model finds "
            "the text far from any emergency (its signals then say the cue is unlikely to be happening now)."
        )
    )
    urgency_score: float = strawberry.field(description="0..1: how sure the triage is of the urgency.")
    confidence: float = strawberry.field(
        description="0..1: how sure the triage is of its field and urgency together."
    )
    signals: list[str] = strawberry.field(
        description='Human-readable reasons, e.g. "mentions: seizure", "close to examples of: child '
        'fever tonight (MEDICAL/HIGH, cosine 0.91)", "unsure: WELFARE or OTHER". Made only of the '
        "project's own words (cue names, curated example topics, labels): never another request's text."
    )
    model: str = strawberry.field(description="Model and triage version that produced this.")
    created_at: datetime = strawberry.field(description="When the triage finished.")
    emergency_probability: float = strawberry.field(
        description="0..1: the calibrated probability that this is an EMERGENCY, emergency cues "
        "included. The review queue is sorted by it within each urgency, so a likely emergency the "
        "triage did not call one still comes first. Triages stored before it existed carry a lower "
        "bound derived from their urgency score."
    )

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
            emergency_probability=t.emergency_probability,
        )


@strawberry.type(description="Staff's decision on a triage: the labels the request goes on with.")
class Review:
    record: strawberry.Private[ReviewRecord]
    field: SupportField = strawberry.field(description="The field staff settled on.")
    urgency: Urgency = strawberry.field(description="The urgency staff settled on.")
    agreed_with_triage: bool = strawberry.field(
        description="True when staff kept both the triage's field and urgency."
    )
    decided_at: datetime = strawberry.field(description="When staff decided.")

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


@strawberry.type(description="A number to call in an emergency.")
class EmergencyNumber:
    number: str = strawberry.field(description='What to dial, e.g. "119", "110", "#7119".')
    label: str = strawberry.field(
        description="What it is for, in the resident's language where the service has a translation."
    )


@strawberry.type(description="Given at once when the triage finds an emergency: what to do and whom to call.")
class EmergencyAdvice:
    message: str = strawberry.field(
        description="In the resident's language where the service has a translation, "
        "else English and easy Japanese."
    )
    numbers: list[EmergencyNumber] = strawberry.field(description="The numbers to call.")


@strawberry.type(description="The parts of a candidate's score, each 0..1 (higher is better).")
class MatchBreakdown:
    skill: float = strawberry.field(
        description="How close the volunteer's skills are to the request's text (embedding cosine, rescaled)."
    )
    language: float = strawberry.field(
        description="1: speaks the detected language; 0.8: one the resident listed; 0.5: English as a bridge."
    )
    area: float = strawberry.field(
        description="Nearness of the volunteer's ward or city to the request's; remote helpers score "
        "well on tasks that can be done remotely."
    )
    availability: float = strawberry.field(
        description="Share of the request's preferred time slots the volunteer covers (neutral when "
        "either cannot be read as slots)."
    )
    load: float = strawberry.field(
        description="Lower when the volunteer already carries many active requests."
    )


@strawberry.type(description="Staff only: a volunteer ranked for a request (SupportRequest.candidates).")
class MatchCandidate:
    volunteer: Volunteer = strawberry.field(description="The ranked volunteer.")
    score: float = strawberry.field(
        description="The weighted sum of the breakdown; candidates come in this order."
    )
    breakdown: MatchBreakdown = strawberry.field(description="What the score is made of.")


@strawberry.type(
    description="A request offered to one volunteer, who accepts or declines it. Readable by staff, "
    "its volunteer and the request's resident."
)
class Offer(Node):
    record: strawberry.Private[OfferRecord]
    status: OfferStatus = strawberry.field(description="Where the offer stands.")
    created_at: datetime = strawberry.field(description="When the offer went out.")
    expires_at: datetime = strawberry.field(
        description="When a PENDING offer expires; its lifetime follows the request's urgency."
    )
    responded_at: datetime | None = strawberry.field(
        description="When the offer left PENDING (accepted, declined, expired or withdrawn); null before."
    )
    event_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="On offerReceived only: the id of the OFFERED event that delivered this offer; "
        "pass the last one received as offerReceived(after:) to resume after a reconnection. "
        "Null elsewhere.",
    )

    @classmethod
    def from_record(cls, o: OfferRecord, event_id: int | None = None) -> Offer:
        return cls(
            record=o,
            id=strawberry.ID(to_global_id("Offer", o.id)),
            status=OfferStatus(o.status),
            created_at=o.created_at,
            expires_at=o.expires_at,
            responded_at=o.responded_at,
            event_id=strawberry.ID(event_id_text(event_id)) if event_id is not None else None,
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

    @strawberry.field(description="The volunteer the offer was made to.")
    async def volunteer(self, info: Info[Context, None]) -> Volunteer:
        return Volunteer.from_record(await people_resolvers.volunteer(info.context, self.record.volunteer_id))


@strawberry.type(
    description="A resident's request for help, in their own words, with its triage, review and "
    "offers. Readable by the resident, staff, the matched volunteer and volunteers holding a live "
    "offer for it."
)
class SupportRequest(Node):
    record: strawberry.Private[RequestRecord]
    text: str = strawberry.field(
        description="Visible to the resident, staff, volunteers holding a live offer for it (PENDING, "
        "before its expiry time), and the matched volunteer until the request is cancelled."
    )
    area: str = strawberry.field(description="Ward or city where help is needed.")
    status: RequestStatus = strawberry.field(description="Where the request is now.")
    triage: Triage | None = strawberry.field(description="The AI triage; null until it has finished.")
    review: Review | None = strawberry.field(description="Staff's review of the triage; null until reviewed.")
    field: SupportField | None = strawberry.field(
        description="The review's field when there is one, else the triage's."
    )
    urgency: Urgency | None = strawberry.field(
        description="The review's urgency when there is one, else the triage's; null before triage."
    )
    emergency_advice: EmergencyAdvice | None = strawberry.field(
        description="Set when the triage found an emergency (status ESCALATED); null otherwise."
    )
    preferred_times: str | None = strawberry.field(
        description="When the resident can meet or talk, as they wrote it; null when not given."
    )
    created_at: datetime = strawberry.field(description="When the resident submitted it.")
    updated_at: datetime = strawberry.field(description="When anything about it last changed.")

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

    @strawberry.field(
        extensions=allow(Role.STAFF),
        description="Staff only: ranked volunteers for this request, best first; empty before triage.",
    )
    async def candidates(
        self,
        info: Info[Context, None],
        first: Annotated[
            int | None, strawberry.argument(description=f"How many, 1 to {MAX_PAGE} (default 10).")
        ] = 10,
    ) -> list[MatchCandidate]:
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
        extensions=allow(Role.STAFF),
        description="Staff only: requests reviewed earlier whose texts were nearest to this one "
        "when it was triaged, nearest first (at most 5 were kept). Reviewed texts reach the triage "
        "only as these links: its signals never quote them.",
    )
    async def similar_reviewed_requests(
        self,
        info: Info[Context, None],
        first: Annotated[
            int | None, strawberry.argument(description=f"How many, 1 to {MAX_PAGE} (default 5).")
        ] = 5,
    ) -> list[SupportRequest]:
        found = await request_resolvers.similar_reviewed_requests(info.context, self.record, first)
        return [SupportRequest.from_record(r) for r in found]

    @strawberry.field(
        description="Offers made for this request, oldest first: all of them for staff and the "
        "resident; a volunteer sees only their own."
    )
    async def offers(self, info: Info[Context, None]) -> list[Offer]:
        return [Offer.from_record(o) for o in await request_resolvers.offers(info.context, self.record)]

    @strawberry.field(
        description="The offers of `offers` a page at a time, oldest first: all of them for staff "
        "and the resident; a volunteer sees only their own."
    )
    async def offers_connection(
        self,
        info: Info[Context, None],
        first: FirstArg = DEFAULT_PAGE,
        after: AfterArg = None,
        last: LastArg = None,
        before: BeforeArg = None,
    ) -> OfferConnection:
        paging = Paging(first, after, last, before)
        return OfferConnection.from_page(
            await request_resolvers.offers_page(info.context, self.record, paging)
        )

    @strawberry.field(
        extensions=allow(Role.STAFF),
        description="Staff only: the request's timeline, every event written for it, oldest first "
        f"(at most {TIMELINE_LIMIT}).",
    )
    async def events(self, info: Info[Context, None]) -> list[RequestEvent]:
        found = await request_resolvers.events(info.context, self.record)
        return [
            RequestEvent(
                event_id=strawberry.ID(event_id_text(e.id)),
                kind=RequestEventKind(e.kind),
                request=self,
                at=e.created_at,
                offer_id=e.offer_id,
            )
            for e in found
        ]

    @strawberry.field(
        description="The newest event of this request that this read already reflects: pass it as "
        "requestUpdated(after:) to get every later change, none missed between this read and the "
        "subscription. Null on a redacted request (or one with no event yet)."
    )
    async def last_event_id(self, info: Info[Context, None]) -> strawberry.ID | None:
        found = await request_resolvers.last_event_id(info.context, self.record)
        return strawberry.ID(event_id_text(found)) if found is not None else None

    @strawberry.field(
        description="The volunteer who accepted (MATCHED, COMPLETED); null before, and on a redacted request."
    )
    async def assigned_volunteer(self, info: Info[Context, None]) -> Volunteer | None:
        if self.record.assigned_volunteer_id is None:
            return None
        return Volunteer.from_record(
            await people_resolvers.volunteer(info.context, self.record.assigned_volunteer_id)
        )

    @strawberry.field(
        description="The resident or the matched volunteer: whether the viewer's side has completed "
        "it (completeRequest; each side completes once). Null for anyone else."
    )
    async def viewer_completed(self, info: Info[Context, None]) -> bool | None:
        if self.record.redacted:
            return None
        return await request_resolvers.viewer_completed(info.context, self.record)

    @strawberry.field(
        description="The resident who asked (their contact stays private). Null on a redacted "
        "request (see Offer.request)."
    )
    async def resident(self, info: Info[Context, None]) -> Resident | None:
        if self.record.redacted:
            return None
        return Resident.from_record(await people_resolvers.resident(info.context, self.record.resident_id))

    @strawberry.field(
        description="Staff only: why the request came back to the review queue, if it did. Others read null."
    )
    def needs_attention(self, info: Info[Context, None]) -> str | None:
        viewer = info.context.viewer
        return self.record.needs_attention if viewer is not None and viewer.is_staff else None


@strawberry.type(description="One support request in a page, with its cursor.")
class SupportRequestEdge(CursorEdge):
    node: SupportRequest = strawberry.field(description="The request.")


@strawberry.type(description="A page of support requests (Relay cursor connection).")
class SupportRequestConnection:
    edges: list[SupportRequestEdge] = strawberry.field(description="The requests of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page ends.")
    total_count: int = strawberry.field(description="How many requests match, over every page.")

    @classmethod
    def from_page(cls, page: request_resolvers.Page[RequestRecord]) -> SupportRequestConnection:
        return connection_of(
            cls, page, lambda cursor, r: SupportRequestEdge(cursor=cursor, node=SupportRequest.from_record(r))
        )


@strawberry.type(description="One volunteer in a page, with its cursor.")
class VolunteerEdge(CursorEdge):
    node: Volunteer = strawberry.field(description="The volunteer.")


@strawberry.type(description="A page of volunteers (Relay cursor connection).")
class VolunteerConnection:
    edges: list[VolunteerEdge] = strawberry.field(description="The volunteers of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page ends.")
    total_count: int = strawberry.field(description="How many volunteers match, over every page.")

    @classmethod
    def from_page(cls, page: request_resolvers.Page[VolunteerRecord]) -> VolunteerConnection:
        return connection_of(
            cls, page, lambda cursor, v: VolunteerEdge(cursor=cursor, node=Volunteer.from_record(v))
        )


@strawberry.type(description="One offer in a page, with its cursor.")
class OfferEdge(CursorEdge):
    node: Offer = strawberry.field(description="The offer.")


@strawberry.type(description="A page of offers (Relay cursor connection).")
class OfferConnection:
    edges: list[OfferEdge] = strawberry.field(description="The offers of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Where this page starts and ends.")
    total_count: int = strawberry.field(description="How many offers match, over every page.")

    @classmethod
    def from_page(cls, page: Page[OfferRecord]) -> OfferConnection:
        return connection_of(cls, page, lambda cursor, o: OfferEdge(cursor=cursor, node=Offer.from_record(o)))


@strawberry.type(description="How many requests are in one status.")
class StatusCount:
    status: RequestStatus = strawberry.field(description="The status counted.")
    count: int = strawberry.field(description="Requests in it now.")


@strawberry.type(description="Staff only: figures on the service (Query.stats).")
class Stats:
    requests_by_status: list[StatusCount] = strawberry.field(
        description="Every status with its count now, zeros included."
    )
    median_seconds_to_triage: float | None = strawberry.field(
        description="Median seconds from submission to triage, over the last 7 days."
    )
    median_seconds_to_match: float | None = strawberry.field(
        description="Median seconds from approval to a volunteer's acceptance, over the last 7 days."
    )
    triage_agreement: float | None = strawberry.field(
        description="Share of reviewed requests where staff kept the triage's field and urgency."
    )
    offer_acceptance_rate: float | None = strawberry.field(
        description="Accepted offers among accepted, declined and expired ones (withdrawn ones left out); "
        "null without any."
    )

    @strawberry.field(
        extensions=allow(Role.STAFF),
        description="Staff only: the dashboard's series over the last `days` whole days (Tokyo), 1 to 366.",
    )
    async def dashboard(
        self,
        info: Info[Context, None],
        days: Annotated[
            int, strawberry.argument(description="Window length in whole Tokyo days, 1 to 366, ending today.")
        ] = 30,
    ) -> Annotated[Dashboard, strawberry.lazy("schema.dashboard")]:
        from schema.dashboard import Dashboard

        since = await dashboard_resolvers.window_start(info.context, days)
        return Dashboard(days=days, since=since)


@strawberry.type(
    description="A resident and a volunteer who both asked to go on as neighbours (the 6-month "
    "programme) after a completed request. Readable by staff and the two of them."
)
class LongTermPair(Node):
    record: strawberry.Private[LongTermPairRecord]
    created_at: datetime = strawberry.field(description="When the second side asked for it.")

    @classmethod
    def from_record(cls, p: LongTermPairRecord) -> LongTermPair:
        return cls(record=p, id=strawberry.ID(to_global_id("LongTermPair", p.id)), created_at=p.created_at)

    @strawberry.field(description="The resident of the pair.")
    async def resident(self, info: Info[Context, None]) -> Resident:
        return Resident.from_record(await people_resolvers.resident(info.context, self.record.resident_id))

    @strawberry.field(description="The volunteer of the pair.")
    async def volunteer(self, info: Info[Context, None]) -> Volunteer:
        return Volunteer.from_record(await people_resolvers.volunteer(info.context, self.record.volunteer_id))

    @strawberry.field(description="The request that led to it.")
    async def request(self, info: Info[Context, None]) -> SupportRequest:
        return SupportRequest.from_record(
            await request_resolvers.request_by_pk(info.context, self.record.request_id)
        )


@strawberry.type(description="One thing that happened to a support request.")
class RequestEvent:
    event_id: strawberry.ID = strawberry.field(
        description="This event's id: ids increase in the order events are written. Pass the last "
        "one received as `after` to resume a subscription after a reconnection."
    )
    kind: RequestEventKind = strawberry.field(description="What happened.")
    request: SupportRequest = strawberry.field(
        description="The request as it is after the event (redacted for a volunteer whose access ended)."
    )
    at: datetime = strawberry.field(description="When it happened.")
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
