"""GraphQL over HTTP (issue 9, point 5): media types, status codes, methods, content types,
operation names and oversized bodies, through real HTTP clients (httpx, urllib) against the real
server on a real PostgreSQL."""

import asyncio
import json
import urllib.error
import urllib.request
from typing import Any

import asyncpg
import httpx

from tests.flows import REGISTER_RESIDENT, register_resident
from tests.support import Api

GQL = "application/graphql-response+json"
ASK_GQL = {"accept": GQL, "content-type": "application/json"}
ASK_JSON = {"accept": "application/json", "content-type": "application/json"}


async def post(api: Api, body: Any, headers: dict[str, str], token: str | None = None) -> httpx.Response:
    if token:
        headers = {**headers, "authorization": f"Bearer {token}"}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await api.client.post("/graphql", content=content, headers=headers)


def media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def code(response: httpx.Response) -> str:
    value: str = response.json()["errors"][0]["extensions"]["code"]
    return value


async def test_the_accept_header_picks_the_media_type(api: Api) -> None:
    query = {"query": "{ __typename }"}
    cases = {
        GQL: GQL,
        "application/json": "application/json",
        "*/*": "application/json",
        f"{GQL}, application/json;q=0.9": GQL,  # what Apollo Client sends
        f"application/json, {GQL}": "application/json",  # first listed wins a tie
        f"application/json;q=0.5, {GQL}": GQL,
        f"{GQL};q=0, application/json": "application/json",
    }
    for accept, expected in cases.items():
        response = await post(api, query, {"accept": accept, "content-type": "application/json"})
        assert response.status_code == 200, (accept, response.text)
        assert media(response) == expected, accept
        assert "charset=utf-8" in response.headers["content-type"]
        assert response.json()["data"] == {"__typename": "Query"}
    no_accept = await api.client.post("/graphql", json=query, headers={"accept": ""})
    assert no_accept.status_code == 200 and media(no_accept) == "application/json"
    refused = await post(api, query, {"accept": "text/plain", "content-type": "application/json"})
    assert refused.status_code == 406 and code(refused) == "NOT_ACCEPTABLE"


async def test_request_errors_are_4xx_in_graphql_response_json_and_200_in_legacy_json(api: Api) -> None:
    documents = {
        "GRAPHQL_PARSE_FAILED": {"query": "{"},
        "GRAPHQL_VALIDATION_FAILED": {"query": "{ noSuchField }"},
        "INVALID_INPUT": {"query": "query($id: ID!) { request(id: $id) { id } }", "variables": {"id": None}},
        "OPERATION_NAME_REQUIRED": {"query": "query A { __typename } query B { __typename }"},
    }
    for expected, body in documents.items():
        modern = await post(api, body, ASK_GQL)
        assert modern.status_code == 400, (expected, modern.text)
        assert media(modern) == GQL and code(modern) == expected
        assert "data" not in modern.json(), "a request error has no data entry"
        legacy = await post(api, body, ASK_JSON)
        assert legacy.status_code == 200, (expected, legacy.text)
        assert media(legacy) == "application/json" and code(legacy) == expected
    # Not a well-formed GraphQL-over-HTTP request: 400 whatever the media type.
    for headers in (ASK_GQL, ASK_JSON):
        for body in (
            b'{"query": ',
            b'{"qeury": "{ __typename }"}',
            b'{"query": "{ __typename }", "variables": [7]}',
        ):
            response = await post(api, body, headers)
            assert response.status_code == 400 and code(response) == "BAD_REQUEST", body


async def test_several_operations_need_an_operation_name_and_it_is_obeyed(api: Api) -> None:
    document = "query A { a: __typename } query B { b: __typename }"
    for name, data in (("A", {"a": "Query"}), ("B", {"b": "Query"})):
        chosen = await post(api, {"query": document, "operationName": name}, ASK_GQL)
        assert chosen.status_code == 200 and chosen.json()["data"] == data
    unnamed = await post(api, {"query": document}, ASK_JSON)
    assert code(unnamed) == "OPERATION_NAME_REQUIRED" and unnamed.json()["data"] is None
    unknown = await post(api, {"query": document, "operationName": "C"}, ASK_GQL)
    assert unknown.status_code == 400 and code(unknown) == "UNKNOWN_OPERATION"


async def test_authentication_and_permission_failures_are_401_and_403(api: Api) -> None:
    resident, _ = await register_resident(api)
    for token in (None, "oto_not-a-real-token"):
        modern = await post(api, {"query": "{ requests { totalCount } }"}, ASK_GQL, token)
        assert modern.status_code == 401 and code(modern) == "UNAUTHENTICATED", modern.text
        assert modern.headers["www-authenticate"] == "Bearer"
        legacy = await post(api, {"query": "{ requests { totalCount } }"}, ASK_JSON, token)
        assert legacy.status_code == 200 and code(legacy) == "UNAUTHENTICATED"
    staff_only = await post(api, {"query": "{ reviewQueue { totalCount } }"}, ASK_GQL, resident)
    assert staff_only.status_code == 403 and code(staff_only) == "FORBIDDEN"
    # Partial data is a 200 even with an error beside it (the spec's MUST).
    partial = await post(
        api, {"query": '{ viewer { role } request(id: "nonsense") { id } }'}, ASK_GQL, resident
    )
    assert partial.status_code == 200 and partial.json()["data"]["viewer"]["role"] == "RESIDENT"


async def test_get_runs_queries_only(api: Api, db: asyncpg.Connection) -> None:
    ok = await api.client.get(
        "/graphql",
        params={
            "query": "query Q($n: String!) { __type(name: $n) { name } }",
            "variables": json.dumps({"n": "Query"}),
        },
        headers={"accept": GQL},
    )
    assert ok.status_code == 200 and ok.json()["data"] == {"__type": {"name": "Query"}}
    mutation = REGISTER_RESIDENT
    variables = {
        "input": {"displayName": "Lan", "languages": ["vi"], "area": "Meguro", "contact": "lan@example.org"}
    }
    refused = await api.client.get("/graphql", params={"query": mutation, "variables": json.dumps(variables)})
    assert refused.status_code == 405 and refused.headers["allow"] == "POST"
    assert code(refused) == "METHOD_NOT_ALLOWED"
    assert await db.fetchval("SELECT count(*) FROM accounts") == 0
    # The mutation of a two-operation document, named by operationName, is refused too.
    both = await api.client.get(
        "/graphql", params={"query": "query A { __typename } mutation B { __typename }", "operationName": "B"}
    )
    assert both.status_code == 405
    bad_variables = await api.client.get("/graphql", params={"query": "{ __typename }", "variables": "[1]"})
    assert bad_variables.status_code == 400 and code(bad_variables) == "BAD_REQUEST"


async def test_other_methods_and_content_types_are_refused(api: Api) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = await api.client.request(method, "/graphql", json={"query": "{ __typename }"})
        assert response.status_code == 405 and response.headers["allow"] == "GET, POST", method
        assert code(response) == "METHOD_NOT_ALLOWED"
    for content_type in (
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
    ):
        headers = {"content-type": content_type} if content_type else {}
        response = await api.client.post("/graphql", content=b'{"query": "{ __typename }"}', headers=headers)
        assert response.status_code == 415 and code(response) == "UNSUPPORTED_MEDIA_TYPE", content_type
    utf8 = await api.client.post(
        "/graphql",
        content=b'{"query": "{ __typename }"}',
        headers={"content-type": "application/json; charset=UTF-8"},
    )
    assert utf8.status_code == 200
    batch = await post(api, [{"query": "{ __typename }"}], ASK_GQL)
    assert batch.status_code == 400 and code(batch) == "BAD_REQUEST"
    subscription = await post(api, {"query": "subscription { reviewQueueUpdated { kind } }"}, ASK_GQL)
    assert subscription.status_code == 400 and code(subscription) == "OPERATION_NOT_SUPPORTED"


async def test_rate_limit_keeps_its_retry_after_header(api: Api) -> None:
    variables = {
        "input": {"displayName": "Lan", "languages": ["vi"], "area": "Meguro", "contact": "lan@example.org"}
    }
    last = None
    for _ in range(25):
        last = await post(api, {"query": REGISTER_RESIDENT, "variables": variables}, ASK_GQL)
    assert last is not None and last.status_code == 200
    assert last.json()["data"]["registerResident"]["errors"][0]["code"] == "RATE_LIMITED"
    assert int(last.headers["retry-after"]) > 0


def _urllib_post(url: str, body: bytes) -> tuple[int, dict[str, Any], str]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our test server
            return response.status, json.loads(response.read()), response.headers.get("Connection", "")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers.get("Connection", "")


async def test_an_8_mb_body_gets_a_413_that_urllib_can_read(api: Api) -> None:
    body = b'{"query": "' + b"x" * (8 * 1024 * 1024) + b'"}'
    status, answer, connection = await asyncio.to_thread(_urllib_post, api.base_url + "/graphql", body)
    assert status == 413, answer
    assert answer["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert connection.lower() == "close"
    # A body just under the limit is read and run; the server is still up.
    status, answer, _ = await asyncio.to_thread(
        _urllib_post, api.base_url + "/graphql", json.dumps({"query": "{ __typename }"}).encode()
    )
    assert status == 200 and answer["data"] == {"__typename": "Query"}


async def test_a_chunked_body_over_the_limit_is_a_413(api: Api) -> None:
    async def chunks() -> Any:
        yield b'{"query": "'
        for _ in range(40):
            yield b"x" * 8192
        yield b'"}'

    response = await api.client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and code(response) == "PAYLOAD_TOO_LARGE"
    assert (await post(api, {"query": "{ __typename }"}, ASK_GQL)).status_code == 200
