"""Refusals are one log line each, with no traceback; one account cannot hold unbounded sockets
or operations (issue 7, item 9). Real server, real HTTP and WebSocket clients."""

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import websockets
from graphql import GraphQLError

from schema import build_schema
from service.config import Settings
from tests.conftest import serve
from tests.flows import register_resident, submit
from tests.security.wsclient import acked, closed_with, open_socket, receive, still_answers
from tests.support import Api, eventually
from triage.engine import Triage

REFUSALS = [
    ("{ viewer { role } }", None, "UNAUTHENTICATED"),
    ("{ stats { triageAgreement } }", "resident", "FORBIDDEN"),
    ("{ viewer { nope } }", "resident", "GRAPHQL_VALIDATION_FAILED"),
    ("{ viewer { role }", "resident", "GRAPHQL_PARSE_FAILED"),
    ("{ viewer {" + " role" * 2000 + " } }", "resident", "QUERY_TOO_LARGE"),
    ("{ viewer { role role role role } }", "resident", "DUPLICATE_FIELD"),
    ('{ requests(after: "bm9wZQ") { totalCount } }', "resident", "INVALID_INPUT"),
    ("query($n: Int) { requests(first: $n) { totalCount } }", "resident", "INVALID_INPUT"),
]


async def test_each_refusal_logs_one_line_without_traceback(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    resident, _ = await register_resident(api)
    for query, who, code in REFUSALS:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            body = await api.raw(query, {"n": "x"}, resident if who else None)
        assert body["errors"][0]["extensions"]["code"] == code
        records = [r for r in caplog.records if r.name.startswith(("otonari", "strawberry"))]
        assert len(records) == 1, (code, [r.getMessage() for r in records])
        [record] = records
        assert record.exc_info is None and record.levelno == logging.INFO, code
        assert code in record.getMessage() and "\n" not in record.getMessage()
        assert len(record.getMessage()) < 300


def test_unexpected_errors_keep_their_traceback(caplog: pytest.LogCaptureFixture) -> None:
    schema = build_schema()
    try:
        raise ValueError("a bug")
    except ValueError as exc:
        error = GraphQLError("a bug", original_error=exc)
    with caplog.at_level(logging.INFO):
        schema.process_errors([error])
    [record] = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is not None


@contextlib.asynccontextmanager
async def limited_server(settings: Settings, engine: Triage) -> AsyncIterator[Api]:
    limited = replace(settings, max_sockets_per_account=2, max_operations_per_socket=2)
    async with serve(limited, engine, workers=False) as base_url:
        api = Api(base_url)
        try:
            yield api
        finally:
            await api.close()


async def test_sockets_per_account_are_capped(settings: Settings, triage_engine: Triage) -> None:
    async with limited_server(settings, triage_engine) as api:
        alice, _ = await register_resident(api, name="Alice")
        bob, _ = await register_resident(api, name="Bob")
        first = await acked(api.base_url, alice)
        second = await acked(api.base_url, alice)
        third = await open_socket(api.base_url, alice)
        code, reason = await closed_with(third)
        assert code == 4429 and "at most 2" in reason
        # Another account is not affected.
        bobs = await acked(api.base_url, bob)
        assert await still_answers(bobs)
        # A closed connection frees its slot.
        await first.close()

        async def reconnect() -> bool:
            ws = await open_socket(api.base_url, alice)
            try:
                answer = json.loads(await ws.recv())
            except websockets.ConnectionClosed:
                return False  # the server has not seen the close yet
            await ws.close()
            return bool(answer["type"] == "connection_ack")

        assert await eventually(reconnect, timeout=10)
        assert await still_answers(second)
        await second.close()
        await bobs.close()


async def test_operations_per_socket_are_capped(settings: Settings, triage_engine: Triage) -> None:
    async with limited_server(settings, triage_engine) as api:
        resident, _ = await register_resident(api)
        created = await submit(api, resident, "Please help me read a letter from the city office")
        subscription = {
            "query": "subscription($id: ID!) { requestUpdated(id: $id) { kind } }",
            "variables": {"id": created["request"]["id"]},
        }
        ws = await acked(api.base_url, resident)
        try:
            for op_id in ("a", "b"):
                await ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": subscription}))
            await ws.send(json.dumps({"id": "c", "type": "subscribe", "payload": subscription}))
            error = await receive(ws)
            assert error["type"] == "error" and error["id"] == "c"
            assert error["payload"][0]["extensions"]["code"] == "TOO_MANY_OPERATIONS"
            # Completing one makes room for another.
            await ws.send(json.dumps({"id": "a", "type": "complete"}))
            await ws.send(
                json.dumps({"id": "d", "type": "subscribe", "payload": {"query": "{ viewer { role } }"}})
            )
            result = await receive(ws)
            assert result["id"] == "d" and result["type"] == "next", result
        finally:
            await ws.close()
