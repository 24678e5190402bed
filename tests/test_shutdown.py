"""A server stops in bounded time whatever its background loops are doing (real PostgreSQL, the
workers inside the server), and a request it was triaging stays queued for the next worker.

CI once waited 300 s for a test server to stop: its event listener, draining notices, lost its
cancellation to Python 3.11's asyncio.wait_for and went on listening, and nothing bounded the wait
for it (service/stopping.py). Each server here must stop within STOP_SECONDS, or serve() fails
the test with where its tasks were."""

import asyncio
import logging
from dataclasses import replace
from urllib.parse import urlsplit

import asyncpg
import pytest

from service.config import Settings
from tests.conftest import serve
from tests.flows import SUBMIT, register_resident
from tests.support import Api, eventually, triage_job_held
from triage.engine import Triage

# A stop takes well under a second; generous for a loaded 2-core machine.
STOP_SECONDS = 20.0

# Notices on every channel a server listens on, as a busy database sends them, still arriving
# while it stops. Payloads are distinct (PostgreSQL folds identical notices of one transaction
# into one); the events channel's name ids of no event, which the listener passes over at once (as
# it does an event it has already published), so it drains them as fast as they come: the moment
# the lost cancellation needed.
NOTICES = """
SELECT pg_notify('otonari_events', (-g)::text), pg_notify('otonari_jobs', g::text),
       pg_notify('otonari_notifications', g::text)
FROM generate_series(1000, 50000) AS g
"""


async def submit_some(url: str, count: int) -> None:
    async with Api(url) as api:
        resident, _ = await register_resident(api)
        for i in range(count):
            payload = (
                await api.gql(SUBMIT, {"input": {"text": f"Where do I renew my visa? ({i})"}}, resident)
            )["submitRequest"]
            assert payload["errors"] == [], payload


def abandoned(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The tasks a stop gave up waiting for (service.stopping logs each, with where it was)."""
    return [
        r.getMessage() for r in caplog.records if r.name == "service.stopping" and r.levelno >= logging.ERROR
    ]


async def test_the_server_stops_in_time_while_notices_pour_in(
    settings: Settings, triage_engine: Triage, db: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    async with serve(settings, triage_engine, stop_within=STOP_SECONDS) as url:
        await submit_some(url, 3)
        await db.execute(NOTICES)
    assert abandoned(caplog) == []


async def test_the_server_stops_in_time_when_its_database_is_gone(
    settings: Settings, triage_engine: Triage, server_url: str, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with serve(settings, triage_engine, stop_within=STOP_SECONDS) as url:
        await submit_some(url, 10)  # the worker is triaging them
        admin = await asyncpg.connect(server_url)
        try:
            await admin.execute(f'DROP DATABASE "{urlsplit(db_url).path.lstrip("/")}" WITH (FORCE)')
        finally:
            await admin.close()
        await asyncio.sleep(2.0)  # its listeners, workers and pool try to reconnect meanwhile
    assert abandoned(caplog) == []


async def test_a_request_being_triaged_when_the_server_stops_stays_queued(
    settings: Settings, triage_engine: Triage, db: asyncpg.Connection
) -> None:
    # The worker takes the job and holds it, in its transaction, when the server stops.
    held = replace(settings, triage_hold_seconds=600.0)
    async with serve(held, triage_engine, stop_within=STOP_SECONDS) as url:
        await submit_some(url, 1)
        await eventually(lambda: triage_job_held(db), timeout=60)
    request_id = await db.fetchval("SELECT id FROM requests")
    assert await db.fetchval("SELECT status FROM requests WHERE id = $1", request_id) == "RECEIVED"
    assert await db.fetchval("SELECT count(*) FROM triage_results") == 0
    # Queued, and free for the next worker: a later server triages it.
    async with serve(settings, triage_engine, stop_within=STOP_SECONDS):
        await eventually(
            lambda: db.fetchval("SELECT status <> 'RECEIVED' FROM requests WHERE id = $1", request_id),
            timeout=60,
        )
    assert await db.fetchval("SELECT count(*) FROM triage_results") == 1
    assert await db.fetchval("SELECT done_at IS NOT NULL FROM triage_jobs WHERE request_id = $1", request_id)
