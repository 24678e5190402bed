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

from schema import SCHEMA_FILE
from service.config import Settings
from tests.conftest import serve
from tests.flows import register_resident, register_volunteer, submit
from tests.support import Api

FUZZ_SECONDS = float(os.environ.get("OTONARI_FUZZ_SECONDS", "40"))
EXAMPLES_PER_OPERATION = 4

pytestmark = pytest.mark.fuzz


def fuzz(base_url: str, tokens: dict[str, str], markers: tuple[str, ...], deadline: float) -> dict[str, int]:
    """Every operation of the schema, generated cases sent as each role, in rounds until the deadline.
    Returns the number of calls per role; fails at the first 5xx or leak."""
    schema = schemathesis.graphql.from_path(SCHEMA_FILE)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30  # the whole schema, not a handful of fields
    calls = dict.fromkeys(tokens, 0)
    session = requests.Session()

    def run(operation: Any, role: str, round_number: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[role]}"}

        @seed(round_number)
        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            response = case.call(base_url=base_url, session=session, headers=headers)
            calls[role] += 1
            assert response.status_code < 500, (role, case.body, response.status_code, response.text)
            if role != "staff":  # staff may read every request
                for marker in markers:
                    assert marker not in response.text, (role, case.body, response.text)

        call()

    # A first round over everything, whatever the time; then fresh examples until the deadline.
    for round_number in itertools.count():
        for operation in operations:
            for role in tokens:
                if round_number > 0 and time.monotonic() > deadline:
                    return calls
                run(operation, role, round_number)
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
            other, _ = await register_resident(api, f"Other {marker}")
            secret = await submit(api, other, f"My neighbour {marker} keeps shouting at night")
            assert secret["errors"] == []
            tokens = {"staff": staff_token, "resident": resident, "volunteer": volunteer}
            deadline = time.monotonic() + FUZZ_SECONDS
            calls = await asyncio.to_thread(fuzz, base_url, tokens, (marker,), deadline)
            assert min(calls.values()) >= 60, calls
            # The service is still up and the secret request intact.
            assert (await api.client.get("/healthz")).status_code == 200
        finally:
            await api.close()
