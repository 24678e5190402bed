"""GraphQL types of notifications: settings of a person, the staff view of the outbox, webhook
endpoints, and the one-click answer links. Records in, no I/O."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from schema.types import OfferStatus, SupportField, Urgency, UserError
from service.ids import to_global_id
from service.notifications.answers import AnswerView
from service.notifications.preferences import Settings as SettingsRecord
from service.notifications.staff import NotificationRecord, WebhookEndpointRecord


@strawberry.enum(description="What a notification (email or webhook delivery) is about.")
class NotificationKind(Enum):
    OFFER_SENT = strawberry.enum_value("OFFER_SENT", description="To a volunteer: an offer was made to them.")
    OFFER_EXPIRING = strawberry.enum_value(
        "OFFER_EXPIRING",
        description="To a volunteer: their pending offer is in the last quarter of its life "
        "(at most its last hour).",
    )
    REQUEST_TRIAGED = strawberry.enum_value(
        "REQUEST_TRIAGED", description="To the resident: their request was received and triaged."
    )
    REQUEST_MATCHED = strawberry.enum_value(
        "REQUEST_MATCHED", description="To the resident: a volunteer accepted their request."
    )
    EMERGENCY_RECEIVED = strawberry.enum_value(
        "EMERGENCY_RECEIVED", description="To staff: an EMERGENCY request arrived (staff alert)."
    )
    RETURNED_TO_STAFF = strawberry.enum_value(
        "RETURNED_TO_STAFF",
        description="To staff: a request came back because no volunteer candidate is left.",
    )
    LONG_TERM_PAIR = strawberry.enum_value(
        "LONG_TERM_PAIR", description="To both sides: they became a six-month long-term pair."
    )


@strawberry.enum(description="How a notification travels.")
class NotificationChannel(Enum):
    EMAIL = strawberry.enum_value("EMAIL", description="Email over SMTP.")
    WEBHOOK = strawberry.enum_value("WEBHOOK", description="A signed POST to a staff-registered endpoint.")


@strawberry.enum(description="Where a notification is in the outbox.")
class NotificationStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description="Waiting to be sent, or to be tried again.")
    SENT = strawberry.enum_value("SENT", description="Accepted by the mail server or the endpoint.")
    PARKED = strawberry.enum_value(
        "PARKED", description="Failed OTONARI_NOTIFY_MAX_ATTEMPTS times; staff can retry it."
    )
    SKIPPED = strawberry.enum_value(
        "SKIPPED", description="Nothing left to send (the offer ended, no address, opted out)."
    )


@strawberry.type(description="A message in the notifications outbox (staff only).")
class Notification:
    id: strawberry.ID = strawberry.field(description="Its global ID (for retryNotification).")
    kind: NotificationKind = strawberry.field(description="What it is about.")
    channel: NotificationChannel = strawberry.field(description="Email or webhook.")
    status: NotificationStatus = strawberry.field(description="Where it is in the outbox.")
    recipient: str = strawberry.field(
        description='Who it is for, without an address: "account 12", "staff alert" or "webhook <url>".'
    )
    request_id: strawberry.ID | None = strawberry.field(description="The request it is about.")
    attempts: int = strawberry.field(description="Delivery attempts so far (since the last staff retry).")
    last_error: str | None = strawberry.field(description="Why the last attempt failed.")
    created_at: datetime = strawberry.field(description="When the change that caused it committed.")
    next_attempt_at: datetime = strawberry.field(description="When it is tried next (PENDING).")
    sent_at: datetime | None = strawberry.field(description="When the server or endpoint accepted it.")

    @classmethod
    def from_record(cls, n: NotificationRecord) -> Notification:
        return cls(
            id=strawberry.ID(to_global_id("Notification", n.id)),
            kind=NotificationKind(n.kind.value),
            channel=NotificationChannel(n.channel),
            status=NotificationStatus(n.status),
            recipient=n.recipient,
            request_id=strawberry.ID(to_global_id("SupportRequest", n.request_id)) if n.request_id else None,
            attempts=n.attempts,
            last_error=n.last_error,
            created_at=n.created_at,
            next_attempt_at=n.next_attempt_at,
            sent_at=n.sent_at,
        )


@strawberry.type(description="A page of parked notifications, newest first.")
class NotificationPage:
    items: list[Notification] = strawberry.field(description="This page's notifications.")
    has_next_page: bool = strawberry.field(description="Whether more follow `endCursor`.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    total_count: int = strawberry.field(description="Parked notifications in all.")


@strawberry.type(description="The result of retryNotification.")
class NotificationPayload:
    notification: Notification | None = strawberry.field(description="The notification, now PENDING.")
    errors: list[UserError] = strawberry.field(description="Why nothing was done; empty on success.")


@strawberry.type(description="How this person wants to hear from the service (themself and staff only).")
class NotificationSettings:
    email: str | None = strawberry.field(
        description="Where emails go; when null, the contact is used if it is an email address."
    )
    opt_outs: list[NotificationKind] = strawberry.field(description="Kinds this person gets no email for.")
    language: str | None = strawberry.field(
        description="The language of emails (a locale such as vi, zh-Hant, ja-easy); null: volunteers "
        "Japanese, residents their first language."
    )

    @classmethod
    def from_record(cls, s: SettingsRecord) -> NotificationSettings:
        return cls(
            email=s.email,
            opt_outs=[NotificationKind(k) for k in s.opt_outs],
            language=s.locale,
        )


@strawberry.input(description="Changes to the viewer's notification settings; omitted fields stay.")
class NotificationSettingsInput:
    email: str | None = strawberry.field(default=None, description='An email address; "" removes it.')
    notification_opt_outs: list[NotificationKind] | None = strawberry.field(
        default=None, description="Replaces the kinds opted out of."
    )
    notification_language: str | None = strawberry.field(
        default=None,
        description="A locale with templates: ja, ja-easy, en, zh-Hans, zh-Hant, vi, ko, tl, "
        "ne, pt, id, my, th, si, es.",
    )


@strawberry.type(description="The result of updateNotificationSettings.")
class NotificationSettingsPayload:
    settings: NotificationSettings | None = strawberry.field(description="The settings as they are now.")
    errors: list[UserError] = strawberry.field(description="Why nothing was done; empty on success.")


@strawberry.type(description="A staff-registered HTTPS endpoint that receives signed deliveries.")
class WebhookEndpoint:
    id: strawberry.ID = strawberry.field(description="Its global ID (for deleteWebhook).")
    url: str = strawberry.field(description="Where deliveries are POSTed.")
    kinds: list[NotificationKind] = strawberry.field(description="The kinds delivered to it.")
    trusted: bool = strawberry.field(
        description="Trusted endpoints also receive the request's text, area and the resident's contact."
    )
    description: str | None = strawberry.field(description="What staff called it.")
    created_at: datetime = strawberry.field(description="When it was registered.")

    @classmethod
    def from_record(cls, w: WebhookEndpointRecord) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(to_global_id("WebhookEndpoint", w.id)),
            url=w.url,
            kinds=[NotificationKind(k.value) for k in w.kinds],
            trusted=w.trusted,
            description=w.description,
            created_at=w.created_at,
        )


@strawberry.input(description="A webhook endpoint to register.")
class RegisterWebhookInput:
    url: str = strawberry.field(description="https:// only.")
    kinds: list[NotificationKind] = strawberry.field(description="The kinds to deliver to it.")
    trusted: bool = strawberry.field(
        default=False, description="Also send the request's text, area and the resident's contact."
    )
    description: str | None = strawberry.field(default=None, description='e.g. "LINE bridge".')


@strawberry.type(description="The result of registerWebhook.")
class RegisterWebhookPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(description="The new endpoint.")
    secret: str | None = strawberry.field(
        description="The signing secret (whsec_...), shown only here: store it in the receiver."
    )
    errors: list[UserError] = strawberry.field(description="Why nothing was done; empty on success.")


@strawberry.type(description="The result of deleteWebhook.")
class WebhookEndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(description="The endpoint, now deleted.")
    errors: list[UserError] = strawberry.field(description="Why nothing was done; empty on success.")


@strawberry.enum(description="What a one-click answer link can still do.")
class AnswerLinkState(Enum):
    LIVE = strawberry.enum_value("LIVE", description="The offer is open: accept or decline.")
    EXPIRED = strawberry.enum_value("EXPIRED", description="The offer expired before an answer.")
    USED = strawberry.enum_value("USED", description="Already answered (accepted or declined).")
    ENDED = strawberry.enum_value(
        "ENDED", description="Withdrawn: another volunteer accepted first, or the request ended."
    )


@strawberry.type(description="The offer a one-click answer link is for, as its volunteer may see it.")
class AnswerLinkOffer:
    state: AnswerLinkState = strawberry.field(description="What the link can still do.")
    offer_id: strawberry.ID = strawberry.field(description="The offer's global ID.")
    status: OfferStatus = strawberry.field(description="The offer's status.")
    expires_at: datetime = strawberry.field(description="When the offer ends unanswered.")
    volunteer_name: str = strawberry.field(description="Whom the offer was made to.")
    field: SupportField | None = strawberry.field(description="Null once the link is no longer LIVE.")
    urgency: Urgency | None = strawberry.field(description="Null once the link is no longer LIVE.")
    area: str | None = strawberry.field(description="Null once the link is no longer LIVE.")
    preferred_times: str | None = strawberry.field(description="Null once the link is no longer LIVE.")
    text: str | None = strawberry.field(
        description="The resident's words; only while LIVE (as for the volunteer in the app)."
    )
    language: str = strawberry.field(
        description="The language of the volunteer's emails (a locale such as ja or en): the answer "
        "page speaks it when it can."
    )

    @classmethod
    def from_view(cls, v: AnswerView) -> AnswerLinkOffer:
        live = v.state.value == "LIVE"
        r = v.request
        return cls(
            state=AnswerLinkState(v.state.value),
            offer_id=strawberry.ID(to_global_id("Offer", v.offer.id)),
            status=OfferStatus(v.offer.status),
            expires_at=v.offer.expires_at,
            volunteer_name=v.volunteer_name,
            field=r.field if live else None,
            urgency=r.urgency if live else None,
            area=r.area if live else None,
            preferred_times=r.preferred_times if live else None,
            text=r.text if live else None,
            language=v.language,
        )


@strawberry.type(description="The result of answerLink and answerOfferByLink.")
class AnswerLinkPayload:
    offer: AnswerLinkOffer | None = strawberry.field(description="Null when the link is not valid.")
    errors: list[UserError] = strawberry.field(description="Why nothing was done; empty on success.")
