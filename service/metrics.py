"""Prometheus metrics: what each process did (its own counters and histograms, summed across
processes by Prometheus) and the queues as PostgreSQL holds them, read at scrape time (the same
figure from every process: take max() across instances, never sum()).

Families are named `otonari_*`; label values come from closed sets (operation names are capped:
see OperationNames), so a client cannot blow up the number of series.
"""

import re
import threading

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.process_collector import ProcessCollector

from db.queries import q
from db.types import Executor

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

# Seconds: API operations are milliseconds; triage waits and offers can take hours.
_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SLOW = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0, 4 * 3600.0, 24 * 3600.0)

GRAPHQL_SECONDS = Histogram(
    "otonari_graphql_operation_seconds",
    "GraphQL queries and mutations, from parsing to the result, by operation type and name",
    ["type", "name"],
    buckets=_FAST,
    registry=REGISTRY,
)
GRAPHQL_ERRORS = Counter(
    "otonari_graphql_internal_errors",
    "GraphQL errors that are bugs (answered as 'Internal error'), by operation type",
    ["type"],
    registry=REGISTRY,
)
HTTP_RESPONSES = Counter(
    "otonari_http_responses",
    "HTTP responses by status class (2xx, 3xx, 4xx, 5xx)",
    ["status"],
    registry=REGISTRY,
)
TRIAGE_JOBS_PENDING = Gauge(
    "otonari_triage_jobs_pending",
    "Triage jobs not yet done (from PostgreSQL at scrape time)",
    registry=REGISTRY,
)
TRIAGE_JOB_AGE = Gauge(
    "otonari_triage_job_age_seconds",
    "Age of the oldest pending triage job, 0 when none (from PostgreSQL at scrape time)",
    registry=REGISTRY,
)
EMERGENCY_UNREVIEWED_AGE = Gauge(
    "otonari_emergency_unreviewed_age_seconds",
    "Age of the oldest EMERGENCY request staff have not reviewed yet, 0 when none "
    "(from PostgreSQL at scrape time)",
    registry=REGISTRY,
)
TRIAGE_SECONDS = Histogram(
    "otonari_triage_seconds",
    "Triage engine time per request (a batch's time shared by its requests)",
    buckets=_FAST,
    registry=REGISTRY,
)
TIME_TO_TRIAGE = Histogram(
    "otonari_time_to_triage_seconds",
    "From submission to the stored triage",
    buckets=_SLOW,
    registry=REGISTRY,
)
TIME_TO_OFFER = Histogram(
    "otonari_time_to_offer_seconds",
    "From submission to the request's first offer",
    buckets=_SLOW,
    registry=REGISTRY,
)
OFFER_OUTCOMES = ("sent", "accepted", "declined", "expired", "withdrawn")
OFFERS = Counter(
    "otonari_offers",
    "Offers sent, and how they ended",
    ["outcome"],
    registry=REGISTRY,
)
for _outcome in OFFER_OUTCOMES:
    OFFERS.labels(_outcome)  # every outcome is a series from the start, at 0
SUBSCRIPTIONS_ACTIVE = Gauge(
    "otonari_subscriptions_active",
    "GraphQL subscriptions open in this process",
    registry=REGISTRY,
)
EVENTS_DELIVERED = Counter(
    "otonari_events_delivered",
    "Subscription events sent to clients",
    registry=REGISTRY,
)
EVENTS_OVERFLOWED = Counter(
    "otonari_events_overflowed",
    "Live events a slow subscriber had no room for (it then reads them from the events table)",
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "otonari_rate_limited",
    "Operations refused with RATE_LIMITED",
    registry=REGISTRY,
)
WORKER_RESTARTS = Counter(
    "otonari_worker_restarts",
    "Background loops (triage, offer expiry, notifications, retention) restarted after an unexpected error",
    ["worker"],
    registry=REGISTRY,
)
for _status in ("2xx", "3xx", "4xx", "5xx"):
    HTTP_RESPONSES.labels(_status)

# Event kinds (service.requests.emit_event) that are an offer's outcome.
OFFER_EVENTS = {
    "OFFERED": "sent",
    "MATCHED": "accepted",
    "OFFER_DECLINED": "declined",
    "OFFER_EXPIRED": "expired",
    "OFFER_WITHDRAWN": "withdrawn",
}


def offer_event(kind: str) -> None:
    outcome = OFFER_EVENTS.get(kind)
    if outcome is not None:
        OFFERS.labels(outcome).inc()


OTHER = "other"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class OperationNames:
    """Operation names as label values: the first `limit` well-formed names seen by this process,
    then "other" for any new one; a missing or malformed name is "other" too."""

    def __init__(self, limit: int = 200) -> None:
        self.limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None) -> str:
        if not name or not _NAME.match(name):
            return OTHER
        if name in self._seen:
            return name
        with self._lock:
            if len(self._seen) >= self.limit:
                return OTHER
            self._seen.add(name)
        return name


OPERATION_NAMES = OperationNames()


def observe_operation(operation_type: str, name: str | None, seconds: float) -> None:
    GRAPHQL_SECONDS.labels(operation_type, OPERATION_NAMES.label(name)).observe(seconds)


async def refresh_queues(db: Executor) -> None:
    """The figures PostgreSQL holds, read now (one statement)."""
    row = await db.fetchrow(q("queue_metrics"))
    assert row is not None  # noqa: S101 - a SELECT without FROM always has its row
    TRIAGE_JOBS_PENDING.set(row["triage_pending"])
    TRIAGE_JOB_AGE.set(row["triage_oldest_seconds"])
    EMERGENCY_UNREVIEWED_AGE.set(row["emergency_oldest_seconds"])


def exposition() -> bytes:
    return generate_latest(REGISTRY)
