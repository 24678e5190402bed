"""A stuck query cannot hold the service: statement_timeout cuts it, the pool's acquire timeout
bounds the wait for a connection, and callers get SERVICE_UNAVAILABLE (503 + Retry-After when
the whole request failed) while everything else keeps answering."""

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import asyncpg
import httpx
import pytest

from service import i18n
from service.config import Settings
from service.errors import unavailable
from tests.conftest import serve
from tests.flows import REQUEST, SUBMIT, register_resident
from tests.support import Api

VIEWER = "query { viewer { role } }"


@pytest.fixture
async def locker(db_url: str) -> AsyncIterator[asyncpg.Connection]:
    """Another client's connection, to hold locks the service's queries wait for."""
    conn = await asyncpg.connect(db_url)
    try:
        yield conn
    finally:
        await conn.close()


async def post(api: Api, query: str, variables: dict[str, Any], token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await api.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def test_a_query_stuck_on_a_lock_is_cut_and_the_service_keeps_answering(
    settings: Settings, triage_engine: Any, locker: asyncpg.Connection
) -> None:
    settings = replace(settings, db_statement_timeout_ms=500)
    async with serve(settings, triage_engine, workers=False) as base_url, Api(base_url) as api:
        token, _ = await register_resident(api)
        submitted = (await api.gql(SUBMIT, {"input": {"text": "My rent contract is in Japanese"}}, token))[
            "submitRequest"
        ]
        request_id = submitted["request"]["id"]

        async with locker.transaction():
            await locker.execute("LOCK TABLE requests IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            # A mutation: the payload says so, with a Retry-After; nothing was written.
            response = await post(api, SUBMIT, {"input": {"text": "The garbage rules confuse me"}}, token)
            assert response.status_code == 200, response.text
            payload = response.json()["data"]["submitRequest"]
            assert payload["request"] is None
            assert [e["code"] for e in payload["errors"]] == ["SERVICE_UNAVAILABLE"], payload
            assert "statement" not in payload["errors"][0]["message"]  # not the driver's words
            # Told without reading the person's languages (the database is what is stuck).
            assert payload["errors"][0]["message"] == i18n.message(unavailable(), "en")
            assert int(response.headers["Retry-After"]) > 0
            # A query: a field error with the code, no "Internal error", no traceback.
            response = await post(api, REQUEST, {"id": request_id}, token)
            body = response.json()
            assert body["data"] == {"request": None}, body
            assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
            assert "Retry-After" in response.headers
            # Both were cut by the 0.5 s timeout, not by the lock going away.
            assert time.monotonic() - started < 5
            # What does not touch the locked table still answers.
            health = await api.client.get("/healthz")
            assert health.status_code == 200
            assert (await api.gql(VIEWER, {}, token))["viewer"]["role"] == "RESIDENT"

        # The lock is gone: the same calls succeed, and only the first request exists.
        assert (await api.gql(REQUEST, {"id": request_id}, token))["request"]["id"] == request_id
        assert await locker.fetchval("SELECT count(*) FROM requests") == 1
        again = await api.gql(SUBMIT, {"input": {"text": "The garbage rules confuse me"}}, token)
        assert again["submitRequest"]["errors"] == []


async def test_a_request_that_fails_as_a_whole_is_503_with_retry_after(
    settings: Settings, triage_engine: Any, locker: asyncpg.Connection
) -> None:
    settings = replace(settings, db_statement_timeout_ms=500)
    async with serve(settings, triage_engine, workers=False) as base_url, Api(base_url) as api:
        token, _ = await register_resident(api, "Minh")
        async with locker.transaction():
            # The token cannot be looked up: nothing of the request can run.
            await locker.execute("LOCK TABLE tokens IN ACCESS EXCLUSIVE MODE")
            for accept in ("application/json", "application/graphql-response+json"):
                response = await api.client.post(
                    "/graphql",
                    json={"query": VIEWER},
                    headers={"Authorization": f"Bearer {token}", "Accept": accept},
                )
                assert response.status_code == 503, response.text
                assert int(response.headers["Retry-After"]) > 0
                assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert (await api.gql(VIEWER, {}, token))["viewer"]["role"] == "RESIDENT"


async def test_no_free_connection_in_time_is_service_unavailable_not_a_queue(
    settings: Settings, triage_engine: Any, locker: asyncpg.Connection
) -> None:
    # Two pooled connections, both held by queries waiting on a lock (a long statement timeout).
    settings = replace(settings, pool_size=2, db_statement_timeout_ms=30_000, db_acquire_timeout_seconds=0.5)
    async with serve(settings, triage_engine, workers=False) as base_url, Api(base_url) as api:
        token, _ = await register_resident(api, "Ana")
        request_id = (await api.gql(SUBMIT, {"input": {"text": "Where do I get a hanko?"}}, token))[
            "submitRequest"
        ]["request"]["id"]
        async with locker.transaction():
            await locker.execute("LOCK TABLE requests IN ACCESS EXCLUSIVE MODE")
            stuck = [asyncio.create_task(post(api, REQUEST, {"id": request_id}, token)) for _ in range(2)]
            await asyncio.sleep(1.0)  # both now hold a connection, waiting on the lock
            # Each call needing the pool waits 0.5 s at most, then is told to come back.
            started = time.monotonic()
            response = await post(api, VIEWER, {}, token)
            assert response.status_code == 503, response.text
            assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
            response = await api.client.get("/healthz")
            assert response.status_code == 503
            assert "Retry-After" in response.headers
            response = await post(api, SUBMIT, {"input": {"text": "Where do I get a hanko?"}}, token)
            assert response.status_code in (200, 503), response.text
            assert "SERVICE_UNAVAILABLE" in response.text
            assert time.monotonic() - started < 10
        # The lock released, the stuck ones finish normally and the pool is whole again.
        for task in stuck:
            body = (await task).json()
            assert body["data"]["request"]["id"] == request_id, body
        assert (await api.client.get("/healthz")).status_code == 200


def test_the_timeouts_are_configured_and_checked() -> None:
    settings = Settings.from_env(
        {
            "OTONARI_DB_STATEMENT_TIMEOUT_MS": "2500",
            "OTONARI_DB_WORKER_STATEMENT_TIMEOUT_MS": "120000",
            "OTONARI_DB_ACQUIRE_TIMEOUT_SECONDS": "1.5",
        }
    )
    assert settings.db_statement_timeout_ms == 2500
    assert settings.db_worker_statement_timeout_ms == 120_000
    assert settings.db_acquire_timeout_seconds == 1.5
    for name, bad in (
        ("OTONARI_DB_STATEMENT_TIMEOUT_MS", "0"),
        ("OTONARI_DB_STATEMENT_TIMEOUT_MS", "10s"),
        ("OTONARI_DB_WORKER_STATEMENT_TIMEOUT_MS", "99"),
        ("OTONARI_DB_ACQUIRE_TIMEOUT_SECONDS", "0"),
        ("OTONARI_DB_ACQUIRE_TIMEOUT_SECONDS", "-1"),
        ("OTONARI_DB_ACQUIRE_TIMEOUT_SECONDS", "soon"),
    ):
        with pytest.raises(ValueError, match=name):
            Settings.from_env({name: bad})
