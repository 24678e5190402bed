"""Staff dashboard numbers."""

from dataclasses import dataclass

from db.queries import q
from service.context import Context

ALL_STATUSES = (
    "RECEIVED",
    "IN_REVIEW",
    "ESCALATED",
    "OPEN",
    "MATCHED",
    "COMPLETED",
    "CANCELLED",
    "CLOSED",
)


@dataclass(frozen=True)
class StatsRecord:
    by_status: list[tuple[str, int]]
    median_seconds_to_triage: float | None
    median_seconds_to_match: float | None
    triage_agreement: float | None
    offer_acceptance_rate: float | None


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


async def stats(ctx: Context) -> StatsRecord:
    async with ctx.pool.acquire() as conn:
        counts = {r["status"]: r["count"] for r in await conn.fetch(q("requests_by_status"))}
        return StatsRecord(
            by_status=[(s, counts.get(s, 0)) for s in ALL_STATUSES],
            median_seconds_to_triage=_float(await conn.fetchval(q("median_seconds_to_triage"))),
            median_seconds_to_match=_float(await conn.fetchval(q("median_seconds_to_match"))),
            triage_agreement=_float(await conn.fetchval(q("triage_agreement"))),
            offer_acceptance_rate=_float(await conn.fetchval(q("offer_acceptance_rate"))),
        )
