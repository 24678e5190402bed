"""`python -m bench live`: from a mutation's commit to the event at a subscriber on another process.

Two `main.py serve` subprocesses share one fresh embedded database (OTONARI_DATA_DIR=
var/bench-live, deleted at the end): A (OTONARI_WORKERS=1) takes the mutations and triages,
B (OTONARI_WORKERS=0) holds the subscribers. Set-up: one resident submits --events (+ --warmup)
requests to A and the bench waits until A's worker has put all of them in the review queue.
Then --subscribers staff accounts connect to B with real graphql-transport-ws clients
(token in the connection_init payload) and subscribe to `reviewQueueUpdated`, and a staff
client sends `reviewTriage(input: {requestId, decision: CLOSE})` to A for each request, paced
at --rate per second (open loop: a slow answer does not slow the pacing). Every subscriber
must receive each request's REVIEWED event.

Latency = arrival time at the subscriber (wall clock, taken as the message is read) minus the
event's `at`: PostgreSQL's clock_timestamp() when the event row was inserted, inside the
mutation's transaction just before its commit. Both are the same machine's clock, so no skew;
`at` precedes the commit by the rest of the transaction (here: one UPDATE and one INSERT), so
the figure slightly overstates commit-to-delivery. As a check the bench verifies that every
`at` lies between the client's send and the response, and also reports arrival minus the
client's send time (which adds A's handling of the mutation).

Each CLOSE makes two queue events (REVIEWED, CLOSED), so B sends 2 x --subscribers messages
per mutation; the report gives B's CPU per message, the figure that bounds the sustainable rate.
Every review also teaches A's triage engine (re-embedding, retraining) when A runs workers;
--separate-worker triages the set-up in a short-lived `main.py worker` instead and runs A with
OTONARI_WORKERS=0, so that work does not compete with B for the CPU.

Target: p99 under 100 ms over all deliveries. Exit status 1 when missed or events are lost.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from bench.server import (
    REGISTER,
    SUBMIT,
    TEXTS,
    CpuMeter,
    ServerProcess,
    api_client,
    background_command,
    cancel_all,
    create_staff,
    database_pids,
    fresh_database,
    gql,
    running_server,
    server_env,
    wait_until,
)
from service.accounts import create_staff as create_staff_account

DATA_DIR = Path("var/bench-live")
P99_TARGET_MS = 100.0
SETUP_TIMEOUT = 600.0
DRAIN_SECONDS = 30.0  # the warm-up must arrive within this
STALL_SECONDS = 10.0  # after the last mutation: give up once nothing has arrived for this long
DRAIN_LIMIT = 300.0  # ... or after this long in any case

QUEUE_UPDATED = "subscription { reviewQueueUpdated { kind at request { id status } } }"
REVIEW = """mutation($input: ReviewTriageInput!) {
  reviewTriage(input: $input) { request { id status } errors { path message code } }
}"""
QUEUE_SIZE = "{ reviewQueue(first: 1) { totalCount } }"


@dataclass
class Subscriber:
    """One graphql-transport-ws connection with one reviewQueueUpdated subscription."""

    ws: ClientConnection
    # request id -> (event `at`, arrival), both epoch seconds; REVIEWED events only.
    reviewed: dict[str, tuple[float, float]] = field(default_factory=dict)
    other_events: int = 0
    messages: int = 0  # every `next`, whatever its kind
    failure: str | None = None

    @classmethod
    async def open(cls, base_url: str, token: str) -> "Subscriber":
        ws = await connect(
            base_url.replace("http", "ws", 1) + "/graphql",
            subprotocols=[Subprotocol("graphql-transport-ws")],
            proxy=None,
            max_queue=None,  # never let the library apply backpressure: we want every event
        )
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"connection refused: {ack}")
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUEUE_UPDATED}}))
        return cls(ws)

    async def read(self) -> None:
        """Until closed: record when each REVIEWED event arrives."""
        try:
            async for raw in self.ws:
                arrived = time.time()  # first thing: the message has just been read
                message = json.loads(raw)
                kind = message.get("type")
                if kind == "ping":
                    await self.ws.send(json.dumps({"type": "pong"}))
                elif kind == "next":
                    self.messages += 1
                    event = (message["payload"].get("data") or {}).get("reviewQueueUpdated")
                    if not event:
                        self.failure = f"error payload: {message['payload']}"
                    elif event["kind"] == "REVIEWED":
                        at = datetime.fromisoformat(event["at"]).timestamp()
                        self.reviewed[event["request"]["id"]] = (at, arrived)
                    else:
                        self.other_events += 1
                elif kind in ("error", "complete"):
                    self.failure = f"subscription ended: {message}"
                    return
        except ConnectionClosed as exc:
            self.failure = self.failure or f"connection closed: {exc}"


@dataclass
class Sent:
    request_id: str
    sent: float  # epoch seconds, just before the POST
    answered: float = math.nan
    error: str | None = None


async def _review(http: httpx.AsyncClient, request_id: str) -> Sent:
    record = Sent(request_id, time.time())
    try:
        data = await gql(http, REVIEW, {"input": {"requestId": request_id, "decision": "CLOSE"}})
        record.answered = time.time()
        payload = data["reviewTriage"]
        if payload["errors"] or payload["request"]["status"] != "CLOSED":
            record.error = f"refused: {payload}"
    except (httpx.HTTPError, RuntimeError) as exc:
        record.error = f"{type(exc).__name__}: {exc}"
    return record


async def paced_reviews(http: httpx.AsyncClient, request_ids: Sequence[str], rate: float) -> list[Sent]:
    """One mutation every 1/rate s on a fixed schedule, each in its own task (open loop)."""
    start = time.monotonic()
    tasks = []
    for i, request_id in enumerate(request_ids):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_review(http, request_id)))
    return list(await asyncio.gather(*tasks))


async def drain(subscribers: Sequence[Subscriber], expected: int) -> None:
    """Until every subscriber has every event, nothing arrives for STALL_SECONDS, or DRAIN_LIMIT
    passes: a backlog still draining is measured, not cut off; lost events are reported."""
    deadline = time.monotonic() + DRAIN_LIMIT
    seen, progressed = -1, time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - progressed < STALL_SECONDS:
        count = sum(len(s.reviewed) for s in subscribers)
        if count >= expected * len(subscribers):
            return
        if count != seen:
            seen, progressed = count, time.monotonic()
        await asyncio.sleep(0.2)


def pct(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, math.ceil(q * len(values)) - 1)] if values else math.nan


async def _prepare(
    a: ServerProcess, env: dict[str, str], db_url: str, logs: Path, args: argparse.Namespace
) -> tuple[str, list[str], list[str]]:
    """The reviewer's token (via `main.py create-staff`), subscriber tokens, triaged requests."""
    reviewer = await asyncio.to_thread(create_staff, env, "Bench reviewer")
    # The subscriber accounts straight into the database: 100 CLI start-ups would take minutes.
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=2)
    try:
        watchers = [await create_staff_account(pool, f"Bench watcher {i}") for i in range(args.subscribers)]
    finally:
        await pool.close()

    async with api_client(a) as anonymous:
        data = await gql(
            anonymous,
            REGISTER,
            {
                "input": {
                    "displayName": "Bench",
                    "languages": ["vi"],
                    "area": "Katsushika",
                    "contact": "bench@example.org",
                }
            },
        )
    resident = data["registerResident"]["token"]
    total: int = args.events + args.warmup
    ids: list[str] = []
    async with api_client(a, resident) as http:
        for start in range(0, total, 20):
            batch = await asyncio.gather(
                *(
                    gql(http, SUBMIT, {"input": {"text": f"{TEXTS[i % len(TEXTS)]} (#{i})"}})
                    for i in range(start, min(total, start + 20))
                )
            )
            ids += [b["submitRequest"]["request"]["id"] for b in batch]
    async with api_client(a, reviewer) as staff:

        async def all_in_review() -> bool:
            size: int = (await gql(staff, QUEUE_SIZE))["reviewQueue"]["totalCount"]
            return size >= total

        what = f"the worker to triage {total} requests"
        if args.separate_worker:
            # Triage in a `main.py worker` of its own, stopped before anything is measured.
            with background_command("triage-worker", {**env, "OTONARI_WORKERS": "1"}, logs, "worker"):
                await wait_until(all_in_review, what, SETUP_TIMEOUT)
        else:
            await wait_until(all_in_review, what, SETUP_TIMEOUT)
    return reviewer, watchers, ids


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--subscribers", type=int, default=100, help="WebSocket subscribers on B")
    parser.add_argument("--events", type=int, default=1000, help="measured reviewTriage(CLOSE) mutations")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured mutations first")
    parser.add_argument("--rate", type=float, default=25.0, help="mutations per second (paced)")
    parser.add_argument(
        "--separate-worker",
        action="store_true",
        help="triage the set-up in a short-lived `main.py worker` and run A with OTONARI_WORKERS=0, "
        "so that A's model work (learning from every review) does not compete for the CPU",
    )
    parser.add_argument(
        "--b-processes", type=int, default=1, help="spread the subscribers over this many B processes"
    )
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="emptied first, deleted at the end")
    parser.add_argument("--dump", type=Path, help="write one JSON line per measured event here")


async def _run(args: argparse.Namespace) -> int:
    args.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())  # before we add our own
    async with fresh_database(args.data_dir) as db:
        logs = db.data_dir / "logs"
        env_a = server_env(
            db.data_dir,
            OTONARI_WORKERS="0" if args.separate_worker else "1",
            OTONARI_SUBMIT_RATE_PER_MINUTE="100000000",
        )
        env_b = server_env(db.data_dir, OTONARI_WORKERS="0")
        # A first: both processes would otherwise race to convert the model into the fresh dir.
        async with contextlib.AsyncExitStack() as stack:
            a = await stack.enter_async_context(running_server("A", env_a, logs))
            bs = [
                await stack.enter_async_context(running_server(f"B{i + 1}", env_b, logs))
                for i in range(args.b_processes)
            ]
            reviewer, watchers, ids = await _prepare(a, env_a, db.url, logs, args)
            print(f"  {len(ids)} requests triaged; connecting {len(watchers)} subscribers", file=sys.stderr)
            # Round robin over the B processes: each fans events out to its own subscribers.
            subscribers = list(
                await asyncio.gather(
                    *(Subscriber.open(bs[i % len(bs)].base_url, t) for i, t in enumerate(watchers))
                )
            )
            readers = [asyncio.create_task(s.read()) for s in subscribers]
            try:
                async with api_client(a, reviewer) as staff:
                    warm, measured = ids[: args.warmup], ids[args.warmup :]
                    await paced_reviews(staff, warm, args.rate)
                    if warm:

                        async def warmed() -> bool:
                            return all(warm[-1] in s.reviewed for s in subscribers)

                        await wait_until(warmed, "the warm-up events at every subscriber", DRAIN_SECONDS)
                    groups = {
                        "A": [a.pid],
                        "B": [b.pid for b in bs],
                        "PostgreSQL": database_pids(db),
                        "bench": [os.getpid()],
                    }
                    meter = CpuMeter(groups)
                    meter.start()
                    started = time.perf_counter()
                    messages_before = sum(s.messages for s in subscribers)
                    sent = await paced_reviews(staff, measured, args.rate)

                    await drain(subscribers, len(ids))
                    wall = time.perf_counter() - started
                    cpu = meter.stop()
                    messages = sum(s.messages for s in subscribers) - messages_before
            finally:
                for s in subscribers:
                    await s.ws.close()
                await cancel_all(readers)
    return report(args, subscribers, sent, cpu, wall, messages)


def report(
    args: argparse.Namespace,
    subscribers: Sequence[Subscriber],
    sent: Sequence[Sent],
    cpu: dict[str, float],
    wall: float,
    messages: int,
) -> int:
    ok = [s for s in sent if s.error is None]
    deliveries: list[float] = []  # arrival - at, every subscriber and event
    from_send: list[float] = []  # arrival - client send
    last: list[float] = []  # per event: arrival at its last subscriber - at
    in_order = 0
    missing = 0
    dump = args.dump.open("w") if args.dump else None
    for s in ok:
        arrivals = [sub.reviewed.get(s.request_id) for sub in subscribers]
        got = [x for x in arrivals if x is not None]
        missing += len(arrivals) - len(got)
        if not got:
            continue
        at = got[0][0]
        in_order += s.sent <= at <= s.answered
        deliveries += [1000 * (arrived - at) for _, arrived in got]
        from_send += [1000 * (arrived - s.sent) for _, arrived in got]
        last.append(1000 * (max(arrived for _, arrived in got) - at))
        if dump is not None:
            times = sorted(arrived for _, arrived in got)
            record = {"id": s.request_id, "sent": s.sent, "at": at, "answered": s.answered}
            dump.write(json.dumps({**record, "first": times[0], "last": times[-1]}) + "\n")
    if dump is not None:
        dump.close()
    round_trip = sorted(1000 * (s.answered - s.sent) for s in ok)
    deliveries.sort()
    from_send.sort()
    last.sort()

    def row(name: str, values: Sequence[float]) -> str:
        return (
            f"{name:<44} {pct(values, 0.5):>7.1f} {pct(values, 0.99):>7.1f} "
            f"{(values[-1] if values else math.nan):>7.1f} {len(values):>8}"
        )

    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {args.load_before}; "
        f"A: workers={0 if args.separate_worker else 1}, takes the mutations; "
        f"B: workers=0, {len(subscribers)} subscribers"
        f"{f' over {args.b_processes} processes' if args.b_processes > 1 else ''}; "
        f"{len(sent)} reviewTriage(CLOSE) at {args.rate:g}/s"
    )
    print(f"{'latency (ms)':<44} {'p50':>7} {'p99':>7} {'max':>7} {'samples':>8}")
    print(row("commit -> subscriber (arrival - at)", deliveries))
    print(row("commit -> last subscriber of each event", last))
    print(row("client send -> subscriber", from_send))
    print(row("mutation round trip at A (send -> response)", round_trip))
    failed = [s for s in sent if s.error is not None]
    broken = [s for s in subscribers if s.failure]
    print(
        f"deliveries missing: {missing}; mutations failed: {len(failed)}; subscribers broken: {len(broken)}; "
        f"`at` between send and response: {in_order}/{len(ok)}"
    )
    cores = ", ".join(f"{k} {v / wall:.2f}" for k, v in cpu.items())
    print(f"CPU during the measured phase ({wall:.1f}s), in cores: {cores}")
    # Every mutation here makes two queue events (REVIEWED, CLOSED): the fan-out B must sustain.
    offered = messages / len(sent) * args.rate if sent else math.nan
    per_message = 1000 * cpu.get("B", 0.0) / max(1, messages)
    print(
        f"B sent {messages} messages: {messages / wall:.0f}/s over the phase, {offered:.0f}/s offered "
        f"at {args.rate:g} mutations/s; B CPU per message {per_message:.3f} ms"
    )
    p99 = pct(deliveries, 0.99)
    met = p99 < P99_TARGET_MS
    verdict = "met" if met else "MISSED"
    print(f"commit -> subscriber p99 = {p99:.1f} ms (target < {P99_TARGET_MS:g} ms): {verdict}")
    for s in failed[:3]:
        print(f"  failed mutation {s.request_id}: {s.error}")
    for sub in broken[:3]:
        print(f"  broken subscriber: {sub.failure}")
    return 0 if met and not missing and not failed and not broken else 1


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench live", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
