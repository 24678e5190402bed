"""`python -m bench soak`: a realistic mix for minutes on end, looking for what only time shows.

Two `main.py serve` processes (A and B, OTONARI_WORKERS=0) and one `main.py worker` share one
fresh embedded PostgreSQL (OTONARI_DATA_DIR=var/bench-soak, deleted at the end). Set-up:
--residents residents and --volunteers volunteers register (staff verify the volunteers), then
--subscribers graphql-transport-ws clients connect, spread over A and B: half are staff on
`reviewQueueUpdated`, half volunteers on `offerReceived`.

Then, for --minutes, operations are started at --rate per second (open loop: a slow answer
does not slow the pacing), each on A or B at random, in this mix:

- residents: submitRequest 10%, their requests (list) 25%, one of their requests 15%, viewer 5%;
- staff: the review queue 10%, reviewTriage(APPROVE) of a queued request 5% (which sends
  offers to volunteers);
- volunteers: their pending offers 25%, accepting one 5%.

An operation whose precondition is missing (no queued request, no pending offer) reads instead.

Reported: per operation, count, p50/p99/max and errors (an HTTP status other than 200, a
GraphQL error, or a payload error other than the races the mix makes on purpose: CONFLICT
when two volunteers accept offers of the same request, NOT_FOUND/CONFLICT for an offer gone);
deliveries (every queue event and every offer written after the subscribers connected must
reach each subscriber that should see it, once): after the load stops the subscribers stay
connected until each has all of its events and the triage backlog is done, or --drain-seconds
pass; reported apart: delivered by the end of the load, delivered during the drain, still
missing after it (lost), received twice; RSS of each process, sampled every few
seconds, as its largest drift from its level at the end of the warm-up (--warmup-seconds);
the largest number of database connections (pg_stat_activity).

Targets (issue 11): 0 errors, 0 lost events, RSS within 5% after warm-up, database
connections bounded (at most the pools' sizes plus the LISTEN connections). Exit status 1 when
one is missed.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import shutil
import sys
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from bench.lean_http import LeanClient, LeanHTTPError
from bench.server import (
    REGISTER,
    REPO,
    START_TIMEOUT,
    SUBMIT,
    TEXTS,
    ServerProcess,
    api_client,
    background_command,
    cancel_all,
    create_staff,
    fresh_database,
    gql,
    running_server,
    server_env,
    wait_until,
)
from resolvers.subscriptions import REVIEW_QUEUE_KINDS

DATA_DIR = Path("var/bench-soak")
RSS_DRIFT_TARGET = 0.05
SAMPLE_SECONDS = 5.0
DRAIN_SECONDS = 120.0  # default --drain-seconds: after the load, how long subscribers may catch up
POOL_SIZE = 10  # OTONARI_DB_POOL_SIZE of each process

REGISTER_VOLUNTEER = """mutation($input: RegisterVolunteerInput!) {
  registerVolunteer(input: $input) { token volunteer { id } errors { path message code } }
}"""
VERIFY = """mutation($id: ID!) {
  setVolunteerVerified(volunteerId: $id, verified: true) { errors { code message } }
}"""
MY_REQUESTS = "query { requests(first: 10) { edges { node { id status urgency } } } }"
ONE_REQUEST = "query($id: ID!) { request(id: $id) { id status text field urgency } }"
VIEWER = "query { viewer { role } }"
QUEUE = "query { reviewQueue(first: 10) { edges { node { id status field urgency } } } }"
REVIEW = """mutation($id: ID!) {
  reviewTriage(input: {requestId: $id, decision: APPROVE}) { request { id status } errors { code message } }
}"""
MY_OFFERS = "query { myOffers(status: [PENDING]) { id status request { id } } }"
RESPOND = """mutation($id: ID!) {
  respondToOffer(offerId: $id, accept: true) { offer { id status } errors { code message } }
}"""
QUEUE_UPDATED = "subscription { reviewQueueUpdated { eventId kind request { id } } }"
OFFER_RECEIVED = "subscription { offerReceived { id eventId status } }"

# Payload errors the mix provokes on purpose (races between clients), not failures.
EXPECTED_REFUSALS = {"review": {"CONFLICT", "NOT_FOUND"}, "accept offer": {"CONFLICT", "NOT_FOUND"}}
VOLUNTEER_LANGUAGES = (["vi", "en"], ["zh", "en"], ["es", "en"], ["ko", "en"], ["pt", "en"], ["tl", "en"])
FIELDS = ["MEDICAL", "WELFARE", "CHILDCARE_EDUCATION", "LIFELINE", "OTHER"]


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return math.nan
    return values[max(0, math.ceil(q * len(values)) - 1)]


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)  # ms
    errors: int = 0
    refused: int = 0
    examples: list[str] = field(default_factory=list)

    def failed(self, what: str) -> None:
        self.errors += 1
        if len(self.examples) < 3:
            self.examples.append(what[:300])


@dataclass
class Account:
    token: str
    http: list[LeanClient]  # one client per API process
    request_ids: list[str] = field(default_factory=list)  # a resident's own requests
    pending_offers: deque[str] = field(default_factory=deque)  # a volunteer's, as last read


@dataclass
class Watcher:
    """One subscriber: the event ids it received, per subscription kind."""

    kind: str  # "queue" or "offers"
    account_index: int
    ws: ClientConnection
    received: list[int] = field(default_factory=list)
    failure: str | None = None
    received_by_load_end: int = 0  # len(received) when the load stopped

    def mark_load_end(self) -> None:
        self.received_by_load_end = len(self.received)

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if message.get("type") == "ping":
                    await self.ws.send(json.dumps({"type": "pong"}))
                elif message.get("type") == "next":
                    data = message["payload"].get("data") or {}
                    item = data.get("reviewQueueUpdated") or data.get("offerReceived")
                    if item is None or item.get("eventId") is None:
                        self.failure = f"unexpected message {str(message)[:200]}"
                        return
                    self.received.append(int(item["eventId"]))
                elif message.get("type") in ("error", "complete"):
                    self.failure = f"subscription ended: {str(message)[:200]}"
                    return
        except ConnectionClosed as closed:
            self.failure = f"connection closed: {closed}"


async def open_watcher(base_url: str, token: str, kind: str, account_index: int) -> Watcher:
    ws = await connect(
        base_url.replace("http", "ws", 1) + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        proxy=None,
        max_queue=None,
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), 60))
    if ack.get("type") != "connection_ack":
        raise RuntimeError(f"connection refused: {ack}")
    query = QUEUE_UPDATED if kind == "queue" else OFFER_RECEIVED
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    return Watcher(kind, account_index, ws)


class Mix:
    """The operations, their weights, and what they need from each other."""

    def __init__(
        self, residents: list[Account], volunteers: list[Account], staff: Account, rng: random.Random
    ) -> None:
        self.residents = residents
        self.volunteers = volunteers
        self.staff = staff
        self.rng = rng
        self.queue: deque[str] = deque(maxlen=200)  # queued request ids, as last read
        self.stats: dict[str, Stats] = defaultdict(Stats)
        self.measuring = False
        self.in_flight: set[asyncio.Task[None]] = set()
        self.operations: list[tuple[str, float, Callable[[], Coroutine[Any, Any, None]]]] = [
            ("submit", 10, self.submit),
            ("my requests", 25, self.my_requests),
            ("one request", 15, self.one_request),
            ("viewer", 5, self.viewer),
            ("review queue", 10, self.review_queue),
            ("review", 5, self.review),
            ("my offers", 25, self.my_offers),
            ("accept offer", 5, self.accept_offer),
        ]

    def start_one(self) -> None:
        names = [op for op in self.operations]
        _, _, run = self.rng.choices(names, weights=[w for _, w, _ in names])[0]
        task = asyncio.create_task(run())
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def call(
        self, name: str, account: Account, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        http = self.rng.choice(account.http)
        started = time.perf_counter()
        try:
            response = await http.post("/graphql", {"query": query, "variables": variables or {}})
            body: dict[str, Any] = response.json()
        except (LeanHTTPError, TimeoutError, ValueError) as exc:
            self._record(name, started, f"{type(exc).__name__}: {exc}")
            return None
        if response.status_code != 200 or body.get("errors"):
            self._record(name, started, f"{response.status_code}: {str(body)[:300]}")
            return None
        data: dict[str, Any] = body["data"]
        payload = next(iter(data.values()))
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if errors:
            codes = {e["code"] for e in errors}
            if codes <= EXPECTED_REFUSALS.get(name, set()):
                self._record(name, started, None, refused=True)
                return None
            self._record(name, started, f"payload errors {errors}")
            return None
        self._record(name, started, None)
        return data

    def _record(self, name: str, started: float, error: str | None, *, refused: bool = False) -> None:
        if not self.measuring:
            return
        stats = self.stats[name]
        stats.latencies.append(1000 * (time.perf_counter() - started))
        if error is not None:
            stats.failed(error)
        elif refused:
            stats.refused += 1

    async def submit(self) -> None:
        resident = self.rng.choice(self.residents)
        text = f"{self.rng.choice(TEXTS)} ({self.rng.randrange(10**6)})"
        data = await self.call("submit", resident, SUBMIT, {"input": {"text": text, "area": "Katsushika"}})
        if data is not None:
            resident.request_ids.append(data["submitRequest"]["request"]["id"])

    async def my_requests(self) -> None:
        await self.call("my requests", self.rng.choice(self.residents), MY_REQUESTS)

    async def one_request(self) -> None:
        resident = self.rng.choice(self.residents)
        if not resident.request_ids:
            return await self.my_requests()
        await self.call("one request", resident, ONE_REQUEST, {"id": self.rng.choice(resident.request_ids)})

    async def viewer(self) -> None:
        await self.call("viewer", self.rng.choice(self.residents), VIEWER)

    async def review_queue(self) -> None:
        data = await self.call("review queue", self.staff, QUEUE)
        if data is not None:
            known = set(self.queue)
            self.queue.extend(
                edge["node"]["id"] for edge in data["reviewQueue"]["edges"] if edge["node"]["id"] not in known
            )

    async def review(self) -> None:
        if not self.queue:
            return await self.review_queue()
        await self.call("review", self.staff, REVIEW, {"id": self.queue.popleft()})

    async def my_offers(self) -> None:
        volunteer = self.rng.choice(self.volunteers)
        data = await self.call("my offers", volunteer, MY_OFFERS)
        if data is not None:
            volunteer.pending_offers = deque(offer["id"] for offer in data["myOffers"])

    async def accept_offer(self) -> None:
        volunteer = self.rng.choice(self.volunteers)
        if not volunteer.pending_offers:
            return await self.my_offers()
        await self.call("accept offer", volunteer, RESPOND, {"id": volunteer.pending_offers.popleft()})


def rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


async def _setup(
    servers: list[ServerProcess], env: dict[str, str], args: argparse.Namespace
) -> tuple[list[Account], list[Account], Account]:
    staff_token = create_staff(env, "Soak Staff")
    clients = [api_client(s, connections=20) for s in servers]

    def account(token: str) -> Account:
        # The mix's client: httpx costs the bench's one process more CPU than the servers'
        # answers (bench.lean_http).
        headers = {"Authorization": f"Bearer {token}"}
        return Account(token, [LeanClient(s.base_url, headers, connections=20) for s in servers])

    async def register(i: int, mutation: str, account_input: dict[str, Any]) -> dict[str, Any]:
        """Register the i-th account of its kind, through the servers in turn."""
        return await gql(clients[i % len(clients)], mutation, {"input": account_input})

    residents = []
    for i in range(args.residents):
        resident = {
            "displayName": f"Resident {i}",
            "languages": VOLUNTEER_LANGUAGES[i % len(VOLUNTEER_LANGUAGES)][:1],
            "area": "Katsushika",
            "contact": f"resident{i}@example.org",
        }
        data = await register(i, REGISTER, resident)
        residents.append(account(data["registerResident"]["token"]))
    staff = account(staff_token)
    staff_http = api_client(servers[0], staff_token)
    clients.append(staff_http)
    volunteers = []
    for i in range(args.volunteers):
        volunteer = {
            "displayName": f"Volunteer {i}",
            "languages": VOLUNTEER_LANGUAGES[i % len(VOLUNTEER_LANGUAGES)],
            "skills": "Interpreting at hospitals and the ward office; forms, letters, housing",
            "fields": FIELDS,
            "area": "Katsushika",
            "availability": "evenings and weekends",
            "remoteOk": True,
            "maxActiveRequests": 20,
            "contact": f"volunteer{i}@example.org",
        }
        data = await register(i, REGISTER_VOLUNTEER, volunteer)
        payload = data["registerVolunteer"]
        await gql(staff_http, VERIFY, {"id": payload["volunteer"]["id"]})
        volunteers.append(account(payload["token"]))
    for client in clients:
        await client.aclose()
    return residents, volunteers, staff


async def _run(args: argparse.Namespace) -> int:
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    async with fresh_database(args.data_dir) as db:
        # The converted model and its examples' embeddings, as the repository's var/ has them:
        # a fresh directory would spend a minute per process re-embedding them.
        cache = REPO / "var" / "cache"
        if cache.is_dir():
            shutil.copytree(cache, db.data_dir / "cache", dirs_exist_ok=True)
        logs = db.data_dir / "logs"
        limits = {
            f"OTONARI_{family}_RATE_PER_HOUR": "100000000"
            for family in ("REQUESTS", "OFFERS", "REVIEWS", "PROFILE", "ACCOUNTS", "REGISTER")
        }
        env = server_env(
            db.data_dir,
            OTONARI_WORKERS="0",
            OTONARI_SUBMIT_RATE_PER_MINUTE="100000000",
            OTONARI_MAX_SOCKETS_PER_ACCOUNT="100000",
            OTONARI_DB_POOL_SIZE=str(POOL_SIZE),
            **limits,
        )
        async with contextlib.AsyncExitStack() as stack:
            a = await stack.enter_async_context(running_server("A", env, logs))
            b = await stack.enter_async_context(running_server("B", env, logs))
            stack.enter_context(background_command("worker", {**env, "OTONARI_WORKERS": "1"}, logs, "worker"))
            worker_pid = await _worker_pid(a.pid, b.pid)
            # Its model and examples loaded before the load starts (it may have new examples to
            # embed): otherwise the first minute's submissions wait behind its start.
            await wait_until(
                _logged(logs / "worker.log", "worker started"), "the worker to start", START_TIMEOUT
            )
            print(f"  setting up {args.residents} residents, {args.volunteers} volunteers", file=sys.stderr)
            residents, volunteers, staff = await _setup([a, b], env, args)
            servers = [a, b]
            watchers = []
            for i in range(args.subscribers):
                kind = "queue" if i % 2 == 0 else "offers"
                index = (i // 2) % len(volunteers)
                token = staff.token if kind == "queue" else volunteers[index].token
                watchers.append(await open_watcher(servers[i % 2].base_url, token, kind, index))
            readers = [asyncio.create_task(w.read()) for w in watchers]
            conn = await asyncpg.connect(db.url)
            try:
                await asyncio.sleep(2.0)  # every subscription live
                start_id = await conn.fetchval("SELECT coalesce(max(id), 0) FROM events")
                mix = Mix(residents, volunteers, staff, random.Random(args.seed))
                pids = {"A": a.pid, "B": b.pid, "worker": worker_pid}
                samples: dict[str, list[tuple[float, int]]] = {name: [] for name in pids}
                connections: list[int] = []
                started = time.perf_counter()

                async def sample() -> None:
                    now = time.perf_counter()
                    for name, pid in pids.items():
                        samples[name].append((now - started, rss_bytes(pid)))
                    connections.append(
                        await conn.fetchval(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            " AND pid <> pg_backend_pid()"
                        )
                    )

                if args.steps:
                    print(f"  {len(watchers)} subscribers; steps {args.steps} operations/s", file=sys.stderr)
                    return await _find_rate(args, load_before, mix, conn, watchers, start_id, sample)
                print(
                    f"  {len(watchers)} subscribers; {args.rate:g} operations/s for {args.minutes:g} min "
                    f"(warm-up {args.warmup_seconds:g} s)",
                    file=sys.stderr,
                )
                await _load(mix, args.rate, 60 * args.minutes, args.warmup_seconds, sample)
                wall = time.perf_counter() - started
                for w in watchers:
                    w.mark_load_end()
                print(f"  load stopped; draining (up to {args.drain_seconds:g} s)", file=sys.stderr)
                delivery = await _drain(conn, watchers, start_id, args.drain_seconds)
            finally:
                await conn.close()
                for w in watchers:
                    await w.ws.close()
                await cancel_all(readers)
                for acc in [*residents, *volunteers, staff]:
                    for client in acc.http:
                        await client.aclose()
    return report(args, load_before, mix, wall, samples, connections, delivery, watchers)


async def _load(
    mix: Mix, rate: float, seconds: float, warmup: float, sample: Callable[[], Awaitable[None]]
) -> None:
    """Start operations at `rate` per second for `seconds` (open loop), measured after `warmup`,
    calling sample() every SAMPLE_SECONDS; then wait (up to 60 s) for those still running."""
    started = time.perf_counter()
    end = started + seconds
    next_sample = started
    interval = 1.0 / rate
    next_start = started
    while (now := time.perf_counter()) < end:
        mix.measuring = now - started >= warmup
        if now >= next_sample:
            await sample()
            next_sample += SAMPLE_SECONDS
        while next_start <= now:
            mix.start_one()
            next_start += interval
        await asyncio.sleep(max(0.0, min(next_start, next_sample) - time.perf_counter()))
    if mix.in_flight:
        await asyncio.wait(mix.in_flight, timeout=60)
    mix.measuring = False


@dataclass(frozen=True)
class Step:
    rate: float  # operations/s asked for
    achieved: float  # operations/s measured (after the step's warm-up)
    errors: int
    p99_ms: float  # over every operation of the step
    settle_seconds: float  # from the step's end until every delivery arrived and triage caught up
    missing: int  # deliveries still missing when the settle time ran out

    def sustained(self, args: argparse.Namespace) -> bool:
        return (
            self.errors == 0
            and self.achieved >= 0.95 * self.rate
            and self.p99_ms <= args.step_p99_ms
            and self.missing == 0
        )


async def _find_rate(
    args: argparse.Namespace,
    load_before: str,
    mix: Mix,
    conn: asyncpg.Connection,
    watchers: list[Watcher],
    start_id: int,
    sample: Callable[[], Awaitable[None]],
) -> int:
    """--steps: the load at each rate in turn on the same servers and subscribers, until one is
    not sustained (errors, less than 95% of the rate achieved, p99 over --step-p99-ms, or the
    subscribers and triage not caught up --settle-seconds after the step)."""
    steps: list[Step] = []
    for rate in args.steps:
        mix.stats = defaultdict(Stats)
        print(f"  step: {rate:g} operations/s for {args.step_seconds:g} s", file=sys.stderr)
        await _load(mix, rate, args.step_seconds, args.step_warmup_seconds, sample)
        for w in watchers:
            w.mark_load_end()
        delivery = await _drain(conn, watchers, start_id, args.settle_seconds)
        latencies = sorted(v for stats in mix.stats.values() for v in stats.latencies)
        step = Step(
            rate=rate,
            achieved=len(latencies) / max(1.0, args.step_seconds - args.step_warmup_seconds),
            errors=sum(stats.errors for stats in mix.stats.values()),
            p99_ms=pct(latencies, 0.99),
            settle_seconds=delivery.drain_seconds,
            missing=delivery.missing,
        )
        steps.append(step)
        print(f"  {step}", file=sys.stderr)
        if not step.sustained(args):
            break
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average before {load_before}; "
        f"A and B: serve, workers=0; one `main.py worker`; {args.residents} residents, "
        f"{args.volunteers} volunteers, {len(watchers)} subscribers; steps of {args.step_seconds:g} s "
        f"(measured after {args.step_warmup_seconds:g} s), settle up to {args.settle_seconds:g} s"
    )
    print(
        f"{'ops/s':>8} {'achieved':>9} {'errors':>7} {'p99 ms':>9} {'settle s':>9} {'missing':>8}  sustained"
    )
    for step in steps:
        print(
            f"{step.rate:>8g} {step.achieved:>9.1f} {step.errors:>7} {step.p99_ms:>9.1f} "
            f"{step.settle_seconds:>9.1f} {step.missing:>8}  {'yes' if step.sustained(args) else 'NO'}"
        )
    sustained = [step.rate for step in steps if step.sustained(args)]
    best = max(sustained, default=0.0)
    print(f"highest sustained rate: {best:g} operations/s" if sustained else "no step sustained")
    return 0 if sustained else 1


def _logged(path: Path, text: str) -> Callable[[], Awaitable[bool]]:
    def read() -> bool:
        return path.is_file() and text in path.read_text(errors="replace")

    async def check() -> bool:
        return await asyncio.to_thread(read)

    return check


async def _worker_pid(*servers: int) -> int:
    """The `main.py worker` process just started (the bench's child that is not a server)."""
    from bench.server import children_of

    for _ in range(100):
        found = [pid for pid in children_of(os.getpid()) if pid not in servers]
        if found:
            return found[0]
        await asyncio.sleep(0.1)
    raise RuntimeError("the worker process did not start")


@dataclass(frozen=True)
class Delivery:
    """What the subscribers received, against what the events table says they should have.

    Counted per (subscriber, event) pair: an event two subscribers should see is two deliveries.
    """

    expected: int  # deliveries the committed events call for
    by_load_end: int  # of those, received before the load stopped
    after_drain: int  # received while the subscribers stayed connected after the load
    missing: int  # never received, even after the drain: lost
    duplicated: int  # received more than once (each extra copy counts)
    drain_seconds: float = 0.0
    missing_on_broken: int = 0  # of the missing, those of subscribers whose connection failed

    @property
    def ok(self) -> bool:
        return self.missing == 0 and self.duplicated == 0


def account(
    expected: Sequence[set[int]],
    received: Sequence[Sequence[int]],
    by_load_end: Sequence[int],
    broken: Sequence[bool] | None = None,
) -> Delivery:
    """Delivery counts for subscribers i = 0..n-1: expected[i] the event ids subscriber i should
    receive, received[i] those it received in order, by_load_end[i] how many of them had arrived
    when the load stopped, broken[i] whether its connection failed (its missing events are also
    counted apart: a real client would resubscribe with `after`)."""
    total = on_time = late = missing = on_broken = duplicated = 0
    for i, (want, got, mark) in enumerate(zip(expected, received, by_load_end, strict=True)):
        early = set(got[:mark]) & want
        all_got = set(got)
        total += len(want)
        on_time += len(early)
        late += len((all_got & want) - early)
        missing += len(want - all_got)
        if broken is not None and broken[i]:
            on_broken += len(want - all_got)
        duplicated += len(got) - len(all_got)
    return Delivery(total, on_time, late, missing, duplicated, missing_on_broken=on_broken)


async def _expected_events(
    conn: asyncpg.Connection, watchers: list[Watcher], start_id: int
) -> list[set[int]]:
    """For each watcher, the ids of the committed events since start_id it should receive:
    staff every review-queue event, a volunteer every offer made to them."""
    rows = await conn.fetch(
        "SELECT id FROM events WHERE id > $1 AND kind = ANY($2::text[])", start_id, sorted(REVIEW_QUEUE_KINDS)
    )
    queue_events = {row["id"] for row in rows}
    rows = await conn.fetch(
        "SELECT e.id, o.volunteer_id FROM events e JOIN offers o ON o.id = e.offer_id "
        "WHERE e.id > $1 AND e.kind = 'OFFERED'",
        start_id,
    )
    offers: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        offers[row["volunteer_id"]].add(row["id"])
    volunteer_ids = {
        row["n"] - 1: row["id"]
        for row in await conn.fetch("SELECT id, row_number() OVER (ORDER BY id) AS n FROM volunteers")
    }
    return [
        queue_events if w.kind == "queue" else offers.get(volunteer_ids[w.account_index], set())
        for w in watchers
    ]


async def _drain(
    conn: asyncpg.Connection, watchers: list[Watcher], start_id: int, seconds: float
) -> Delivery:
    """After the load: keep the subscribers connected until each has every event committed for it
    (the worker may still be triaging the backlog, which commits more) or `seconds` pass."""
    started = time.monotonic()
    while True:
        expected = await _expected_events(conn, watchers, start_id)
        delivery = account(
            expected,
            [w.received for w in watchers],
            [w.received_by_load_end for w in watchers],
            [w.failure is not None for w in watchers],
        )
        pending = await conn.fetchval("SELECT count(*) FROM triage_jobs WHERE done_at IS NULL")
        if (delivery.missing == 0 and not pending) or time.monotonic() - started > seconds:
            break
        await asyncio.sleep(1.0)
    return Delivery(**{**delivery.__dict__, "drain_seconds": time.monotonic() - started})


def report(
    args: argparse.Namespace,
    load_before: str,
    mix: Mix,
    wall: float,
    samples: dict[str, list[tuple[float, int]]],
    connections: list[int],
    delivery: Delivery,
    watchers: list[Watcher],
) -> int:
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average before {load_before}; "
        f"A and B: serve, workers=0; one `main.py worker`; {args.residents} residents, "
        f"{args.volunteers} volunteers, {len(watchers)} subscribers; {args.rate:g} operations/s "
        f"for {wall / 60:.1f} min, measured after {args.warmup_seconds:g} s of warm-up"
    )
    columns = ("count", "errors", "refused", "p50 ms", "p99 ms", "max ms")
    print(f"{'operation':<14} " + " ".join(f"{c:>8}" for c in columns))
    errors = 0
    total = 0
    for name, _, _ in mix.operations:
        stats = mix.stats.get(name, Stats())
        values = sorted(stats.latencies)
        errors += stats.errors
        total += len(values)
        print(
            f"{name:<14} {len(values):>8} {stats.errors:>8} {stats.refused:>8} {pct(values, 0.5):>8.1f} "
            f"{pct(values, 0.99):>8.1f} {(values[-1] if values else math.nan):>8.1f}"
        )
    measured_seconds = max(1.0, wall - args.warmup_seconds)
    print(f"operations measured: {total} ({total / measured_seconds:.1f}/s achieved); errors: {errors}")
    drift_ok = True
    for name, series in samples.items():
        after = [rss for t, rss in series if t >= args.warmup_seconds and rss]
        if not after:
            print(f"RSS {name}: no samples after the warm-up")
            drift_ok = False
            continue
        level = after[0]
        drift = max(abs(rss - level) for rss in after) / level
        drift_ok &= drift <= RSS_DRIFT_TARGET
        print(
            f"RSS {name}: {level / 2**20:.0f} MiB after warm-up, last {after[-1] / 2**20:.0f} MiB, "
            f"largest drift {100 * drift:.1f}% (target <= {100 * RSS_DRIFT_TARGET:g}%)"
        )
    # Each process: its pool, its event and revocation LISTEN connections.
    bound = 3 * (POOL_SIZE + 2)
    most = max(connections, default=0)
    print(f"database connections: at most {most} (bound {bound}: 3 pools of {POOL_SIZE} + 2 listeners each)")
    broken = [w for w in watchers if w.failure]
    d = delivery
    print(
        f"deliveries expected: {d.expected}; by the end of the load: {d.by_load_end}; "
        f"delivered after drain: {d.after_drain} "
        f"(drain {d.drain_seconds:.1f} s, limit {args.drain_seconds:g} s); "
        f"still missing after drain (lost): {d.missing} "
        f"({d.missing_on_broken} of them on broken subscribers); received twice: {d.duplicated}; "
        f"subscribers broken: {len(broken)}"
    )
    for stats_name, stats in mix.stats.items():
        for example in stats.examples:
            print(f"  {stats_name} error: {example}")
    for w in broken[:3]:
        print(f"  broken subscriber: {w.failure}")
    ok = errors == 0 and delivery.ok and not broken and drift_ok and most <= bound
    print("targets: " + ("met" if ok else "MISSED"))
    return 0 if ok else 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--minutes", type=float, default=10.0, help="how long the mix runs")
    parser.add_argument("--rate", type=float, default=200.0, help="operations started per second")
    parser.add_argument("--subscribers", type=int, default=200, help="live subscribers over A and B")
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--volunteers", type=int, default=20)
    parser.add_argument(
        "--warmup-seconds", type=float, default=60.0, help="not measured; RSS levels are taken at its end"
    )
    parser.add_argument(
        "--drain-seconds",
        type=float,
        default=DRAIN_SECONDS,
        help="after the load, how long subscribers stay connected to receive every committed event",
    )
    parser.add_argument(
        "--steps",
        type=lambda text: [float(x) for x in text.split(",")],
        default=None,
        help="find the highest sustained rate: these rates (e.g. 20,40,60) in turn, until one fails",
    )
    parser.add_argument(
        "--step-seconds",
        type=float,
        default=180.0,
        help="each step's length (45 s proved too short: the subscribers' lag grows slowly)",
    )
    parser.add_argument("--step-warmup-seconds", type=float, default=15.0, help="not measured, each step")
    parser.add_argument("--step-p99-ms", type=float, default=2000.0, help="a sustained step's p99 at most")
    parser.add_argument(
        "--settle-seconds",
        type=float,
        default=20.0,
        help="a sustained step's subscribers and triage catch up within this after it",
    )
    parser.add_argument("--seed", type=int, default=11, help="of the operation mix")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="emptied first, deleted at the end")


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
