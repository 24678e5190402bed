"""Bad input: a clear error with path and code, nothing written, the server stays up."""

import asyncpg
import pytest

from tests.flows import REGISTER_RESIDENT, SUBMIT, register_resident
from tests.support import Api


async def _count(db: asyncpg.Connection, table: str) -> int:
    return int(await db.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed table names


@pytest.mark.parametrize(
    ("text", "reason", "message"),
    [
        ("", "BLANK", "must not be empty"),
        ("   ", "BLANK", "must not be empty"),
        ("x" * 4001, "TOO_LONG", "at most 4000"),
        ("a\x00b", "NUL_CHARACTER", "NUL"),
    ],
)
async def test_request_text_limits(
    api: Api, db: asyncpg.Connection, text: str, reason: str, message: str
) -> None:
    resident, _ = await register_resident(api, languages=["en"])
    query = SUBMIT.replace("errors { path message code }", "errors { path message code reason }")
    payload = (await api.gql(query, {"input": {"text": text}}, resident))["submitRequest"]
    assert payload["request"] is None
    [error] = payload["errors"]
    assert error["path"] == ["input", "text"] and error["code"] == "INVALID_INPUT"
    assert error["reason"] == reason and message in error["message"]
    assert await _count(db, "requests") == 0 and await _count(db, "triage_jobs") == 0


async def test_text_of_exactly_4000_characters_is_accepted(api: Api) -> None:
    resident, _ = await register_resident(api)
    payload = (await api.gql(SUBMIT, {"input": {"text": "あ" * 4000}}, resident))["submitRequest"]
    assert payload["errors"] == []


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("languages", ["xx"], ["input", "languages"]),
        ("languages", [], ["input", "languages"]),
        ("area", "  ", ["input", "area"]),
        ("displayName", "n" * 101, ["input", "displayName"]),
        ("contact", "", ["input", "contact"]),
    ],
)
async def test_registration_limits(
    api: Api, db: asyncpg.Connection, field: str, value: object, path: list[str]
) -> None:
    values = {
        "displayName": "Lan",
        "languages": ["vi"],
        "area": "Meguro",
        "contact": "x@example.org",
        field: value,
    }
    payload = (await api.gql(REGISTER_RESIDENT, {"input": values}))["registerResident"]
    assert payload["token"] is None
    assert [(e["path"], e["code"]) for e in payload["errors"]] == [(path, "INVALID_INPUT")]
    assert await _count(db, "accounts") == 0


async def test_every_error_of_one_input_is_reported_at_once(api: Api) -> None:
    values = {"displayName": "", "languages": ["zz"], "area": "", "contact": ""}
    payload = (await api.gql(REGISTER_RESIDENT, {"input": values}))["registerResident"]
    assert {tuple(e["path"]) for e in payload["errors"]} == {
        ("input", "displayName"),
        ("input", "languages"),
        ("input", "area"),
        ("input", "contact"),
    }


async def test_page_size_bounds(api: Api, staff_token: str) -> None:
    for first in (0, 101, -1):
        body = await api.raw(
            "query($n: Int!) { requests(first: $n) { totalCount } }", {"n": first}, staff_token
        )
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    ok = await api.gql("{ requests(first: 100) { totalCount } }", token=staff_token)
    assert ok["requests"]["totalCount"] == 0


async def test_rate_limit_on_submit(api: Api, db: asyncpg.Connection) -> None:
    resident, _ = await register_resident(api)
    for i in range(10):
        assert (await api.gql(SUBMIT, {"input": {"text": f"question {i}"}}, resident))["submitRequest"][
            "errors"
        ] == []
    payload = (await api.gql(SUBMIT, {"input": {"text": "one more"}}, resident))["submitRequest"]
    assert payload["errors"][0]["code"] == "RATE_LIMITED"
    assert await _count(db, "requests") == 10


async def test_query_limits_and_body_size(api: Api, staff_token: str) -> None:
    deep = "{ viewer { resident { requests { edges { node { offers { request { offers { request { offers { request { id } } } } } } } } } } } }"
    body = await api.raw(deep, token=staff_token)
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(20)) + " }"
    body = await api.raw(aliases, token=staff_token)
    assert "aliases" in body["errors"][0]["message"].lower()
    huge = await api.client.post(
        "/graphql",
        content=b'{"query": "' + b"x" * 200_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413
    # ...and the server is still up.
    assert (await api.gql("{ viewer { role } }", token=staff_token))["viewer"]["role"] == "STAFF"


async def test_unknown_ids_are_not_found(api: Api, staff_token: str) -> None:
    for bad in ("nonsense", "U3VwcG9ydFJlcXVlc3Q6OTk5", ""):
        body = await api.gql("query($id: ID!) { request(id: $id) { id } }", {"id": bad}, staff_token)
        assert body["request"] is None
    review = await api.gql(
        'mutation { reviewTriage(input: {requestId: "bogus", decision: CLOSE}) { errors { path code } } }',
        token=staff_token,
    )
    assert review["reviewTriage"]["errors"] == [{"path": ["input", "requestId"], "code": "NOT_FOUND"}]
