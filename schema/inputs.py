"""GraphQL input types, as the contract names them."""

from enum import Enum

import strawberry

from schema.types import SupportField, Urgency


@strawberry.input
class RegisterResidentInput:
    display_name: str
    languages: list[str]
    area: str
    contact: str = strawberry.field(description="Private: shown only to staff and to the matched volunteer.")


@strawberry.input
class RegisterVolunteerInput:
    display_name: str
    languages: list[str]
    skills: str
    fields: list[SupportField]
    area: str
    availability: str
    remote_ok: bool = False
    max_active_requests: int = 2
    contact: str


@strawberry.input
class UpdateVolunteerInput:
    languages: list[str] | None = None
    skills: str | None = None
    fields: list[SupportField] | None = None
    area: str | None = None
    availability: str | None = None
    remote_ok: bool | None = None
    max_active_requests: int | None = None
    active: bool | None = None


@strawberry.input
class SubmitRequestInput:
    text: str = strawberry.field(
        description="The problem in the resident's own words, any language; 1 to 4000 characters."
    )
    area: str | None = strawberry.field(default=None, description="Defaults to the resident's area.")
    preferred_times: str | None = strawberry.field(
        default=None, description="Optional: when the resident can meet or talk."
    )


@strawberry.enum
class ReviewDecision(Enum):
    APPROVE = "APPROVE"
    CLOSE = "CLOSE"


@strawberry.input
class ReviewTriageInput:
    request_id: strawberry.ID
    decision: ReviewDecision = strawberry.field(
        description="APPROVE sends the request to matching with the given (or triaged) field and "
        "urgency; CLOSE closes it."
    )
    field: SupportField | None = None
    urgency: Urgency | None = None
    note: str | None = None


@strawberry.input
class CompleteRequestInput:
    request_id: strawberry.ID
    rating: int | None = strawberry.field(default=None, description="1..5, from whichever side calls.")
    comment: str | None = None
    wants_long_term_pair: bool | None = strawberry.field(
        default=False,
        description="This side wants to continue as a long-term pair (6-month neighbour programme).",
    )
