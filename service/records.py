"""Plain records of what the database holds, as the domain and the API read them."""

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from triage.labels import SupportField, Urgency

Row = asyncpg.Record | Mapping[str, Any]


@dataclass(frozen=True)
class EmergencyNumberRecord:
    number: str
    label: str


@dataclass(frozen=True)
class EmergencyAdviceRecord:
    message: str
    numbers: tuple[EmergencyNumberRecord, ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "message": self.message,
                "numbers": [{"number": n.number, "label": n.label} for n in self.numbers],
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, raw: str | dict[str, Any]) -> "EmergencyAdviceRecord":
        data = json.loads(raw) if isinstance(raw, str) else raw
        return cls(
            message=data["message"],
            numbers=tuple(EmergencyNumberRecord(n["number"], n["label"]) for n in data["numbers"]),
        )


@dataclass(frozen=True)
class TriageRecord:
    language: str
    language_confidence: float
    field: SupportField
    field_scores: tuple[tuple[SupportField, float], ...]
    urgency: Urgency
    urgency_score: float
    confidence: float
    signals: tuple[str, ...]
    model: str
    created_at: datetime
    # 0..1, calibrated, emergency cues included (rows stored before it existed: a lower bound).
    emergency_probability: float


@dataclass(frozen=True)
class ReviewRecord:
    reviewer: str
    decision: str
    field: SupportField
    urgency: Urgency
    note: str | None
    agreed_with_triage: bool
    decided_at: datetime


@dataclass(frozen=True)
class RequestRecord:
    id: int
    resident_id: int
    text: str
    area: str
    preferred_times: str | None
    status: str
    assigned_volunteer_id: int | None
    needs_attention: str | None
    field: SupportField | None
    urgency: Urgency | None
    triage: TriageRecord | None
    review: ReviewRecord | None
    emergency_advice: EmergencyAdviceRecord | None
    created_at: datetime
    updated_at: datetime
    # True for the shape shown to a volunteer whose offer has ended (see redact()).
    redacted: bool = False

    def redact(self) -> "RequestRecord":
        """What a volunteer whose offer has ended may still see: the request's id, status and
        times, next to their own offer. Nothing the resident wrote or that derives from it (text,
        area, times, triage, labels, advice), nobody's name (resident, matched volunteer)."""
        return dataclasses.replace(
            self,
            text="",
            area="",
            preferred_times=None,
            assigned_volunteer_id=None,
            needs_attention=None,
            field=None,
            urgency=None,
            triage=None,
            review=None,
            emergency_advice=None,
            redacted=True,
        )

    @classmethod
    def from_row(cls, row: Row) -> "RequestRecord":
        triage = None
        advice = None
        if row["t_field"] is not None:
            scores = row["t_field_scores"]
            scores = json.loads(scores) if isinstance(scores, str) else scores
            triage = TriageRecord(
                language=row["t_language"],
                language_confidence=row["t_language_confidence"],
                field=SupportField(row["t_field"]),
                field_scores=tuple((SupportField(f), float(s)) for f, s in scores),
                urgency=Urgency(row["t_urgency"]),
                urgency_score=row["t_urgency_score"],
                confidence=row["t_confidence"],
                signals=tuple(row["t_signals"]),
                model=row["t_model"],
                created_at=row["t_created_at"],
                emergency_probability=row["t_emergency_probability"],
            )
            if row["t_emergency_advice"] is not None:
                advice = EmergencyAdviceRecord.from_json(row["t_emergency_advice"])
        review = None
        if row["rv_decision"] is not None:
            review = ReviewRecord(
                reviewer=row["rv_reviewer"],
                decision=row["rv_decision"],
                field=SupportField(row["rv_field"]),
                urgency=Urgency(row["rv_urgency"]),
                note=row["rv_note"],
                agreed_with_triage=row["rv_agreed"],
                decided_at=row["rv_decided_at"],
            )
        return cls(
            id=row["id"],
            resident_id=row["resident_id"],
            text=row["text"],
            area=row["area"],
            preferred_times=row["preferred_times"],
            status=row["status"],
            assigned_volunteer_id=row["assigned_volunteer_id"],
            needs_attention=row["needs_attention"],
            field=SupportField(row["field"]) if row["field"] else None,
            urgency=Urgency(row["urgency"]) if row["urgency"] else None,
            triage=triage,
            review=review,
            emergency_advice=advice,
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )


@dataclass(frozen=True)
class ResidentRecord:
    id: int
    account_id: int
    display_name: str
    languages: tuple[str, ...]
    area: str
    contact: str

    @classmethod
    def from_row(cls, row: Row) -> "ResidentRecord":
        return cls(
            id=row["id"],
            account_id=row["account_id"],
            display_name=row["display_name"],
            languages=tuple(row["languages"]),
            area=row["area"],
            contact=row["contact"],
        )


@dataclass(frozen=True)
class VolunteerRecord:
    id: int
    account_id: int
    display_name: str
    languages: tuple[str, ...]
    skills: str
    fields: tuple[SupportField, ...]
    area: str
    availability: str
    remote_ok: bool
    max_active_requests: int
    active: bool
    verified: bool
    contact: str

    @classmethod
    def from_row(cls, row: Row) -> "VolunteerRecord":
        return cls(
            id=row["id"],
            account_id=row["account_id"],
            display_name=row["display_name"],
            languages=tuple(row["languages"]),
            skills=row["skills"],
            fields=tuple(SupportField(f) for f in row["fields"]),
            area=row["area"],
            availability=row["availability"],
            remote_ok=row["remote_ok"],
            max_active_requests=row["max_active_requests"],
            active=row["active"],
            verified=row["verified"],
            contact=row["contact"],
        )


@dataclass(frozen=True)
class OfferRecord:
    id: int
    request_id: int
    volunteer_id: int
    status: str
    created_at: datetime
    expires_at: datetime
    responded_at: datetime | None

    @classmethod
    def from_row(cls, row: Row) -> "OfferRecord":
        return cls(
            id=row["id"],
            request_id=row["request_id"],
            volunteer_id=row["volunteer_id"],
            status=row["status"],
            created_at=row["created_at"],
            expires_at=row["expires_at"],
            responded_at=row["responded_at"],
        )


@dataclass(frozen=True)
class LongTermPairRecord:
    id: int
    request_id: int
    resident_id: int
    volunteer_id: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> "LongTermPairRecord":
        return cls(
            id=row["id"],
            request_id=row["request_id"],
            resident_id=row["resident_id"],
            volunteer_id=row["volunteer_id"],
            created_at=row["created_at"],
        )
