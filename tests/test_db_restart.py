"""PostgreSQL stops and starts again while clients submit and subscribe: the service keeps
answering (SERVICE_UNAVAILABLE while the database is down, quickly), its pool and its LISTEN
connection come back by themselves, the live subscriber gets every event exactly once, and
every submission that was answered with success exists."""

import asyncio
import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import websockets

from db.embedded import embedded_database_url, stop_embedded_database
from resolvers.subscriptions import REVIEW_QUEUE_KINDS
from service.accounts import create_staff
from service.config import MUTATION_RATES_PER_HOUR, Settings
from service.ids import to_global_id
from tests.conftest import free_port, serve
from tests.flows import SUBMIT, register_resident
from tests.support import Api, LiveClient, eventually

QUEUE_UPDATED = "subscription { reviewQueueUpdated { eventId kind request { id } } }"
TEXTS = (
    "My landlord wants me to sign a contract I cannot read",
    "How do I register my new address at the ward office?",
    "I need a Vietnamese speaker to come with me to the clinic",
)
# A call while the database is down must be answered, and soon: not hang, not crash.
OUTAGE_ANSWER_SECONDS = 5.0


class Submitter:
    """A resident submitting again and again, sorting the answers."""

    def __init__(self, api: Api, token: str) -> None:
        self.api = api
        self.token = token
        self.accepted: list[str] = []
        self.unavailable = 0
        self.slowest_unavailable = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        n = 0
        while not stop.is_set():
            n += 1
            body = {"query": SUBMIT, "variables": {"input": {"text": f"{TEXTS[n % len(TEXTS)]} ({n})"}}}
            started = time.monotonic()
            response = await self.api.client.post("/graphql", json=body, headers=headers)
            elapsed = time.monotonic() - started
            if response.status_code == 503:
                assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
                assert "Retry-After" in response.headers
                self._unavailable(elapsed)
            else:
                assert response.status_code == 200, response.text
                payload = response.json()["data"]["submitRequest"]
                if payload["errors"]:
                    assert [e["code"] for e in payload["errors"]] == ["SERVICE_UNAVAILABLE"], payload
                    self._unavailable(elapsed)
                else:
                    self.accepted.append(payload["request"]["id"])
            await asyncio.sleep(0.25)  # a few per second: the worker must keep up on a busy machine

    def _unavailable(self, elapsed: float) -> None:
        self.unavailable += 1
        self.slowest_unavailable = max(self.slowest_unavailable, elapsed)


@pytest.fixture
def restartable_db(tmp_path: Path) -> Any:
    """An embedded PostgreSQL of this test's own, so that stopping it disturbs nobody else."""
    data_dir = tmp_path / "pg-restart"
    url = embedded_database_url(data_dir)
    try:
        yield data_dir, url
    finally:
        stop_embedded_database(data_dir)


async def test_postgres_restart_under_load(
    restartable_db: tuple[Path, str], settings: Settings, triage_engine: Any, caplog: pytest.LogCaptureFixture
) -> None:
    pg_dir, url = restartable_db
    caplog.set_level(logging.WARNING, logger="service")
    settings = replace(
        settings,
        database_url=url,
        port=free_port(),
        submit_rate_per_minute=100_000,
        mutation_rate_per_hour={**MUTATION_RATES_PER_HOUR, "requests": 100_000},
        db_acquire_timeout_seconds=2.0,
    )
    async with serve(settings, triage_engine) as base_url:
        api = Api(base_url)
        live: LiveClient | None = None
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
            try:
                staff = await create_staff(pool, "Staff Sato")
            finally:
                await pool.close()
            tokens = [(await register_resident(api, f"Res{i}"))[0] for i in range(3)]
            live = await LiveClient.connect(base_url, staff)
            await live.subscribe(QUEUE_UPDATED)
            received: list[dict[str, Any]] = []

            async def listen() -> None:
                assert live is not None
                while True:
                    message = await live.next(timeout=300)
                    assert message["type"] == "next", message
                    received.append(message["payload"]["data"]["reviewQueueUpdated"])

            listener = asyncio.create_task(listen())
            submitters = [Submitter(api, token) for token in tokens]
            stop = asyncio.Event()
            running = [asyncio.create_task(s.run(stop)) for s in submitters]

            def accepted() -> int:
                return sum(len(s.accepted) for s in submitters)

            async def checked(wanted: int) -> bool:
                for task in (*running, listener):
                    if task.done():
                        task.result()  # a failed assertion in a client: raise it here
                return accepted() >= wanted

            await eventually(lambda: checked(6), timeout=60)
            # Down: fast shutdown ends every session (the pool's, the LISTEN ones).
            await asyncio.to_thread(stop_embedded_database, pg_dir)
            before_outage = accepted()
            await asyncio.sleep(3.0)
            assert sum(s.unavailable for s in submitters) >= 3
            # A new WebSocket cannot be checked now: closed with "try again later".
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await LiveClient.connect(base_url, staff)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
            assert (await api.client.get("/healthz")).status_code == 503
            # Up again, at the same address: nothing is restarted on the service's side.
            assert await asyncio.to_thread(embedded_database_url, pg_dir) == url
            await eventually(lambda: checked(before_outage + 6), timeout=60)
            # The listeners said the outage and its end, in a few lines, not one (or a traceback)
            # per retry (service/outage_log.py).
            for name, what in (
                ("service.events", "event listener"),
                ("service.viewer_cache", "token revocation listener"),
            ):
                said = [r for r in caplog.records if r.name == name]
                assert any(r.getMessage().startswith(f"{what}: reconnected after") for r in said), said
                assert len(said) <= 5 and all(
                    r.levelno == logging.WARNING and not r.exc_info for r in said
                ), said
            stop.set()
            await asyncio.gather(*running)
            assert max(s.slowest_unavailable for s in submitters) < OUTAGE_ANSWER_SECONDS

            ids = [request_id for s in submitters for request_id in s.accepted]
            conn = await asyncpg.connect(url)
            try:
                # No accepted submission is lost.
                stored = {
                    to_global_id("SupportRequest", pk)
                    for pk in await conn.fetchval("SELECT array_agg(id) FROM requests")
                }
                assert set(ids) <= stored
                assert len(set(ids)) == len(ids)

                # Every accepted request gets triaged (the worker came back too) ...
                async def all_triaged() -> bool:
                    left = await conn.fetchval("SELECT count(*) FROM requests WHERE status = 'RECEIVED'")
                    return bool(left == 0)

                await eventually(all_triaged, timeout=240, interval=0.5)

                # ... and the subscriber gets every queue event from its first one on, once.
                first = min(int(event["eventId"]) for event in received) if received else 0
                expected = await conn.fetchval(
                    "SELECT array_agg(id ORDER BY id) FROM events WHERE kind = ANY($1::text[]) AND id >= $2",
                    sorted(REVIEW_QUEUE_KINDS),
                    first,
                )

                async def all_received() -> bool:
                    if listener.done():
                        listener.result()
                    return len(received) >= len(expected)

                await eventually(all_received, timeout=60)
                got = [int(event["eventId"]) for event in received]
                assert len(got) == len(set(got)), "an event came twice"
                assert sorted(got) == expected
            finally:
                await conn.close()
            listener.cancel()
        finally:
            if live is not None:
                await live.close()
            await api.close()
