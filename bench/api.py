"""`python -m bench api`: API latency and throughput against a real server process.

One `main.py serve` subprocess on a fresh embedded database (OTONARI_DATA_DIR=var/bench-api,
deleted at the end), with OTONARI_WORKERS=0 unless --with-workers (the model's CPU work would
otherwise pollute the API numbers) and a submit rate limit high enough never to interfere.
The bench creates a staff account with `main.py create-staff`, registers one resident per
client through the API and seeds requests (triaged by a short-lived `main.py worker`, so reads
return real triage data), then measures, with --clients concurrent clients (asyncio tasks, one
keep-alive httpx.AsyncClient each, closed loop), in this order:

  hello          `{ hello }` on a bare strawberry schema served by the same process at
                 /_bench/hello (OTONARI_BENCH_HELLO=1): the floor of HTTP + strawberry;
  request(id)    a resident reading one of their own requests;
  submitRequest  a resident submitting a request;
  page 5/page 50 staff reading a page of 5 or 50 requests with each one's resident and its
                 offers' volunteers (PAGE): with batched reads its statements stay the same
                 (counted by the server, OTONARI_COUNT_STATEMENTS=1) and only the server's CPU
                 grows with the page. For these the bench registers a few volunteers, vets them
                 and approves the seeded requests, so each has offers.

It also times the query-cost analysis in this process (service.cost): planning a document the
first time, and evaluating the cached plan as every later request does.

Each phase runs a fixed number of operations (after an unmeasured warm-up) under a time limit.
Besides p50/p99 and throughput it reports the CPU each process group spent per operation
(server, PostgreSQL, this load generator), read from /proc, which says where the time went.
With --baseline-ops, each operation is also timed with a single client (service time, no queue).

Targets: request(id) p99 under 3x the hello p99; submitRequest p50 under 20 ms; the page query
runs as many statements at 5 as at 50; the cached cost analysis adds at most 100 us a request.
Exit status 1 when a target is missed or an operation failed.
"""

import argparse
import asyncio
import math
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.server import (
    REGISTER,
    SUBMIT,
    TEXTS,
    CpuMeter,
    Database,
    ServerProcess,
    background_command,
    create_staff,
    database_pids,
    fresh_database,
    running_server,
    server_env,
    wait_until,
)

DATA_DIR = Path("var/bench-api")
READ_P99_RATIO_TARGET = 3.0
SUBMIT_P50_TARGET_MS = 20.0
COST_TARGET_US = 100.0
SETUP_TIMEOUT = 300.0

HELLO = "{ hello }"
READ = "query($id: ID!) { request(id: $id) { id status text field urgency triage { field } } }"
COUNT = "query($status: [RequestStatus!]) { requests(status: $status, first: 1) { totalCount } }"
PAGE = """query Page($first: Int!) {
  requests(first: $first, status: [OPEN]) {
    edges { node { resident { displayName } offers { volunteer { displayName } } } }
  }
}"""
PAGE_SIZES = (5, 50)
VOLUNTEERS = 3
REGISTER_VOLUNTEER = """mutation($input: RegisterVolunteerInput!) {
  registerVolunteer(input: $input) { volunteer { id } errors { message } }
}"""
VERIFY = """mutation($id: ID!) {
  setVolunteerVerified(volunteerId: $id, verified: true) { errors { message } }
}"""
APPROVE = """mutation($input: ReviewTriageInput!) {
  reviewTriage(input: $input) { request { status } errors { message } }
}"""
COST_ROUNDS = 20000

AREAS = ("Katsushika", "Shinjuku", "Adachi", "Edogawa", "Toshima", "Kawaguchi")


class OpFailed(Exception):
    pass


@dataclass
class Client:
    """One simulated resident: its own connection, token and requests."""

    http: httpx.AsyncClient
    token: str
    request_ids: list[str]
    rng: random.Random
    submitted: int = 0


async def call(http: httpx.AsyncClient, path: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = await call_body(http, path, query, variables)
    data: dict[str, Any] = body["data"]
    return data


async def call_body(
    http: httpx.AsyncClient, path: str, query: str, variables: dict[str, Any]
) -> dict[str, Any]:
    """The whole response (data and extensions) of an operation that must not fail."""
    response = await http.post(path, json={"query": query, "variables": variables})
    if response.status_code != 200:
        raise OpFailed(f"HTTP {response.status_code}: {response.text[:300]}")
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise OpFailed(str(body["errors"])[:300])
    return body


def _text(rng: random.Random, n: int) -> str:
    return f"{rng.choice(TEXTS)} (#{n})"


async def op_hello(c: Client) -> None:
    data = await call(c.http, "/_bench/hello", HELLO, {})
    if data.get("hello") != "world":
        raise OpFailed(f"unexpected hello: {data}")


async def op_read(c: Client) -> None:
    wanted = c.rng.choice(c.request_ids)
    data = await call(c.http, "/graphql", READ, {"id": wanted})
    if (data.get("request") or {}).get("id") != wanted:
        raise OpFailed(f"request {wanted} not returned: {data}")


async def op_submit(c: Client) -> None:
    c.submitted += 1
    data = await call(c.http, "/graphql", SUBMIT, {"input": {"text": _text(c.rng, c.submitted)}})
    payload = data["submitRequest"]
    if payload["errors"] or not payload["request"]:
        c.submitted -= 1
        raise OpFailed(f"submit refused: {payload['errors']}")


def op_page(first: int) -> "Op":
    async def page(c: Client) -> None:
        data = await call(c.http, "/graphql", PAGE, {"first": first})
        edges = data["requests"]["edges"]
        if len(edges) != first or not all(e["node"]["offers"] for e in edges):
            raise OpFailed(f"page of {first}: {len(edges)} edges, some without offers")

    return page


Op = Callable[[Client], Awaitable[None]]


@dataclass
class PhaseResult:
    name: str
    clients: int
    latencies: list[float]  # seconds, sorted
    errors: int
    wall: float
    cpu: dict[str, float]
    first_error: str | None = None

    def pct(self, q: float) -> float:
        """Nearest-rank percentile in ms."""
        if not self.latencies:
            return math.nan
        return 1000 * self.latencies[max(0, math.ceil(q * len(self.latencies)) - 1)]

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall if self.wall else math.nan

    def cpu_ms_per_op(self, group: str) -> float:
        done = len(self.latencies) + self.errors
        return 1000 * self.cpu.get(group, 0.0) / done if done else math.nan


async def run_phase(
    name: str,
    clients: Sequence[Client],
    op: Op,
    *,
    ops: int,
    warmup: int,
    time_limit: float,
    cpu_groups: Callable[[], dict[str, list[int]]],
) -> PhaseResult:
    """Warm up (unmeasured), then `ops` operations shared by the clients, closed loop."""
    per_client = max(1, warmup // len(clients))
    await asyncio.gather(*(op(c) for c in clients for _ in range(per_client)))
    remaining = ops
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + time_limit

    async def drive(c: Client) -> None:
        nonlocal remaining
        while remaining > 0 and time.monotonic() < deadline:
            remaining -= 1
            start = time.perf_counter()
            try:
                await op(c)
            except (OpFailed, httpx.HTTPError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append(time.perf_counter() - start)

    # Database backends are listed after the warm-up: the server's pool is open by then.
    meter = CpuMeter(cpu_groups())
    meter.start()
    started = time.perf_counter()
    await asyncio.gather(*(drive(c) for c in clients))
    wall = time.perf_counter() - started
    cpu = meter.stop()
    if remaining > 0:
        errors.append(f"time limit: {remaining} of {ops} operations not run")
    return PhaseResult(
        name, len(clients), sorted(latencies), len(errors), wall, cpu, errors[0] if errors else None
    )


async def _count(staff: httpx.AsyncClient, status: list[str] | None = None) -> int:
    data = await call(staff, "/graphql", COUNT, {"status": status})
    total: int = data["requests"]["totalCount"]
    return total


async def _register(http: httpx.AsyncClient, i: int) -> str:
    data = await call(
        http,
        "/graphql",
        REGISTER,
        {
            "input": {
                "displayName": f"Bench resident {i}",
                "languages": ["vi", "en"],
                "area": AREAS[i % len(AREAS)],
                "contact": f"bench{i}@example.org",
            }
        },
    )
    payload = data["registerResident"]
    if payload["errors"]:
        raise OpFailed(f"register refused: {payload['errors']}")
    token: str = payload["token"]
    return token


def _client(server: ServerProcess, token: str) -> httpx.AsyncClient:
    # One connection per simulated client, kept alive across its operations.
    return httpx.AsyncClient(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
        trust_env=False,  # straight to 127.0.0.1, whatever proxy the environment names
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
    )


async def _seed(
    server: ServerProcess, args: argparse.Namespace, env: dict[str, str], db: Database
) -> tuple[list[Client], httpx.AsyncClient, str]:
    staff_token = await asyncio.to_thread(create_staff, env, "Bench staff")
    staff = _client(server, staff_token)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30, trust_env=False) as anonymous:
        tokens = await asyncio.gather(*(_register(anonymous, i) for i in range(args.clients)))
    clients = [Client(_client(server, t), t, [], random.Random(i)) for i, t in enumerate(tokens)]

    async def seed(c: Client) -> None:
        for _ in range(args.seed):
            c.submitted += 1
            data = await call(c.http, "/graphql", SUBMIT, {"input": {"text": _text(c.rng, c.submitted)}})
            c.request_ids.append(data["submitRequest"]["request"]["id"])

    await asyncio.gather(*(seed(c) for c in clients))

    async def triaged() -> bool:
        return await _count(staff, ["RECEIVED"]) == 0

    if args.with_workers:
        await wait_until(triaged, "the seeded requests to be triaged", SETUP_TIMEOUT)
    else:
        # A short-lived worker process triages the seed, so reads return real triage data,
        # and is gone before anything is measured.
        with background_command("seed-worker", env, db.data_dir / "logs", "worker"):
            await wait_until(triaged, "the seeded requests to be triaged", SETUP_TIMEOUT)
    return clients, staff, staff_token


async def _seed_offers(server: ServerProcess, staff: httpx.AsyncClient, clients: Sequence[Client]) -> None:
    """Vetted volunteers for every field and language, and enough approved requests (OPEN, each
    with its offers) for the largest page."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=60, trust_env=False) as anonymous:
        for i in range(VOLUNTEERS):
            data = await call(
                anonymous,
                "/graphql",
                REGISTER_VOLUNTEER,
                {
                    "input": {
                        "displayName": f"Bench volunteer {i}",
                        "languages": ["vi", "en", "zh", "es", "ko", "pt", "tl"],
                        "skills": "interpreting, forms at the ward office, hospital visits, schools",
                        "fields": ["MEDICAL", "WELFARE", "CHILDCARE_EDUCATION", "LIFELINE", "OTHER"],
                        "area": AREAS[i % len(AREAS)],
                        "availability": "any time",
                        "remoteOk": True,
                        "maxActiveRequests": 20,
                        "contact": f"volunteer{i}@example.org",
                    }
                },
            )
            volunteer = data["registerVolunteer"]["volunteer"]
            await call(staff, "/graphql", VERIFY, {"id": volunteer["id"]})
    ids = [rid for c in clients for rid in c.request_ids][: max(PAGE_SIZES) + 10]
    for rid in ids:
        data = await call(staff, "/graphql", APPROVE, {"input": {"requestId": rid, "decision": "APPROVE"}})
        if data["reviewTriage"]["errors"]:
            raise OpFailed(f"approval refused: {data['reviewTriage']['errors']}")
    opened = await _count(staff, ["OPEN"])
    if opened < max(PAGE_SIZES):
        raise OpFailed(f"only {opened} requests are OPEN with offers after approving {len(ids)}")


async def _statements(staff: httpx.AsyncClient) -> dict[int, int]:
    """SQL statements of the page query at each page size, as the server counts them."""
    found = {}
    for first in PAGE_SIZES:
        body = await call_body(staff, "/graphql", PAGE, {"first": first})
        found[first] = int(body["extensions"]["statements"])
    return found


def cost_overhead() -> tuple[float, float]:
    """Microseconds to plan the page query's cost the first time, and to evaluate the cached plan."""
    from graphql import parse

    from schema import build_schema
    from service.cost import plan

    schema = build_schema()._schema
    document = parse(PAGE)
    rounds = COST_ROUNDS // 20
    started = time.perf_counter()
    for _ in range(rounds):
        steps = plan(schema, document, "Page")
    planning = (time.perf_counter() - started) / rounds
    assert steps is not None  # noqa: S101 - the bench's own document
    variables = {"first": 50}
    started = time.perf_counter()
    for _ in range(COST_ROUNDS):
        sum(step.cost(variables) for step in steps)
    cached = (time.perf_counter() - started) / COST_ROUNDS
    return 1e6 * planning, 1e6 * cached


def _fmt(x: float, digits: int = 1) -> str:
    return "-" if math.isnan(x) else f"{x:.{digits}f}"


def render(results: Sequence[PhaseResult]) -> str:
    lines = [
        f"{'operation':<14} {'clients':>7} {'ops':>6} {'p50 ms':>8} {'p99 ms':>8} {'ops/s':>7} "
        f"{'server':>7} {'db':>6} {'bench':>6} {'other':>6} {'errors':>6}",
        f"{'':<14} {'':>7} {'':>6} {'':>8} {'':>8} {'':>7} {'---- CPU ms per op ----':>28}",
    ]
    for r in results:
        lines.append(
            f"{r.name:<14} {r.clients:>7} {len(r.latencies):>6} {_fmt(r.pct(0.5)):>8} "
            f"{_fmt(r.pct(0.99)):>8} {_fmt(r.throughput, 0):>7} {_fmt(r.cpu_ms_per_op('server'), 2):>7} "
            f"{_fmt(r.cpu_ms_per_op('db'), 2):>6} {_fmt(r.cpu_ms_per_op('bench'), 2):>6} "
            f"{_fmt(r.cpu_ms_per_op('other'), 2):>6} {r.errors:>6}"
        )
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--ops", type=int, default=4000, help="measured hello and request(id) operations")
    parser.add_argument("--submit-ops", type=int, default=2000, help="measured submitRequest operations")
    parser.add_argument("--page-ops", type=int, default=1000, help="measured page 5 and page 50 operations")
    parser.add_argument("--warmup", type=int, default=500, help="unmeasured operations before each phase")
    parser.add_argument("--baseline-ops", type=int, default=300, help="single-client operations (0: skip)")
    parser.add_argument("--seed", type=int, default=4, help="requests seeded per resident")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per phase at most")
    parser.add_argument(
        "--with-workers", action="store_true", help="OTONARI_WORKERS=1: the server also triages"
    )
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="emptied first, deleted at the end")


async def _run(args: argparse.Namespace) -> int:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())  # before we add our own
    async with fresh_database(args.data_dir) as db:
        env = server_env(
            db.data_dir,
            OTONARI_WORKERS="1" if args.with_workers else "0",
            OTONARI_SUBMIT_RATE_PER_MINUTE="100000000",
            OTONARI_REQUESTS_RATE_PER_HOUR="100000000",
            OTONARI_REGISTER_RATE_PER_HOUR="100000000",
            OTONARI_BENCH_HELLO="1",
            OTONARI_COUNT_STATEMENTS="1",
        )
        async with running_server("api", env, db.data_dir / "logs") as server:
            clients, staff, staff_token = await _seed(server, args, env, db)
            seeded = sum(c.submitted for c in clients)
            await _seed_offers(server, staff, clients)
            statements = await _statements(staff)
            staff_clients = [
                Client(_client(server, staff_token), staff_token, [], random.Random(i))
                for i in range(args.clients)
            ]
            phases: list[tuple[str, Op, int, list[Client]]] = [
                ("hello", op_hello, args.ops, clients),
                ("request(id)", op_read, args.ops, clients),
                *[(f"page {n}", op_page(n), args.page_ops, staff_clients) for n in PAGE_SIZES],
                ("submitRequest", op_submit, args.submit_ops, clients),
            ]

            def groups() -> dict[str, list[int]]:
                return {"server": [server.pid], "db": database_pids(db), "bench": [os.getpid()]}

            results: list[PhaseResult] = []
            try:
                # Full concurrency first, in the order above; then the single-client baselines.
                plan = [(name, op, ops, group) for name, op, ops, group in phases]
                if args.baseline_ops > 0:
                    plan += [(name, op, args.baseline_ops, group[:1]) for name, op, _, group in phases]
                for name, op, ops, group in plan:
                    result = await run_phase(
                        name,
                        group,
                        op,
                        ops=ops,
                        warmup=min(args.warmup, ops),
                        time_limit=args.time_limit,
                        cpu_groups=groups,
                    )
                    results.append(result)
                    print(
                        f"  {name} x{len(group)}: {len(result.latencies)} ops in {result.wall:.1f}s",
                        file=sys.stderr,
                    )
                # Every successful submission is stored: staff see exactly that many requests.
                stored = await _count(staff)
                expected = sum(c.submitted for c in clients)
            finally:
                for c in [*clients, *staff_clients]:
                    await c.http.aclose()
                await staff.aclose()
    planning_us, cached_us = cost_overhead()

    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}; server workers="
        f"{env['OTONARI_WORKERS']}, pool={env.get('OTONARI_DB_POOL_SIZE', '10 (default)')}; "
        f"{args.clients} residents, {seeded} seeded requests"
    )
    print(render(results))
    print(
        "page query SQL statements: "
        + ", ".join(f"{statements[n]} at first={n}" for n in PAGE_SIZES)
        + f"; cost analysis: {planning_us:.0f} us to plan the document once, "
        f"{cached_us:.1f} us per request with the plan cached"
    )
    return _verdict(results, args.clients, stored, expected, statements, cached_us)


def _verdict(
    results: Sequence[PhaseResult],
    clients: int,
    stored: int,
    expected: int,
    statements: dict[int, int],
    cost_us: float,
) -> int:
    by_name = {r.name: r for r in results if r.clients == clients}
    hello, read, submit = by_name["hello"], by_name["request(id)"], by_name["submitRequest"]
    ratio = read.pct(0.99) / hello.pct(0.99)
    submit_p50 = submit.pct(0.5)
    ok_ratio = ratio < READ_P99_RATIO_TARGET
    ok_submit = submit_p50 < SUBMIT_P50_TARGET_MS
    print(
        f"request(id) p99 / hello p99 = {ratio:.2f} (target < {READ_P99_RATIO_TARGET:g}): "
        f"{'met' if ok_ratio else 'MISSED'}"
    )
    print(
        f"submitRequest p50 = {submit_p50:.1f} ms (target < {SUBMIT_P50_TARGET_MS:g} ms): "
        f"{'met' if ok_submit else 'MISSED'}"
    )
    failed = [r for r in results if r.errors]
    for r in failed:
        print(f"{r.name} x{r.clients}: {r.errors} errors, first: {r.first_error}")
    consistent = stored == expected
    if not consistent:
        print(f"staff see {stored} requests, {expected} were submitted successfully")
    ok_batched = len(set(statements.values())) == 1
    ok_cost = cost_us <= COST_TARGET_US
    print(
        f"page statements equal at every size: {'met' if ok_batched else 'MISSED'}; cached cost "
        f"analysis {cost_us:.1f} us (target <= {COST_TARGET_US:g} us): {'met' if ok_cost else 'MISSED'}"
    )
    ok = ok_ratio and ok_submit and ok_batched and ok_cost
    return 0 if ok and not failed and consistent else 1


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench api", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
