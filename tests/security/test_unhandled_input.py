"""Input no handler expected (issue 7, item 8): each gets a clear error with a code, nothing is
written, the server stays up. Real HTTP and WebSocket clients against a real server."""

import base64
import json
from typing import Any

import asyncpg
import pytest

from tests.flows import REGISTER_RESIDENT, SUBMIT, register_resident
from tests.security.wsclient import acked, closed_with, receive, still_answers
from tests.support import Api

RESIDENT_INPUT = {"displayName": "Lan", "languages": ["vi"], "area": "Meguro", "contact": "lan@example.org"}


async def post_raw(api: Api, body: bytes, token: str | None = None) -> tuple[int, dict[str, Any]]:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    response = await api.client.post("/graphql", content=body, headers=headers)
    return response.status_code, response.json()


def code_of(body: dict[str, Any]) -> str:
    code: str = body["errors"][0]["extensions"]["code"]
    return code


async def count(db: asyncpg.Connection, table: str) -> int:
    return int(await db.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed names


async def server_is_up(api: Api, token: str) -> bool:
    return (await api.gql("{ viewer { role } }", token=token))["viewer"]["role"] in {"RESIDENT", "STAFF"}


async def test_deeply_nested_body_is_a_bad_request(api: Api, staff_token: str) -> None:
    status, body = await post_raw(api, b"[" * 5000)
    assert status == 400 and code_of(body) == "BAD_REQUEST"
    assert "nested too deeply" in body["errors"][0]["message"]
    # Nested within an otherwise good request, too.
    nested = b'{"query": "{ viewer { role } }", "variables": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    status, body = await post_raw(api, nested, staff_token)
    assert status == 400 and code_of(body) == "BAD_REQUEST"
    assert await server_is_up(api, staff_token)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"query": "{ viewer { role } }"', "BAD_REQUEST"),  # truncated
        (b"[1, 2, 3]", "BAD_REQUEST"),
        (b'"just a string"', "BAD_REQUEST"),
        (b"12", "BAD_REQUEST"),
        (b'{"query": "\xff\xfe"}', "INVALID_UNICODE"),  # not UTF-8
        (b'{"query": "\xed\xa0\x80"}', "INVALID_UNICODE"),  # a surrogate encoded as UTF-8
        (b'{"query": 5}', "BAD_REQUEST"),
        (b'{"query": "{ viewer { role } }", "variables": [1]}', "BAD_REQUEST"),
    ],
)
async def test_malformed_bodies_are_refused_with_a_code(api: Api, body: bytes, code: str) -> None:
    status, answer = await post_raw(api, body)
    assert status == 400 and code_of(answer) == code, answer


async def test_lone_surrogate_over_http_is_refused_and_nothing_is_written(
    api: Api, db: asyncpg.Connection
) -> None:
    for field in ("displayName", "area", "contact"):
        values = {**RESIDENT_INPUT, field: "Lan \ud800"}
        # json.dumps escapes it as \ud800, exactly as a JavaScript client slicing a string would.
        body = json.dumps({"query": REGISTER_RESIDENT, "variables": {"input": values}}).encode()
        status, answer = await post_raw(api, body)
        assert status == 400 and code_of(answer) == "INVALID_UNICODE"
        assert f"variables.input.{field}" in answer["errors"][0]["message"]
    languages = {**RESIDENT_INPUT, "languages": ["vi", "\udc00"]}
    body = json.dumps({"query": REGISTER_RESIDENT, "variables": {"input": languages}}).encode()
    status, answer = await post_raw(api, body)
    assert status == 400 and "variables.input.languages[1]" in answer["errors"][0]["message"]
    assert await count(db, "accounts") == 0
    # A well-formed pair (an emoji) is text, and welcome.
    ok = await api.gql(REGISTER_RESIDENT, {"input": {**RESIDENT_INPUT, "displayName": "Lan \U0001f600"}})
    assert ok["registerResident"]["errors"] == []


async def test_lone_surrogate_over_websocket_is_that_operations_error(api: Api) -> None:
    resident, _ = await register_resident(api)
    ws = await acked(api.base_url, resident)
    try:
        message = {
            "id": "s1",
            "type": "subscribe",
            "payload": {
                "query": "subscription($id: ID!) { requestUpdated(id: $id) { kind } }",
                "variables": {"id": "\ud800"},
            },
        }
        await ws.send(json.dumps(message))
        error = await receive(ws)
        assert error["type"] == "error" and error["id"] == "s1"
        assert error["payload"][0]["extensions"]["code"] == "INVALID_UNICODE"
        assert await still_answers(ws)
    finally:
        await ws.close()


@pytest.mark.parametrize(
    "key",
    [
        10**30,  # beyond bigint
        -1,
        True,
        "1",
        [1, 2, 3],
        [10**30, 1],
        1.5,
        None,
    ],
)
async def test_hostile_cursors_are_invalid_input(api: Api, staff_token: str, key: Any) -> None:
    resident, _ = await register_resident(api)
    cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
    for token, query in (
        (resident, "query($c: String) { requests(after: $c) { totalCount } }"),
        (staff_token, "query($c: String) { volunteers(after: $c) { totalCount } }"),
        (staff_token, "query($c: String) { reviewQueue(after: $c) { totalCount } }"),
    ):
        body = await api.raw(query, {"c": cursor}, token)
        if key is None:  # `null` is no cursor: the first page
            assert "errors" not in body, body
            continue
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", (query, key, body)


async def test_deep_and_long_cursors_are_invalid_input(api: Api) -> None:
    resident, _ = await register_resident(api)
    for raw in (b"[" * 60 + b"]" * 60, b"[" * 5000, b"1" * 5000, b"9" * 40):
        cursor = base64.urlsafe_b64encode(raw).decode()
        body = await api.raw(
            "query($c: String) { requests(after: $c) { totalCount } }", {"c": cursor}, resident
        )
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", raw[:20]
    assert await server_is_up(api, resident)


async def test_websocket_frame_that_is_not_an_object_closes_with_4400(api: Api) -> None:
    resident, _ = await register_resident(api)
    for frame in ("[1,2,3]", '"hello"', "null", '{"type": 5}', '{"type": "subscribe", "id": 7}', "{"):
        ws = await acked(api.base_url, resident)
        await ws.send(frame)
        code, reason = await closed_with(ws)
        assert code == 4400, (frame, code, reason)
        assert reason
    assert await server_is_up(api, resident)


async def test_websocket_syntax_error_is_an_error_message(api: Api) -> None:
    resident, _ = await register_resident(api)
    ws = await acked(api.base_url, resident)
    try:
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": "subscription{"}}))
        error = await receive(ws)
        assert error["type"] == "error" and error["id"] == "1", error
        assert error["payload"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
        assert "Syntax Error" in error["payload"][0]["message"]
        # The connection stays open, and a good operation on it still works.
        assert await still_answers(ws)
        await ws.send(
            json.dumps({"id": "2", "type": "subscribe", "payload": {"query": "{ viewer { role } }"}})
        )
        result = await receive(ws)
        assert (result["id"], result["type"]) == ("2", "next")
        assert result["payload"]["data"] == {"viewer": {"role": "RESIDENT"}}
    finally:
        await ws.close()


async def test_wrong_variables_and_huge_integers(api: Api, staff_token: str) -> None:
    resident, _ = await register_resident(api)
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("query($n: Int) { requests(first: $n) { totalCount } }", {"n": 10**12}, "INVALID_INPUT"),
        ("query($n: Int) { requests(first: $n) { totalCount } }", {"n": "ten"}, "INVALID_INPUT"),
        ("query($n: Int) { requests(first: $n) { totalCount } }", {"n": [[[1]]]}, "INVALID_INPUT"),
        (
            "query($s: [RequestStatus!]) { requests(status: $s) { totalCount } }",
            {"s": ["NOPE"]},
            "INVALID_INPUT",
        ),
        ("query($id: ID!) { request(id: $id) { id } }", {"id": {"a": 1}}, "INVALID_INPUT"),
        ("query($id: ID!) { request(id: $id) { id } }", {}, "INVALID_INPUT"),
        ("{ requests(first: 99999999999) { totalCount } }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("{ requests(first: 0) { totalCount } }", {}, "INVALID_INPUT"),
        ("{ nope }", {}, "GRAPHQL_VALIDATION_FAILED"),
    ]
    for query, variables, code in cases:
        body = await api.raw(query, variables, resident)
        assert body["errors"][0]["extensions"]["code"] == code, (query, variables, body)
        assert body["errors"][0]["message"] != "Internal error"
    rating = await api.raw(
        'mutation { completeRequest(input: {requestId: "x", rating: 2147483647}) { errors { path code } } }',
        token=resident,
    )
    assert rating["data"]["completeRequest"]["errors"], rating


# Every string argument of the API, with what no handler expected.
HOSTILE_STRINGS = ["a\x00b", "x" * 20_000, "\u202e\u2066", " ", ""]
STRING_ARGUMENTS: list[tuple[str, str, str]] = [
    # (who, operation with $v, the argument)
    ("staff", "query($v: String) { volunteers(area: $v) { totalCount } }", "area"),
    ("staff", "query($v: String) { volunteers(language: $v) { totalCount } }", "language"),
    ("resident", "query($v: ID!) { request(id: $v) { id } }", "id"),
    ("resident", "query($v: ID!) { node(id: $v) { id } }", "id"),
    ("resident", "mutation($v: ID!) { cancelRequest(id: $v) { errors { code } } }", "id"),
    ("resident", "mutation($v: String!) { submitRequest(input: {text: $v}) { errors { code } } }", "text"),
    (
        "resident",
        'mutation($v: String) { submitRequest(input: {text: "help", area: $v}) { errors { code } } }',
        "area",
    ),
    (
        "resident",
        'mutation($v: String) { submitRequest(input: {text: "help", preferredTimes: $v}) { errors { code } } }',
        "preferredTimes",
    ),
    (
        "staff",
        'mutation($v: String) { reviewTriage(input: {requestId: "x", decision: CLOSE, note: $v}) { errors { code } } }',
        "note",
    ),
    (
        "resident",
        'mutation($v: String) { completeRequest(input: {requestId: "x", comment: $v}) { errors { code } } }',
        "comment",
    ),
    (
        "staff",
        "mutation($v: ID!) { setVolunteerVerified(volunteerId: $v, verified: true) { errors { code } } }",
        "id",
    ),
    ("staff", "mutation($v: ID!) { sendOffers(requestId: $v, volunteerIds: []) { errors { code } } }", "id"),
    (
        "volunteer",
        "mutation($v: ID!) { respondToOffer(offerId: $v, accept: true) { errors { code } } }",
        "id",
    ),
    ("volunteer", "mutation($v: String) { updateVolunteer(input: {area: $v}) { errors { code } } }", "area"),
    (
        "volunteer",
        "mutation($v: String) { updateVolunteer(input: {availability: $v}) { errors { code } } }",
        "availability",
    ),
    (
        "volunteer",
        "mutation($v: [String!]) { updateVolunteer(input: {languages: $v}) { errors { code } } }",
        "languages",
    ),
    ("resident", "subscription($v: ID!) { requestUpdated(id: $v) { kind } }", "id"),
]


async def test_every_string_argument_survives_hostile_values(api: Api, staff_token: str) -> None:
    from tests.flows import register_volunteer

    resident, _ = await register_resident(api)
    volunteer, _ = await register_volunteer(api)
    tokens = {"staff": staff_token, "resident": resident, "volunteer": volunteer}
    for who, operation, argument in STRING_ARGUMENTS:
        for value in HOSTILE_STRINGS:
            variables: dict[str, Any] = {"v": [value] if argument == "languages" else value}
            response = await api.client.post(
                "/graphql",
                json={"query": operation, "variables": variables},
                headers={"Authorization": f"Bearer {tokens[who]}"},
            )
            assert response.status_code in (200, 400), (operation, value[:10], response.text[:300])
            text = response.text
            assert "Internal error" not in text, (operation, repr(value[:10]), text[:300])
    assert await server_is_up(api, resident)


async def test_submit_with_nul_changes_nothing(api: Api, db: asyncpg.Connection) -> None:
    resident, _ = await register_resident(api)
    payload = (await api.gql(SUBMIT, {"input": {"text": "help", "area": "a\x00b"}}, resident))[
        "submitRequest"
    ]
    assert payload["errors"][0]["path"] == ["input", "area"]
    assert await count(db, "requests") == 0
