"""Fuzzing /graphql with schemathesis (GraphQL: queries and mutations generated from the served
schema) as a staff member, a resident and a volunteer, against the real app on a real
PostgreSQL: no 5xx, and nothing of another resident's ever reaches the resident or volunteer.

Bounded (FUZZ_SECONDS) so that it runs with the suite; `OTONARI_FUZZ_SECONDS` runs it longer."""

import asyncio
import itertools
import os
import time
import uuid
from dataclasses import replace
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from schemathesis.specs.graphql.scalars import CUSTOM_SCALARS

from schema import SCHEMA_FILE
from service.config import Settings
from tests.conftest import serve
from tests.flows import REQUEST, register_resident, register_volunteer, submit
from tests.support import Api

FUZZ_SECONDS = float(os.environ.get("OTONARI_FUZZ_SECONDS", "40"))
EXAMPLES_PER_OPERATION = 4
# The reads that reach a request by id or in a list get more examples: a random selection set
# rarely asks for the text, and these are the doors to another resident's data.
DOORS = {"Query.request": 40, "Query.node": 40, "Query.nodes": 40, "Query.requests": 40}
# Mutations without arguments that end the caller's own session: covered by tests/test_tokens.py.
TOKEN_ENDING = {"Mutation.rotateToken", "Mutation.revokeToken", "Mutation.eraseMe"}

pytestmark = pytest.mark.fuzz


def fuzz(
    base_url: str, tokens: dict[str, str], markers: tuple[str, ...], their_ids: list[str], deadline: float
) -> tuple[dict[str, int], dict[str, int]]:
    """Every operation of the schema, generated cases sent as each role, in rounds until the deadline.
    Returns the calls and the sightings of a marker per role; fails at the first 5xx or leak.

    Every role's reads are given the other resident's real ids among random ones where the
    schema takes an ID: the leak check then tries the doors that exist. Staff may see that
    resident's data and must have (else the check proves nothing); the others never. (Staff
    mutations get random ids only: erasing that resident would take the check's target away.)"""
    schema = schemathesis.graphql.from_path(SCHEMA_FILE)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().label not in TOKEN_ENDING  # they would end the fuzzing role's session
    ]
    ids = st.one_of(st.sampled_from(their_ids), st.text(max_size=40)).map(nodes.String)
    assert len(operations) > 30  # the whole schema, not a handful of fields
    calls = dict.fromkeys(tokens, 0)
    sightings = dict.fromkeys(tokens, 0)
    session = requests.Session()

    def run(operation: Any, role: str, round_number: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[role]}"}
        if role == "staff" and operation.label.startswith("Mutation."):
            CUSTOM_SCALARS.pop("ID", None)
        else:
            schemathesis.graphql.scalar("ID", ids)
        strategy = operation.as_strategy()

        @seed(round_number)
        @given(case=strategy)
        @hypothesis_settings(
            max_examples=DOORS.get(operation.label, EXAMPLES_PER_OPERATION),
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            response = case.call(base_url=f"{base_url}/graphql", session=session, headers=headers)
            calls[role] += 1
            assert response.status_code < 500, (role, case.body, response.status_code, response.text)
            assert response.status_code not in (404, 405), response.text  # it reached /graphql
            if any(marker in response.text for marker in markers):
                # Staff may read every request: their sightings show the fuzzer reaches the data.
                assert role == "staff", (role, case.body, response.text)
                sightings[role] += 1

        call()

    # A first round over everything, whatever the time; then fresh examples until the deadline.
    try:
        for round_number in itertools.count():
            for operation in operations:
                for role in tokens:
                    if round_number > 0 and time.monotonic() > deadline:
                        return calls, sightings
                    run(operation, role, round_number)
    finally:
        CUSTOM_SCALARS.pop("ID", None)
    raise AssertionError("unreachable")


async def test_fuzzing_finds_no_server_error_and_no_leak(
    settings: Settings, triage_engine: Any, staff_token: str
) -> None:
    # Generous limits: the fuzzer is one client calling fast, which the limits would stop early.
    settings = replace(settings, register_rate_per_hour=10_000, submit_rate_per_minute=10_000)
    async with serve(settings, triage_engine, workers=False) as base_url:
        api = Api(base_url)
        try:
            resident, _ = await register_resident(api, "Lan")
            volunteer, _ = await register_volunteer(api)
            # Another resident's request and contact: these words must never reach the fuzzed
            # resident or the volunteer.
            marker = f"zq{uuid.uuid4().hex[:12]}"
            other, other_id = await register_resident(api, f"Other {marker}")
            secret = await submit(api, other, f"My neighbour {marker} keeps shouting at night")
            assert secret["errors"] == []
            tokens = {"staff": staff_token, "resident": resident, "volunteer": volunteer}
            deadline = time.monotonic() + FUZZ_SECONDS
            their_ids = [other_id, secret["request"]["id"]]
            calls, sightings = await asyncio.to_thread(fuzz, base_url, tokens, (marker,), their_ids, deadline)
            assert min(calls.values()) >= 60, calls
            assert sightings["staff"] > 0, sightings
            # The service is still up, and the other resident's request was there all along.
            assert (await api.client.get("/healthz")).status_code == 200
            found = await api.gql(REQUEST, {"id": secret["request"]["id"]}, other)
            assert marker in found["request"]["text"]
        finally:
            await api.close()
