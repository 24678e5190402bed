"""Staff dashboard types (Stats.dashboard). They hold the window and records; each series is
read by resolvers/dashboard.py only when selected."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.types import Info

from resolvers import dashboard as dashboard_resolvers
from schema.types import OfferStatus, SupportField
from service.context import Context


@strawberry.enum(description="What a duration measures, each from the request's submission.")
class DurationMeasure(Enum):
    TRIAGE = strawberry.enum_value("TRIAGE", description="Until the triage finished.")
    FIRST_OFFER = strawberry.enum_value("FIRST_OFFER", description="Until the first offer to a volunteer.")
    MATCH = strawberry.enum_value("MATCH", description="Until a volunteer accepted.")


@strawberry.enum(description="How triage agreement with staff is broken down.")
class AgreementDimension(Enum):
    FIELD = strawberry.enum_value(
        "FIELD", description="By the triage's field; agreed = staff kept the field."
    )
    URGENCY = strawberry.enum_value(
        "URGENCY", description="By the triage's urgency; agreed = staff kept the urgency."
    )
    LANGUAGE = strawberry.enum_value(
        "LANGUAGE", description="By the detected language; agreed = staff kept field and urgency."
    )


@strawberry.type(description="Requests submitted on one Tokyo day with one field and language.")
class DailyRequestCount:
    day: date = strawberry.field(description="The Tokyo calendar day.")
    field: SupportField | None = strawberry.field(
        description="The review's field, else the triage's; null before triage."
    )
    language: str | None = strawberry.field(description="Detected by the triage; null before triage.")
    count: int = strawberry.field(description="Requests submitted that day with this field and language.")


@strawberry.type(description="Median and 90th percentile of one duration over the window.")
class DurationStats:
    measure: DurationMeasure = strawberry.field(description="What is measured.")
    count: int = strawberry.field(description="Requests submitted in the window that got this far.")
    median_seconds: float | None = strawberry.field(description="Median, in seconds; null when count is 0.")
    p90_seconds: float | None = strawberry.field(
        description="90th percentile, in seconds; null when count is 0."
    )


@strawberry.type(description="Offers made in the window, by their status now.")
class OfferOutcomeCount:
    status: OfferStatus = strawberry.field(description="The offers' status now.")
    count: int = strawberry.field(description="Offers made in the window with that status.")


@strawberry.type(description="Approved reviews in one Tokyo week for one key, and how many agreed.")
class AgreementPoint:
    period_start: date = strawberry.field(description="The Monday starting the week (Tokyo).")
    key: str = strawberry.field(description="A field, urgency or language code, by the dimension asked.")
    reviewed: int = strawberry.field(description="Approved reviews that week for this key.")
    agreed: int = strawberry.field(description="Reviews where staff kept what the dimension measures.")


@strawberry.type(description="Staff only: series for the dashboard over a window of whole Tokyo days.")
class Dashboard:
    days: int = strawberry.field(description="The window's length in days, as asked.")
    since: datetime = strawberry.field(description="Start of the window (midnight, Tokyo).")

    @strawberry.field(description="Requests submitted per day, by field and detected language.")
    async def requests_per_day(self, info: Info[Context, None]) -> list[DailyRequestCount]:
        found = await dashboard_resolvers.requests_per_day(info.context, self.since)
        return [
            DailyRequestCount(
                day=c.day,
                field=SupportField(c.field) if c.field else None,
                language=c.language,
                count=c.count,
            )
            for c in found
        ]

    @strawberry.field(description="Time to triage, to the first offer and to a match: one entry per measure.")
    async def durations(self, info: Info[Context, None]) -> list[DurationStats]:
        found = await dashboard_resolvers.durations(info.context, self.since)
        return [
            DurationStats(
                measure=DurationMeasure(d.measure),
                count=d.count,
                median_seconds=d.median_seconds,
                p90_seconds=d.p90_seconds,
            )
            for d in found
        ]

    @strawberry.field(description="Offers made in the window by status (acceptance, expiry).")
    async def offer_outcomes(self, info: Info[Context, None]) -> list[OfferOutcomeCount]:
        found = await dashboard_resolvers.offer_outcomes(info.context, self.since)
        return [OfferOutcomeCount(status=OfferStatus(o.status), count=o.count) for o in found]

    @strawberry.field(
        description="Agreement of the AI triage with staff per week, by field, urgency or "
        "language: where the model is weak."
    )
    async def agreement(
        self,
        info: Info[Context, None],
        by: Annotated[AgreementDimension, strawberry.argument(description="How to break it down.")],
    ) -> list[AgreementPoint]:
        found = await dashboard_resolvers.agreement(info.context, self.since, by.name)
        return [
            AgreementPoint(period_start=a.period_start, key=a.key, reviewed=a.reviewed, agreed=a.agreed)
            for a in found
        ]
