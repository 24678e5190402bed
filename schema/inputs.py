"""GraphQL input types, as the contract names them."""

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.types import SupportField, Urgency

# Shown to other people, so one line of visible text (no control or invisible characters, no
# look-alike letters mixed in one word); compared after Unicode NFKC normalisation.
NAME = "The name to be called by: 1 to 100 characters, one line."
AREA = 'Ward or city, e.g. "Meguro", "Kawasaki": 1 to 100 characters, one line.'
RESIDENT_LANGUAGES = 'Languages, ISO 639-1 codes, preferred first (e.g. ["vi", "ja"]): 1 to 10.'
VOLUNTEER_LANGUAGES = "Languages the volunteer can help in, ISO 639-1 codes: 1 to 20 (Japanese is assumed)."
SKILLS = "What the volunteer can do, free text in any language: 1 to 2000 characters."
FIELDS = "The support fields the volunteer helps in: at least one."
AVAILABILITY = 'When the volunteer can help, e.g. "weekday evenings", "Sat AM": up to 500 characters.'
REMOTE_OK = "Helps by phone or video too, not only in person."
MAX_ACTIVE = "How many matched requests at once, 1 to 20."

if TYPE_CHECKING:
    from schema.notifications import NotificationKind

# Notification settings, on registration and profile updates (service/notifications/preferences.py).
NotificationKinds = Annotated["NotificationKind", strawberry.lazy("schema.notifications")]
_EMAIL = "Where notification emails go (optional: a contact that is an email address is used otherwise)."
_OPT_OUTS = "Kinds of notification this person gets no email for."
_LANGUAGE = (
    "The language of emails, one of ja, ja-easy, en, zh-Hans, zh-Hant, vi, ko, tl, ne, pt, id, my, th, "
    "si, es (default: volunteers ja, residents their first language)."
)


@strawberry.input(description="A new resident account.")
class RegisterResidentInput:
    display_name: str = strawberry.field(description=NAME)
    languages: list[str] = strawberry.field(description=RESIDENT_LANGUAGES)
    area: str = strawberry.field(description=AREA)
    contact: str = strawberry.field(
        description="Private: shown only to staff and to the matched volunteer. "
        "1 to 500 characters, one line."
    )
    email: str | None = strawberry.field(default=None, description=_EMAIL)
    notification_opt_outs: list[NotificationKinds] | None = strawberry.field(
        default=None, description=_OPT_OUTS
    )
    notification_language: str | None = strawberry.field(default=None, description=_LANGUAGE)


@strawberry.input(description="A new volunteer account; staff vet it before offers reach it.")
class RegisterVolunteerInput:
    display_name: str = strawberry.field(description=NAME)
    languages: list[str] = strawberry.field(description=VOLUNTEER_LANGUAGES)
    skills: str = strawberry.field(description=SKILLS)
    fields: list[SupportField] = strawberry.field(description=FIELDS)
    area: str = strawberry.field(description=AREA)
    availability: str = strawberry.field(description=AVAILABILITY)
    remote_ok: bool = strawberry.field(default=False, description=REMOTE_OK)
    max_active_requests: int = strawberry.field(default=2, description=MAX_ACTIVE)
    contact: str = strawberry.field(
        description="Private: shown only to staff and to residents matched with the volunteer. "
        "1 to 500 characters, one line."
    )
    email: str | None = strawberry.field(default=None, description=_EMAIL)
    notification_opt_outs: list[NotificationKinds] | None = strawberry.field(
        default=None, description=_OPT_OUTS
    )
    notification_language: str | None = strawberry.field(default=None, description=_LANGUAGE)


@strawberry.input(description="Changes to the viewer's volunteer profile: null or absent fields stay.")
class UpdateVolunteerInput:
    languages: list[str] | None = strawberry.field(default=None, description=VOLUNTEER_LANGUAGES)
    skills: str | None = strawberry.field(default=None, description=SKILLS)
    fields: list[SupportField] | None = strawberry.field(default=None, description=FIELDS)
    area: str | None = strawberry.field(default=None, description=AREA)
    availability: str | None = strawberry.field(default=None, description=AVAILABILITY)
    remote_ok: bool | None = strawberry.field(default=None, description=REMOTE_OK)
    max_active_requests: int | None = strawberry.field(default=None, description=MAX_ACTIVE)
    active: bool | None = strawberry.field(
        default=None, description="False pauses new offers (the volunteer's own switch); true resumes them."
    )
    email: str | None = strawberry.field(default=None, description=_EMAIL + ' "" removes it.')
    notification_opt_outs: list[NotificationKinds] | None = strawberry.field(
        default=None, description=_OPT_OUTS + " Replaces the list."
    )
    notification_language: str | None = strawberry.field(default=None, description=_LANGUAGE)


@strawberry.input(description="A resident's request for help.")
class SubmitRequestInput:
    text: str = strawberry.field(
        description="The problem in the resident's own words, any language; 1 to 4000 characters."
    )
    area: str | None = strawberry.field(
        default=None,
        description="Ward or city where help is needed, up to 100 characters; "
        "defaults to the resident's area.",
    )
    preferred_times: str | None = strawberry.field(
        default=None, description="Optional: when the resident can meet or talk, up to 500 characters."
    )


@strawberry.enum(description="What staff decide on a triaged request.")
class ReviewDecision(Enum):
    APPROVE = strawberry.enum_value(
        "APPROVE", description="Go ahead: the request becomes OPEN and offers go out."
    )
    CLOSE = strawberry.enum_value(
        "CLOSE", description="Out of scope, duplicate or referred elsewhere: the request becomes CLOSED."
    )


@strawberry.input(description="Staff's decision on a triaged request.")
class ReviewTriageInput:
    request_id: strawberry.ID = strawberry.field(description="The request's global ID.")
    decision: ReviewDecision = strawberry.field(
        description="APPROVE sends the request to matching with the given (or triaged) field and "
        "urgency; CLOSE closes it."
    )
    field: SupportField | None = strawberry.field(
        default=None, description="The corrected field; null keeps the triage's."
    )
    urgency: Urgency | None = strawberry.field(
        default=None, description="The corrected urgency; null keeps the triage's."
    )
    note: str | None = strawberry.field(
        default=None, description="A note on the decision, up to 2000 characters; only staff read it."
    )


@strawberry.input(description="The end of a matched request, from the resident's or the volunteer's side.")
class CompleteRequestInput:
    request_id: strawberry.ID = strawberry.field(description="The request's global ID.")
    rating: int | None = strawberry.field(default=None, description="1..5, from whichever side calls.")
    comment: str | None = strawberry.field(
        default=None, description="Optional: how it went, up to 2000 characters."
    )
    wants_long_term_pair: bool | None = strawberry.field(
        default=False,
        description="This side wants to continue as a long-term pair (6-month neighbour programme).",
    )
