"""What a notification is about, and which request events cause which."""

from enum import StrEnum


class NotificationKind(StrEnum):
    OFFER_SENT = "OFFER_SENT"
    OFFER_EXPIRING = "OFFER_EXPIRING"
    REQUEST_TRIAGED = "REQUEST_TRIAGED"
    REQUEST_MATCHED = "REQUEST_MATCHED"
    EMERGENCY_RECEIVED = "EMERGENCY_RECEIVED"
    RETURNED_TO_STAFF = "RETURNED_TO_STAFF"
    LONG_TERM_PAIR = "LONG_TERM_PAIR"


class Audience(StrEnum):
    VOLUNTEER = "VOLUNTEER"
    RESIDENT = "RESIDENT"
    STAFF = "STAFF"


# Who is emailed for each kind (webhooks get every kind they registered for).
AUDIENCES: dict[NotificationKind, tuple[Audience, ...]] = {
    NotificationKind.OFFER_SENT: (Audience.VOLUNTEER,),
    NotificationKind.OFFER_EXPIRING: (Audience.VOLUNTEER,),
    NotificationKind.REQUEST_TRIAGED: (Audience.RESIDENT,),
    NotificationKind.REQUEST_MATCHED: (Audience.RESIDENT,),
    NotificationKind.EMERGENCY_RECEIVED: (Audience.STAFF,),
    NotificationKind.RETURNED_TO_STAFF: (Audience.STAFF,),
    NotificationKind.LONG_TERM_PAIR: (Audience.RESIDENT, Audience.VOLUNTEER),
}

# Request events (service.requests.emit_event) that cause a notification.
BY_EVENT: dict[str, NotificationKind] = {
    "OFFERED": NotificationKind.OFFER_SENT,
    "TRIAGED": NotificationKind.REQUEST_TRIAGED,
    "ESCALATED": NotificationKind.EMERGENCY_RECEIVED,
    "MATCHED": NotificationKind.REQUEST_MATCHED,
    "RETURNED_TO_REVIEW": NotificationKind.RETURNED_TO_STAFF,
}

# Kinds a person may opt out of (staff alerts are not a person's choice).
PERSONAL_KINDS = frozenset(k for k, who in AUDIENCES.items() if Audience.STAFF not in who)

# Webhook event types, as Standard Webhooks names them ("group.event").
WEBHOOK_TYPES: dict[NotificationKind, str] = {
    NotificationKind.OFFER_SENT: "offer.sent",
    NotificationKind.OFFER_EXPIRING: "offer.expiring",
    NotificationKind.REQUEST_TRIAGED: "request.triaged",
    NotificationKind.REQUEST_MATCHED: "request.matched",
    NotificationKind.EMERGENCY_RECEIVED: "request.emergency",
    NotificationKind.RETURNED_TO_STAFF: "request.returned_to_staff",
    NotificationKind.LONG_TERM_PAIR: "pair.formed",
}
