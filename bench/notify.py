"""`python -m bench notify`: from an offer's commit to its email's acceptance by an SMTP server.

A fresh embedded PostgreSQL (OTONARI_DATA_DIR=var/bench-notify, deleted at the end) holds
--requests open requests and --volunteers vetted volunteers with email contacts. The bench commits
--offers offers (requests x volunteers, one transaction each, through the service's own offer
insertion, so each queues its OFFER_SENT email in that transaction), paced at --rate per second
(open loop; --rate 0: all at once, a burst). One delivery worker runs as its own process
(`python -m bench.notify_worker`, the same NotificationDelivery that `main.py worker` runs, with
OTONARI_NOTIFY_CONCURRENCY lanes), sending to an aiosmtpd server in this process that records the
wall-clock time of each 250 after DATA.

Latency = acceptance time minus the time the offer's transaction returned from COMMIT (both
this process's clock). Every message must arrive, once per Message-ID. Baseline, same run: the
same number of messages rendered and sent straight over one aiosmtplib connection by this
process, without the outbox (what SMTP itself costs here).

Target: p99 < 2 s with one worker, every email received, no duplicates. Exit 1 when missed.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import asyncpg
from aiosmtpd.controller import Controller

from bench.server import REPO, free_port, fresh_database
from db.migrate import migrate
from service.config import SmtpSettings
from service.notifications.email import Email, SmtpSender
from service.notifications.kinds import NotificationKind
from service.notifications.templates import render

DATA_DIR = Path("var/bench-notify")
P99_TARGET_S = 2.0


class Sink:
    """Records the acceptance time of each Message-ID (every copy)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.accepted: list[tuple[str, float]] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default_policy)
        with self._lock:
            self.accepted.append((str(message["Message-ID"]), time.time()))
        return "250 OK"

    def count(self) -> int:
        with self._lock:
            return len(self.accepted)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--rate", type=float, default=100.0, help="offers per second; 0 = all at once")
    parser.add_argument("--lanes", type=int, default=4, help="OTONARI_NOTIFY_CONCURRENCY of the worker")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def _setup(url: str, requests: int, volunteers: int) -> tuple[list[int], list[int]]:
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
        account = await conn.fetchval(
            "INSERT INTO accounts (role, display_name) VALUES ('RESIDENT', 'Lan') RETURNING id"
        )
        resident = await conn.fetchval(
            "INSERT INTO residents (account_id, languages, area, contact)"
            " VALUES ($1, '{vi}', 'Adachi', 'lan@example.org') RETURNING id",
            account,
        )
        request_ids = [
            await conn.fetchval(
                "INSERT INTO requests (resident_id, text, area) VALUES ($1, 'help', 'Adachi') RETURNING id",
                resident,
            )
            for _ in range(requests)
        ]
        volunteer_ids = []
        for i in range(volunteers):
            acc = await conn.fetchval(
                "INSERT INTO accounts (role, display_name) VALUES ('VOLUNTEER', $1) RETURNING id",
                f"Volunteer {i}",
            )
            volunteer_ids.append(
                await conn.fetchval(
                    """INSERT INTO volunteers (account_id, languages, skills, fields, area, availability,
                                               verified, contact)
                       VALUES ($1, '{ja}', 'anything', '{DAILY_LIFE}', 'Adachi', '', true, $2)
                       RETURNING id""",
                    acc,
                    f"v{i}@example.org",
                )
            )
        return request_ids, volunteer_ids
    finally:
        await conn.close()


async def _produce(url: str, pairs: list[tuple[int, int]], rate: float) -> dict[int, float]:
    """Commit one offer per transaction through service.offers; returns offer id -> commit time."""
    from service.offers import _insert_offer  # the service's own: offer, OFFERED event, outbox row

    pool = await asyncpg.create_pool(url, min_size=4, max_size=8)
    committed: dict[int, float] = {}

    async def one(request_id: int, volunteer_id: int) -> None:
        async with pool.acquire() as conn:
            async with conn.transaction():
                await _insert_offer(conn, request_id, volunteer_id, None, 86400.0)
                offer_id = await conn.fetchval(
                    "SELECT id FROM offers WHERE request_id = $1 AND volunteer_id = $2",
                    request_id,
                    volunteer_id,
                )
            committed[offer_id] = time.time()

    try:
        start = time.monotonic()
        tasks = []
        for i, (request_id, volunteer_id) in enumerate(pairs):
            if rate > 0:
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(request_id, volunteer_id)))
        await asyncio.gather(*tasks)
    finally:
        await pool.close()
    return committed


async def _baseline(sink: Sink, count: int) -> list[float]:
    """Render and send `count` messages straight over one connection: SMTP alone, no outbox."""
    sender = SmtpSender(SmtpSettings.parse(f"smtp://127.0.0.1:{sink.port}"), "bench@example.org")
    values = {
        "name": "Volunteer",
        "area": "Adachi",
        "expires_at": "2030-01-01 10:00 JST",
        "answer_url": "https://example.org/volunteer/answer?t=1.x",
        "page_url": "https://example.org/volunteer",
    }
    took = []
    try:
        for i in range(count):
            started = time.perf_counter()
            rendered = render(NotificationKind.OFFER_SENT, ["ja"], values)
            await sender.send(
                Email(("v@example.org",), f"<baseline-{i}@example.org>", rendered, "OFFER_SENT")
            )
            took.append(time.perf_counter() - started)
    finally:
        await sender.close()
    return took


async def _main(args: argparse.Namespace) -> int:
    volunteers = -(-args.offers // args.requests)
    sink = Sink()
    sink._controller.start()
    try:
        async with fresh_database(DATA_DIR) as db:
            request_ids, volunteer_ids = await _setup(db.url, args.requests, volunteers)
            pairs = [(r, v) for v in volunteer_ids for r in request_ids][: args.offers]
            env = {
                **os.environ,
                "DATABASE_URL": db.url,
                "OTONARI_SMTP_URL": f"smtp://127.0.0.1:{sink.port}",
                "OTONARI_MAIL_FROM": "bench@example.org",
                "OTONARI_NOTIFY_CONCURRENCY": str(args.lanes),
            }
            worker = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measured phase
                [sys.executable, "-m", "bench.notify_worker"], cwd=REPO, env=env
            )
            try:
                await asyncio.sleep(2.0)  # the worker connects and listens
                t0 = time.monotonic()
                committed = await _produce(db.url, pairs, args.rate)
                produced_in = time.monotonic() - t0
                deadline = time.monotonic() + 120
                while sink.count() < len(committed) and time.monotonic() < deadline:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                drained_in = time.monotonic() - t0
                await asyncio.sleep(1.0)  # anything sent twice would arrive by now
            finally:
                worker.terminate()
                worker.wait(30)
            conn = await asyncpg.connect(db.url)
            try:
                rows = await conn.fetch(
                    "SELECT offer_id, idempotency_key FROM notifications WHERE kind = 'OFFER_SENT'"
                )
            finally:
                await conn.close()
        from service.notifications.addresses import message_id

        by_mid = {message_id(r["idempotency_key"], "bench@example.org"): r["offer_id"] for r in rows}
        seen: dict[str, float] = {}
        duplicates = 0
        for mid, at in list(sink.accepted):
            if mid in seen:
                duplicates += 1
            else:
                seen[mid] = at
        latencies = [seen[mid] - committed[offer] for mid, offer in by_mid.items() if mid in seen]
        missing = len(committed) - len(latencies)
        baseline = await _baseline(sink, min(args.offers, 1000))
    finally:
        sink._controller.stop()

    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    print(
        f"bench notify: {len(committed)} offers over {args.requests} requests, rate "
        f"{'burst' if args.rate <= 0 else f'{args.rate:g}/s'}, one worker with {args.lanes} lanes"
    )
    print(
        f"  committed in {produced_in:.2f} s; every email accepted after {drained_in:.2f} s "
        f"({len(latencies) / drained_in:.0f} emails/s)"
    )
    print(
        f"  commit -> SMTP acceptance: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms, mean {statistics.mean(latencies) * 1000:.0f} ms"
    )
    print(f"  received {len(latencies)}/{len(committed)}, missing {missing}, duplicates {duplicates}")
    print(
        "  baseline (render + send on one connection, no outbox): "
        f"p50 {percentile(baseline, 50) * 1000:.1f} ms, p99 {percentile(baseline, 99) * 1000:.1f} ms "
        f"per message, {len(baseline) / sum(baseline):.0f} emails/s"
    )
    ok = missing == 0 and duplicates == 0 and p99 < P99_TARGET_S
    print(f"  target p99 < {P99_TARGET_S:g} s, none missing, no duplicates: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_main(args))
