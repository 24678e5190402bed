"""`python -m bench hostile`: what hostile documents cost a real server, over HTTP and WebSocket.

One `main.py serve` subprocess (OTONARI_WORKERS=0) on a fresh embedded database
(OTONARI_DATA_DIR=var/bench-hostile, deleted at the end); one resident registered through the
API sends everything. Three parts, each over both transports (HTTP POST; one graphql-transport-ws
connection, one `subscribe` at a time):

  cost      for each hostile shape (below), --per-shape distinct documents one after another:
            latency p50/max and the server's CPU per document (read from /proc). Beside them,
            a trivial `{ viewer { role } }` measured the same way: the baseline.
  memory    --docs distinct maximal documents (shapes cycled: the largest body the limit lets
            through, refused and accepted ones, and documents just small enough to be cached),
            with the server's resident memory (VmRSS) at its highest and after, beside its level
            before the first hostile document of the run (after start-up and 100 trivial queries).
  bystander while the memory part runs, a second client sends `{ viewer { role } }` in a loop
            over HTTP: its p50/p99 beside the same query on an idle server.

Shapes: huge_fields (` role` repeated up to the body limit), duplicate_fields (one field
repeated, within the token limit), nested_duplicates (two copies of each field at every level,
the shape whose validation grows with the square of its size), repeated_directive,
many_fragments, conflicting_aliases, syntax_error (an unclosed document at the body limit),
deep_json (5,000 nested arrays in the variables), lone_surrogate; and accepted ones:
padded (a valid query with a comment up to the body limit) and cacheable (valid, distinct,
just under the size the document cache keeps).

Targets: every refused shape costs at most 20 ms of server CPU per document; resident memory
ends within 50 MB of its level before the first hostile document, after each transport's part.
Exit status 1 when a target is missed.
"""

import argparse
import asyncio
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from bench.server import (
    REGISTER,
    CpuMeter,
    ServerProcess,
    fresh_database,
    running_server,
    server_env,
)

DATA_DIR = Path("var/bench-hostile")
REFUSED_CPU_TARGET_MS = 20.0
RSS_TARGET_MB = 50.0
BODY_LIMIT = 64 * 1024  # the server's default OTONARI_MAX_BODY_BYTES
TRIVIAL = "{ viewer { role } }"


def _fit(prefix: str, unit: str, suffix: str, limit: int) -> str:
    """prefix + unit * n + suffix, as long as fits in `limit` bytes of JSON body."""
    room = limit - len(prefix) - len(suffix) - 200  # the JSON envelope and the variables
    return prefix + unit * max(0, room // len(unit)) + suffix


def _nested(copies: int, depth: int, name: str = "offers") -> str:
    if depth == 0:
        return "id"
    other = "request" if name == "offers" else "offers"
    return " ".join([f"{name} {{ {_nested(copies, depth - 1, other)} }}"] * copies)


# Each shape: i -> (query, variables). `i` makes every document distinct (no cache hit).
Shape = Callable[[int], tuple[str, dict[str, Any]]]
SHAPES: dict[str, Shape] = {
    "trivial": lambda i: (TRIVIAL, {}),  # the same cached document each time: the baseline
    "huge_fields": lambda i: (_fit(f"query Q{i} {{ viewer {{", " role", " } }", BODY_LIMIT), {}),
    "duplicate_fields": lambda i: (f"query Q{i} {{ viewer {{" + " role" * 990 + " } }", {}),
    # The most tokens in the fewest bytes: refused, and small enough to be cached.
    "dense_cached": lambda i: (f"query Q{i} {{ viewer {{" + " a" * 990 + " } }", {}),
    "nested_duplicates": lambda i: (
        f"query Q{i}($id: ID!) {{ request(id: $id) {{ {_nested(2, 7)} }} }}",
        {"id": "U3VwcG9ydFJlcXVlc3Q6MQ"},
    ),
    "repeated_directive": lambda i: (
        f"query Q{i} {{ viewer {{ role" + " @include(if: true)" * 160 + " } }",
        {},
    ),
    "many_fragments": lambda i: (
        f"query Q{i} {{ viewer {{ "
        + " ".join(f"...F{k}" for k in range(120))
        + " } } "
        + " ".join(f"fragment F{k} on Viewer {{ role }}" for k in range(120)),
        {},
    ),
    "conflicting_aliases": lambda i: (
        f"query Q{i} {{ "
        + " ".join(f"a: requests(first: {k}) {{ totalCount }}" for k in range(1, 80))
        + " }",
        {},
    ),
    "syntax_error": lambda i: (_fit(f"query Q{i} {{ viewer {{", " role", "", BODY_LIMIT), {}),
    "deep_json": lambda i: (TRIVIAL, {"x": i, "deep": [[[[]]]]}),  # replaced by raw text below
    "lone_surrogate": lambda i: (TRIVIAL, {"x": i, "name": "\ud800"}),
    "padded": lambda i: (_fit(f"query Q{i} {{ viewer {{ role }} }} #", "x", "", BODY_LIMIT), {}),
    "cacheable": lambda i: (f"query Q{i} {{ viewer {{ role }} }} #" + "x" * 8000, {}),
}
ACCEPTED = frozenset({"trivial", "padded", "cacheable"})
MEMORY_MIX = (
    "huge_fields",
    "padded",
    "cacheable",
    "duplicate_fields",
    "dense_cached",
    "nested_duplicates",
    "syntax_error",
)


def message_text(shape: str, i: int) -> str:
    """The JSON text of one document: the HTTP body or the `subscribe` payload."""
    query, variables = SHAPES[shape](i)
    text = json.dumps({"query": query, "variables": variables})
    if shape == "deep_json":
        text = text.replace("[[[[]]]]", "[" * 5000 + "]" * 5000)
    return text


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


@dataclass
class Transport:
    """Sends one document and waits for its answer; returns a short description of it."""

    name: str
    send: Callable[[str], Awaitable[str]]


def http_transport(http: httpx.AsyncClient) -> Transport:
    async def send(text: str) -> str:
        try:
            response = await http.post(
                "/graphql",
                content=text.encode("utf-8", "surrogatepass"),
                headers={"content-type": "application/json"},
            )
        except httpx.HTTPError as exc:
            return f"dropped ({type(exc).__name__})"
        try:
            body = response.json()
        except ValueError:
            return f"HTTP {response.status_code}"
        if "errors" in body:
            return str(body["errors"][0].get("extensions", {}).get("code", "no code"))
        return "data"

    return Transport("http", send)


class WsSession:
    """One graphql-transport-ws connection, reopened if the server closes it."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.ws: ClientConnection | None = None
        self.n = 0

    async def _open(self) -> ClientConnection:
        ws = await connect(self.url, subprotocols=[Subprotocol("graphql-transport-ws")], max_size=None)
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}})
        )
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        return ws

    async def send(self, text: str) -> str:
        if self.ws is None:
            self.ws = await self._open()
        self.n += 1
        op_id = str(self.n)
        message = '{"id": "' + op_id + '", "type": "subscribe", "payload": ' + text + "}"
        try:
            await self.ws.send(message)
            while True:
                answer = json.loads(await self.ws.recv())
                if answer.get("id") != op_id:
                    continue
                if answer["type"] == "error":
                    return str(answer["payload"][0].get("extensions", {}).get("code", "no code"))
                if answer["type"] == "complete":
                    return "complete, no result"
                if answer["type"] == "next":
                    payload = answer["payload"]
                    if payload.get("errors"):
                        return str(payload["errors"][0].get("extensions", {}).get("code", "no code"))
                    return "data"
        except ConnectionClosed as closed:
            self.ws = None
            return f"closed {closed.rcvd.code if closed.rcvd else 'abnormally'}"

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


@dataclass
class CostRow:
    transport: str
    shape: str
    answers: set[str]
    latencies: list[float]
    cpu_ms: float

    @property
    def p50(self) -> float:
        return 1000 * statistics.median(self.latencies)

    @property
    def worst(self) -> float:
        return 1000 * max(self.latencies)


@dataclass
class MemoryRow:
    transport: str
    docs: int
    start: float  # before the first hostile document of the run
    before: float
    peak: float
    after: float
    answers: dict[str, int] = field(default_factory=dict)
    bystander: list[float] = field(default_factory=list)


async def measure_cost(
    server: ServerProcess, transport: Transport, shape: str, count: int, start: int
) -> CostRow:
    texts = [message_text(shape, start + i) for i in range(count)]
    await transport.send(message_text(shape, start + count))  # warm-up (a new connection, ...)
    meter = CpuMeter({"server": [server.pid]})
    latencies: list[float] = []
    answers: set[str] = set()
    meter.start()
    for text in texts:
        began = time.perf_counter()
        answers.add(await transport.send(text))
        latencies.append(time.perf_counter() - began)
    cpu = meter.stop()["server"]
    return CostRow(transport.name, shape, answers, latencies, 1000 * cpu / count)


async def measure_memory(
    server: ServerProcess,
    transport: Transport,
    bystander: httpx.AsyncClient,
    docs: int,
    start: int,
    start_rss: float,
) -> MemoryRow:
    row = MemoryRow(transport.name, docs, start_rss, rss_mb(server.pid), 0.0, 0.0)
    row.peak = row.before
    done = asyncio.Event()

    async def bystand() -> None:
        while not done.is_set():
            began = time.perf_counter()
            await bystander.post("/graphql", json={"query": TRIVIAL})
            row.bystander.append(time.perf_counter() - began)
            await asyncio.sleep(0.05)

    task = asyncio.create_task(bystand())
    try:
        for i in range(docs):
            shape = MEMORY_MIX[i % len(MEMORY_MIX)]
            answer = await transport.send(message_text(shape, start + i))
            key = f"{shape}: {answer}"
            row.answers[key] = row.answers.get(key, 0) + 1
            if i % 20 == 0:
                row.peak = max(row.peak, rss_mb(server.pid))
    finally:
        done.set()
        await task
    row.after = rss_mb(server.pid)
    row.peak = max(row.peak, row.after)
    return row


def _pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return 1000 * ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--per-shape", type=int, default=50, help="distinct documents per shape (cost part)")
    parser.add_argument(
        "--docs", type=int, default=1000, help="distinct maximal documents per transport (memory)"
    )
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="emptied first, deleted at the end")


async def _run(args: argparse.Namespace) -> int:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    async with fresh_database(args.data_dir) as db:
        env = server_env(db.data_dir, OTONARI_WORKERS="0")
        async with running_server("hostile", env, db.data_dir / "logs") as server:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=120, trust_env=False) as anon:
                reply = await anon.post(
                    "/graphql",
                    json={
                        "query": REGISTER,
                        "variables": {
                            "input": {
                                "displayName": "Bench resident",
                                "languages": ["vi"],
                                "area": "Shinjuku",
                                "contact": "bench@example.org",
                            }
                        },
                    },
                )
                token = reply.json()["data"]["registerResident"]["token"]
            headers = {"Authorization": f"Bearer {token}"}
            http = httpx.AsyncClient(base_url=server.base_url, timeout=120, trust_env=False, headers=headers)
            bystander = httpx.AsyncClient(
                base_url=server.base_url, timeout=120, trust_env=False, headers=headers
            )
            ws = WsSession(server.base_url.replace("http", "ws", 1) + "/graphql", token)
            transports = [http_transport(http), Transport("websocket", ws.send)]
            costs: list[CostRow] = []
            memory: list[MemoryRow] = []
            idle: list[float] = []
            try:
                for _ in range(100):
                    began = time.perf_counter()
                    await bystander.post("/graphql", json={"query": TRIVIAL})
                    idle.append(time.perf_counter() - began)
                start_rss = rss_mb(server.pid)
                serial = 0
                for transport in transports:
                    for shape in SHAPES:
                        serial += args.per_shape + 1
                        costs.append(
                            await measure_cost(server, transport, shape, args.per_shape, serial * 10)
                        )
                        print(f"  {transport.name} {shape}: done", file=sys.stderr)
                for transport in transports:
                    serial += 1
                    memory.append(
                        await measure_memory(
                            server, transport, bystander, args.docs, 10**6 * serial, start_rss
                        )
                    )
                    print(f"  {transport.name} memory: done", file=sys.stderr)
            finally:
                await ws.close()
                await http.aclose()
                await bystander.aclose()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")
    print(render(costs, memory, idle))
    return verdict(costs, memory)


def render(costs: list[CostRow], memory: list[MemoryRow], idle: list[float]) -> str:
    header = f"{'transport':<10} {'shape':<20} {'answer':<28} {'p50 ms':>8} {'max ms':>8}"
    lines = [f"{header} {'server CPU ms/doc':>18}"]
    for row in costs:
        answer = ", ".join(sorted(row.answers))[:28]
        lines.append(
            f"{row.transport:<10} {row.shape:<20} {answer:<28} {row.p50:>8.1f} {row.worst:>8.1f}"
            f" {row.cpu_ms:>18.2f}"
        )
    lines.append("")
    lines.append(
        f"bystander {{ viewer {{ role }} }} on an idle server: p50 {_pct(idle, 0.5):.1f} ms, "
        f"p99 {_pct(idle, 0.99):.1f} ms"
    )
    for mem in memory:
        lines.append(
            f"{mem.transport:<10} {mem.docs} maximal documents: RSS {mem.start:.0f} MB at the start of "
            f"the run, {mem.before:.0f} MB before this part, {mem.peak:.0f} MB at most, "
            f"{mem.after:.0f} MB after ({mem.after - mem.start:+.0f} MB on the start); "
            f"bystander p50 {_pct(mem.bystander, 0.5):.1f} ms, p99 {_pct(mem.bystander, 0.99):.1f} ms"
        )
        lines.append("           answers: " + "; ".join(f"{k} x{v}" for k, v in sorted(mem.answers.items())))
    return "\n".join(lines)


def verdict(costs: list[CostRow], memory: list[MemoryRow]) -> int:
    ok = True
    for row in costs:
        if row.shape in ACCEPTED:
            continue
        if "data" in row.answers:
            print(f"{row.transport} {row.shape}: ACCEPTED (expected a refusal)")
            ok = False
        if row.cpu_ms > REFUSED_CPU_TARGET_MS:
            print(f"{row.transport} {row.shape}: {row.cpu_ms:.1f} ms of server CPU per document: MISSED")
            ok = False
    for mem in memory:
        grown = mem.after - mem.start
        met = grown <= RSS_TARGET_MB
        ok = ok and met
        print(
            f"{mem.transport}: RSS {grown:+.0f} MB on the start of the run, after {mem.docs} documents "
            f"(target <= {RSS_TARGET_MB:g}): {'met' if met else 'MISSED'}"
        )
    print("targets: met" if ok else "targets: MISSED")
    return 0 if ok else 1


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
