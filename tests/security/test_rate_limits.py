"""Registration rate limits per client address (issue 7, item 4), shared by every server on the
database, checked before a volunteer's skills are embedded; RATE_LIMITED says when to retry."""

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import asyncpg
import pytest

from service import rate_limits
from service.config import Settings
from service.rate_limits import RateRule, client_key
from tests.conftest import free_port, serve
from tests.flows import REGISTER_RESIDENT, REGISTER_VOLUNTEER, SUBMIT, register_resident
from tests.support import Api, count_embeddings
from triage.engine import Triage

LIMIT = 3
REGISTER_WITH_WAIT = REGISTER_RESIDENT.replace(
    "errors { path message code }",
    "errors { path message code reason retryAfterSeconds params { name value } messageLanguage }",
)


def resident_input(n: int) -> dict[str, Any]:
    return {
        "displayName": f"Resident {n}",
        "languages": ["vi"],
        "area": "Adachi",
        "contact": f"r{n}@example.org",
    }


def volunteer_input(n: int) -> dict[str, Any]:
    return {
        "displayName": f"Volunteer {n}",
        "languages": ["vi", "en"],
        "skills": "Hospital visits and interpreting; forms at the ward office",
        "fields": ["MEDICAL"],
        "area": "Adachi",
        "availability": "evenings",
        "contact": f"v{n}@example.org",
    }


async def register(
    api: Api, n: int, headers: dict[str, str] | None = None
) -> tuple[dict[str, Any], str | None]:
    response = await api.client.post(
        "/graphql",
        json={"query": REGISTER_WITH_WAIT, "variables": {"input": resident_input(n)}},
        headers=headers or {},
    )
    payload: dict[str, Any] = response.json()["data"]["registerResident"]
    return payload, response.headers.get("retry-after")


@contextlib.asynccontextmanager
async def server(settings: Settings, engine: Triage) -> AsyncIterator[Api]:
    async with serve(settings, engine, workers=False) as base_url:
        api = Api(base_url)
        try:
            yield api
        finally:
            await api.close()


@pytest.fixture
def limited(settings: Settings) -> Settings:
    return replace(settings, register_rate_per_hour=LIMIT)


async def test_registrations_per_address_are_limited(
    limited: Settings, triage_engine: Triage, db: asyncpg.Connection
) -> None:
    async with server(limited, triage_engine) as api:
        for n in range(LIMIT):
            payload, _ = await register(api, n)
            assert payload["errors"] == [] and payload["token"]
        payload, retry_after = await register(api, 99)
        assert payload["token"] is None
        [error] = payload["errors"]
        assert (error["code"], error["reason"], error["messageLanguage"]) == (
            "RATE_LIMITED",
            "RATE_LIMITED",
            "en",
        )
        params = {p["name"]: p["value"] for p in error["params"]}
        assert (params["limit"], params["windowSeconds"], params["per"]) == (str(LIMIT), "3600", "address")
        assert params["seconds"] == str(error["retryAfterSeconds"]) and params["seconds"] in error["message"]
        # GCRA: the next registration is allowed one interval (an hour / LIMIT) after the burst.
        assert 0 < error["retryAfterSeconds"] <= 3600 // LIMIT
        assert retry_after == str(error["retryAfterSeconds"])
        # Volunteers count against the same limit, and are refused before any embedding.
        volunteer = (await api.gql(REGISTER_VOLUNTEER, {"input": volunteer_input(1)}))["registerVolunteer"]
        assert volunteer["token"] is None and volunteer["errors"][0]["code"] == "RATE_LIMITED"
    assert await db.fetchval("SELECT count(*) FROM accounts") == LIMIT


async def test_invalid_input_is_refused_without_counting(limited: Settings, triage_engine: Triage) -> None:
    async with server(limited, triage_engine) as api:
        for _ in range(LIMIT + 2):
            bad = await api.gql(REGISTER_RESIDENT, {"input": {**resident_input(0), "languages": ["xx"]}})
            assert bad["registerResident"]["errors"][0]["code"] == "INVALID_INPUT"
        payload, _ = await register(api, 1)
        assert payload["errors"] == []


async def test_the_limit_is_shared_by_every_server_on_the_database(
    limited: Settings, triage_engine: Triage
) -> None:
    # Two app instances, each with its own pool and memory, on one database: the limit lives
    # only in PostgreSQL, so what one server counted the other sees.
    other = replace(limited, port=free_port())
    async with server(limited, triage_engine) as first, server(other, triage_engine) as second:
        for n in range(LIMIT):
            payload, _ = await register(first if n % 2 else second, n)
            assert payload["errors"] == []
        for api in (first, second):
            payload, _ = await register(api, 50)
            assert payload["errors"][0]["code"] == "RATE_LIMITED"


async def test_a_refused_volunteer_costs_no_embedding(
    limited: Settings, triage_engine: Triage, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_embeddings(triage_engine, monkeypatch)

    async with server(limited, triage_engine) as api:
        for n in range(LIMIT):
            payload = (await api.gql(REGISTER_VOLUNTEER, {"input": volunteer_input(n)}))["registerVolunteer"]
            assert payload["errors"] == []
        assert len(calls) == LIMIT
        for n in range(5):
            payload = (await api.gql(REGISTER_VOLUNTEER, {"input": volunteer_input(10 + n)}))[
                "registerVolunteer"
            ]
            assert payload["errors"][0]["code"] == "RATE_LIMITED"
        assert len(calls) == LIMIT  # the refused ones embedded nothing


async def test_trusted_proxy_header_names_the_client(limited: Settings, triage_engine: Triage) -> None:
    proxied = replace(limited, trusted_proxy_header="x-forwarded-for")
    async with server(proxied, triage_engine) as api:
        for n in range(LIMIT):
            payload, _ = await register(api, n, {"X-Forwarded-For": "203.0.113.5"})
            assert payload["errors"] == []
        # The proxy appends the address it saw: the last entry is the one to trust.
        spoofed = {"X-Forwarded-For": "198.51.100.1, 203.0.113.5"}
        payload, _ = await register(api, 10, spoofed)
        assert payload["errors"][0]["code"] == "RATE_LIMITED"
        payload, _ = await register(api, 11, {"X-Forwarded-For": "203.0.113.6"})
        assert payload["errors"] == []


async def test_without_a_trusted_proxy_the_header_is_ignored(
    limited: Settings, triage_engine: Triage
) -> None:
    async with server(limited, triage_engine) as api:
        for n in range(LIMIT):
            payload, _ = await register(api, n, {"X-Forwarded-For": f"203.0.113.{n}"})
            assert payload["errors"] == []
        payload, _ = await register(api, 9, {"X-Forwarded-For": "192.0.2.77"})
        assert payload["errors"][0]["code"] == "RATE_LIMITED"  # all from 127.0.0.1


async def test_submit_limit_says_when_to_retry(api: Api) -> None:
    resident, _ = await register_resident(api)
    query = SUBMIT.replace("errors { path message code }", "errors { path message code retryAfterSeconds }")
    for i in range(10):
        assert (await api.gql(query, {"input": {"text": f"question {i}"}}, resident))["submitRequest"][
            "errors"
        ] == []
    response = await api.client.post(
        "/graphql",
        json={"query": query, "variables": {"input": {"text": "one more"}}},
        headers={"Authorization": f"Bearer {resident}"},
    )
    [error] = response.json()["data"]["submitRequest"]["errors"]
    assert error["code"] == "RATE_LIMITED" and 1 <= error["retryAfterSeconds"] <= 60
    assert response.headers["retry-after"] == str(error["retryAfterSeconds"])


async def test_gcra_allows_a_burst_then_one_per_interval(db_url: str) -> None:
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=2)
    try:
        rule = RateRule("test", 4, 2.0)  # 4 per 2 s: one every 0.5 s after a burst of 4
        for _ in range(4):
            await rate_limits.take(pool, rule, "k")
        with pytest.raises(rate_limits.UserErrors) as refused:
            await rate_limits.take(pool, rule, "k")
        wait = refused.value.errors[0].retry_after_seconds
        assert wait == 1  # 0.5 s, rounded up to whole seconds
        await rate_limits.take(pool, rule, "other key")  # keys are independent
        await pool.execute("UPDATE rate_limits SET tat = now() - interval '1 second'")
        await rate_limits.prune(pool)
        assert await pool.fetchval("SELECT count(*) FROM rate_limits") == 0
        await rate_limits.take(pool, rule, "k")  # recovered
    finally:
        await pool.close()


def addresses() -> Iterator[tuple[str | None, dict[str, str], str | None, str]]:
    yield "127.0.0.1", {}, None, "127.0.0.1"
    yield "127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, None, "127.0.0.1"
    yield "127.0.0.1", {"x-forwarded-for": "1.1.1.1, 203.0.113.9"}, "x-forwarded-for", "203.0.113.9"
    yield "127.0.0.1", {"x-real-ip": "203.0.113.9"}, "x-real-ip", "203.0.113.9"
    yield "127.0.0.1", {}, "x-real-ip", "127.0.0.1"  # header missing: the peer
    yield "2001:db8:1:2:3:4:5:6", {}, None, "2001:db8:1:2::/64"
    yield "2001:db8:1:2:ffff::1", {}, None, "2001:db8:1:2::/64"  # same /64, same key
    yield "::ffff:192.0.2.1", {}, None, "192.0.2.1"
    yield None, {}, None, "other:unknown"
    yield "127.0.0.1", {"x-forwarded-for": "garbage"}, "x-forwarded-for", "other:garbage"


@pytest.mark.parametrize(("peer", "headers", "trusted", "key"), list(addresses()))
def test_client_key(peer: str | None, headers: dict[str, str], trusted: str | None, key: str) -> None:
    assert client_key(peer, headers, trusted) == key
