"""The triage labels (see ../shared/TAXONOMY.md): one vocabulary for triage, matching and the API."""

from enum import StrEnum


class SupportField(StrEnum):
    MEDICAL = "MEDICAL"
    WELFARE = "WELFARE"
    CHILDCARE_EDUCATION = "CHILDCARE_EDUCATION"
    LIFELINE = "LIFELINE"
    OTHER = "OTHER"


class Urgency(StrEnum):
    EMERGENCY = "EMERGENCY"
    HIGH = "HIGH"
    NORMAL = "NORMAL"
    LOW = "LOW"


# Most urgent first: the order of the staff queue and of matching.
URGENCY_RANK: dict[Urgency, int] = {
    Urgency.EMERGENCY: 0,
    Urgency.HIGH: 1,
    Urgency.NORMAL: 2,
    Urgency.LOW: 3,
}
