"""Every mutation family is limited per account (issue 9, item 3), in PostgreSQL so that every
server on the database shares the limit; a refusal says when to retry (payload and header)."""

from dataclasses import replace
from typing import Any

import asyncpg
import pytest

from service.accounts import create_staff
from service.config import MUTATION_RATES_PER_HOUR, Settings
from service.rate_limits import MUTATION_FAMILIES
from tests.conftest import free_port, serve
from tests.flows import register_resident, register_volunteer, submit, wait_triaged
from tests.security.test_rate_limits import server
from tests.support import Api, count_embeddings
from triage.engine import Triage

LIMIT = 2
VET = """mutation($id: ID!, $v: Boolean!) {
  setVolunteerVerified(volunteerId: $id, verified: $v) {
    volunteer { id } errors { code reason message retryAfterSeconds params { name value } } } }"""
REVIEW = """mutation($id: ID!) {
  reviewTriage(input: {requestId: $id, decision: CLOSE}) { request { status } errors { code } } }"""


@pytest.fixture
def limited(settings: Settings) -> Settings:
    return replace(settings, mutation_rate_per_hour=dict.fromkeys(MUTATION_FAMILIES, LIMIT))


async def vet(
    api: Api, staff: str, volunteer_id: str, verified: bool = True
) -> tuple[dict[str, Any], str | None]:
    response = await api.client.post(
        "/graphql",
        json={"query": VET, "variables": {"id": volunteer_id, "v": verified}},
        headers={"Authorization": f"Bearer {staff}"},
    )
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["setVolunteerVerified"]
    return payload, response.headers.get("retry-after")


async def test_a_family_over_its_limit_is_refused_with_when_to_retry(
    limited: Settings, triage_engine: Triage, staff_token: str, db_url: str, db: asyncpg.Connection
) -> None:
    async with serve(limited, triage_engine) as base_url:  # with workers: the request gets triaged
        api = Api(base_url)
        _, volunteer_id = await register_volunteer(api)
        resident, _ = await register_resident(api, languages=["en"])
        request = (await submit(api, resident, "I need help with my pension letter"))["request"]["id"]
        await wait_triaged(api, resident, request)
        for _ in range(LIMIT):
            payload, retry_after = await vet(api, staff_token, volunteer_id)
            assert payload["errors"] == [] and retry_after is None
        payload, retry_after = await vet(api, staff_token, volunteer_id, verified=False)
        [error] = payload["errors"]
        assert payload["volunteer"] is None
        assert (error["code"], error["reason"]) == ("RATE_LIMITED", "RATE_LIMITED")
        assert {p["name"]: p["value"] for p in error["params"]}["per"] == "account"
        assert f"{error['retryAfterSeconds']} seconds" in error["message"]  # staff, no language: English
        # GCRA: the next one is allowed an interval (an hour / LIMIT) after the burst.
        assert 0 < error["retryAfterSeconds"] <= 3600 // LIMIT
        assert retry_after == str(error["retryAfterSeconds"])
        # Refused before any work: the volunteer is still vetted.
        assert await db.fetchval("SELECT verified FROM volunteers") is True

        # Another family of the same account is not affected.
        reviewed = (await api.gql(REVIEW, {"id": request}, staff_token))["reviewTriage"]
        assert reviewed == {"request": {"status": "CLOSED"}, "errors": []}

        # Nor is another account in the same family; and a second server on the database
        # sees what the first one counted.
        pool = await asyncpg.create_pool(db_url, min_size=1, max_size=2)
        try:
            colleague = await create_staff(pool, "Staff Suzuki")
        finally:
            await pool.close()
        async with server(replace(limited, port=free_port()), triage_engine) as second:
            payload, _ = await vet(second, staff_token, volunteer_id)
            assert payload["errors"][0]["code"] == "RATE_LIMITED"
            for api_n in (api, second):
                payload, _ = await vet(api_n, colleague, volunteer_id)
                assert payload["errors"] == []
            payload, retry_after = await vet(second, colleague, volunteer_id)
            assert payload["errors"][0]["code"] == "RATE_LIMITED" and retry_after is not None
        await api.close()


async def test_a_refused_profile_update_embeds_nothing(
    limited: Settings, triage_engine: Triage, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_embeddings(triage_engine, monkeypatch)

    update = """mutation($s: String!) { updateVolunteer(input: {skills: $s}) { errors { code } } }"""
    async with server(limited, triage_engine) as api:
        volunteer, _ = await register_volunteer(api)
        for n in range(LIMIT):
            payload = await api.gql(update, {"s": f"Interpreting at hospitals, round {n}"}, volunteer)
            assert payload["updateVolunteer"]["errors"] == []
        embedded = len(calls)
        payload = await api.gql(update, {"s": "Interpreting at hospitals, once more"}, volunteer)
        assert payload["updateVolunteer"]["errors"] == [{"code": "RATE_LIMITED"}]
        assert len(calls) == embedded


def test_every_family_has_a_setting() -> None:
    assert set(MUTATION_FAMILIES) == set(MUTATION_RATES_PER_HOUR)
    assert Settings.from_env({}).mutation_rate_per_hour == MUTATION_RATES_PER_HOUR
    custom = Settings.from_env({"OTONARI_OFFERS_RATE_PER_HOUR": "7"})
    assert custom.mutation_rate_per_hour["offers"] == 7
    assert custom.mutation_rate_per_hour["reviews"] == MUTATION_RATES_PER_HOUR["reviews"]
    for bad in ("0", "-1", "many"):
        with pytest.raises(ValueError, match="OTONARI_REVIEWS_RATE_PER_HOUR"):
            Settings.from_env({"OTONARI_REVIEWS_RATE_PER_HOUR": bad})
