"""Staff dashboard series: thin reads of db/queries/dashboard.sql over a window of whole days."""

from dataclasses import dataclass
from datetime import date, datetime

from db.queries import q
from resolvers.common import refusal
from service.context import Context
from service.errors import ErrorReason

MAX_DAYS = 366
MEASURES = ("TRIAGE", "FIRST_OFFER", "MATCH")
DIMENSIONS = ("FIELD", "URGENCY", "LANGUAGE")


@dataclass(frozen=True)
class DailyCount:
    day: date
    field: str | None
    language: str | None
    count: int


@dataclass(frozen=True)
class DurationSummary:
    measure: str
    count: int
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class OutcomeCount:
    status: str
    count: int


@dataclass(frozen=True)
class AgreementPoint:
    period_start: date
    key: str
    reviewed: int
    agreed: int


async def window_start(ctx: Context, days: int) -> datetime:
    """Staff only: the start of a window of `days` whole Tokyo days ending today."""
    if not 1 <= days <= MAX_DAYS:
        raise refusal(f"days must be between 1 and {MAX_DAYS}", ErrorReason.OUT_OF_RANGE)
    since: datetime = await ctx.pool.fetchval(q("dashboard_since"), days)
    return since


async def requests_per_day(ctx: Context, since: datetime) -> list[DailyCount]:
    rows = await ctx.pool.fetch(q("dashboard_requests_per_day"), since)
    return [DailyCount(r["day"], r["field"], r["language"], r["count"]) for r in rows]


async def durations(ctx: Context, since: datetime) -> list[DurationSummary]:
    """One summary per measure, in MEASURES order; a measure nothing reached has count 0."""
    rows = {r["measure"]: r for r in await ctx.pool.fetch(q("dashboard_durations"), since)}
    summaries = []
    for measure in MEASURES:
        row = rows.get(measure)
        if row is None:
            summaries.append(DurationSummary(measure, 0, None, None))
        else:
            median, p90 = row["median_seconds"], row["p90_seconds"]
            summaries.append(DurationSummary(measure, row["count"], median, p90))
    return summaries


async def offer_outcomes(ctx: Context, since: datetime) -> list[OutcomeCount]:
    rows = await ctx.pool.fetch(q("dashboard_offer_outcomes"), since)
    return [OutcomeCount(r["status"], r["count"]) for r in rows]


async def agreement(ctx: Context, since: datetime, dimension: str) -> list[AgreementPoint]:
    if dimension not in DIMENSIONS:  # the schema's enum allows no other value
        raise ValueError(f"unknown dimension {dimension!r}")
    rows = await ctx.pool.fetch(q("dashboard_agreement"), since, dimension)
    return [AgreementPoint(r["period_start"], r["key"], r["reviewed"], r["agreed"]) for r in rows]
