"""The states of requests and offers and the kinds of request events: the domain's values,
registered as the GraphQL enums (schema.types) with a description of each."""

from enum import Enum


class RequestStatus(Enum):
    """Where a support request is in its life (requests.status)."""

    RECEIVED = "RECEIVED"
    IN_REVIEW = "IN_REVIEW"
    ESCALATED = "ESCALATED"
    OPEN = "OPEN"
    MATCHED = "MATCHED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    CLOSED = "CLOSED"


class OfferStatus(Enum):
    """Where an offer to one volunteer stands (offers.status)."""

    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"
    WITHDRAWN = "WITHDRAWN"


class EventKind(Enum):
    """What happened to a support request (events.kind)."""

    RECEIVED = "RECEIVED"
    TRIAGED = "TRIAGED"
    ESCALATED = "ESCALATED"
    REVIEWED = "REVIEWED"
    OFFERED = "OFFERED"
    OFFER_DECLINED = "OFFER_DECLINED"
    OFFER_EXPIRED = "OFFER_EXPIRED"
    OFFER_WITHDRAWN = "OFFER_WITHDRAWN"
    RETURNED_TO_REVIEW = "RETURNED_TO_REVIEW"
    MATCHED = "MATCHED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    CLOSED = "CLOSED"
