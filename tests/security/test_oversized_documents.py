"""Oversized and expensive documents (issue 7, item 2): refused before parsing or validation,
with a code, over HTTP and WebSocket alike. The cost is measured by `python -m bench hostile`."""

import json
from typing import Any

import pytest
from graphql import parse

from service.documents import (
    CACHE_BYTES,
    CACHE_TOKENS,
    MAX_CACHED_BYTES,
    MAX_FRAGMENTS,
    Checked,
    DocumentCache,
    shape_problems,
)
from tests.flows import register_resident
from tests.security.wsclient import acked, closed_with, receive, still_answers
from tests.support import Api


def nested_duplicates(copies: int, depth: int) -> str:
    """`offers { request { offers ...` with each field written `copies` times at every level:
    the shape whose validation grows as the square of its size."""

    def level(d: int, name: str) -> str:
        if d == 0:
            return "id"
        other = "request" if name == "offers" else "offers"
        return " ".join([f"{name} {{ {level(d - 1, other)} }}"] * copies)

    return "query($id: ID!) { request(id: $id) { " + level(depth, "offers") + " } }"


# (document, code): each is refused before graphql-core validates it.
REFUSED: list[tuple[str, str]] = [
    ("{ viewer {" + " role" * 3000 + " } }", "QUERY_TOO_LARGE"),
    ("{ viewer { role" + " @include(if: true)" * 600 + " } }", "QUERY_TOO_LARGE"),
    ("{ viewer {" + " role" * 4 + " } }", "DUPLICATE_FIELD"),
    ("{ viewer { resident { id } resident { area } } }", "DUPLICATE_FIELD"),
    ("{ viewer { resident { id } ... on Viewer { resident { area } } } }", "DUPLICATE_FIELD"),
    (nested_duplicates(2, 6), "DUPLICATE_FIELD"),
    ("{ a: viewer { role } a: viewer { role } }", "DUPLICATE_FIELD"),
    ("{ viewer { role @include(if: true) @include(if: true) } }", "REPEATED_DIRECTIVE"),
    ("{ viewer { role @a @b @c @d @e } }", "REPEATED_DIRECTIVE"),
    (
        "{ viewer { "
        + " ".join(f"...F{i}" for i in range(MAX_FRAGMENTS + 1))
        + " } } "
        + " ".join(f"fragment F{i} on Viewer {{ role }}" for i in range(MAX_FRAGMENTS + 1)),
        "TOO_MANY_FRAGMENTS",
    ),
    ("{ viewer { role }", "GRAPHQL_PARSE_FAILED"),
    ("{ viewer { nope } }", "GRAPHQL_VALIDATION_FAILED"),
]

# Repetition that real clients write, accepted.
ACCEPTED = [
    "{ viewer { role ... on Viewer { role } } }",
    "{ viewer { role role role } }",
    "{ a: viewer { role } b: viewer { role } }",
    "{ viewer { role @include(if: true) @skip(if: false) } }",
    "query Q($yes: Boolean!) { viewer { ...V @include(if: $yes) } } fragment V on Viewer { role }",
]


@pytest.mark.parametrize(("document", "code"), REFUSED)
def test_shapes_refused_before_validation(document: str, code: str) -> None:
    if code in ("QUERY_TOO_LARGE", "GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"):
        return  # refused by the parser's token limit or by validation proper (below, through the API)
    problems = shape_problems(parse(document))
    assert [p.extensions["code"] for p in problems if p.extensions] == [code]


@pytest.mark.parametrize("document", ACCEPTED)
def test_shapes_clients_write_are_accepted(document: str) -> None:
    assert shape_problems(parse(document)) == []


def test_cache_is_bounded_by_bytes() -> None:
    cache = DocumentCache()
    document = parse("{ viewer { role } }")
    big = "#" * (MAX_CACHED_BYTES + 1)
    cache.put(big, Checked(document, ()))
    assert cache.get(big) is None and cache.size == 0  # too large to keep
    texts = [f"{{ viewer {{ role }} }} # {i:06d}" + " " * 2000 for i in range(1000)]
    for text in texts:
        cache.put(text, Checked(document, ()))
    assert cache.size <= CACHE_BYTES
    assert cache.get(texts[-1]) is not None and cache.get(texts[0]) is None  # least recent left
    assert len(cache) == CACHE_BYTES // len(texts[0])
    # Dense documents (a parsed token weighs ~600 bytes) are bounded by their tokens as well.
    dense = DocumentCache()
    for i in range(200):
        text = f"query Q{i} {{ viewer {{" + " a" * 990 + " } }"
        dense.put(text, Checked(parse(text), ()))
    assert dense.tokens <= CACHE_TOKENS and dense.size < CACHE_BYTES
    assert len(dense) == CACHE_TOKENS // 1000


async def test_refusals_over_http(api: Api) -> None:
    resident, resident_id = await register_resident(api)
    for document, code in REFUSED:
        body = await api.raw(document, {"id": resident_id}, resident)
        assert body.get("data") is None, (document[:60], body)
        assert body["errors"][0]["extensions"]["code"] == code, (document[:60], body["errors"][0])
    for document in ACCEPTED:
        body = await api.raw(document, {"yes": True}, resident)
        assert "errors" not in body, (document, body)


async def test_refusals_over_websocket(api: Api) -> None:
    resident, resident_id = await register_resident(api)
    ws = await acked(api.base_url, resident)
    try:
        for n, (document, code) in enumerate(REFUSED):
            message = {
                "id": str(n),
                "type": "subscribe",
                "payload": {"query": document, "variables": {"id": resident_id}},
            }
            await ws.send(json.dumps(message))
            answer = await receive(ws)
            assert answer["type"] == "error" and answer["id"] == str(n), (document[:60], answer)
            assert answer["payload"][0]["extensions"]["code"] == code, (document[:60], answer)
        assert await still_answers(ws)
    finally:
        await ws.close()


async def test_websocket_message_over_the_body_limit_closes_1009(api: Api) -> None:
    resident, _ = await register_resident(api)
    ws = await acked(api.base_url, resident)
    document = "{ viewer {" + " role" * 20_000 + " } }"  # ~100 KB, over the 64 KiB limit
    message: dict[str, Any] = {"id": "1", "type": "subscribe", "payload": {"query": document}}
    await ws.send(json.dumps(message))
    code, reason = await closed_with(ws)
    assert code == 1009 and "65536" in reason
    # Multi-byte text counts in bytes: 30,000 three-byte characters are ~90 KB.
    ws = await acked(api.base_url, resident)
    await ws.send(
        json.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": "#" + "あ" * 30_000}}, ensure_ascii=False
        )
    )
    code, _ = await closed_with(ws)
    assert code == 1009
    # Just under the limit is parsed (and refused by the token limit, as over HTTP).
    ws = await acked(api.base_url, resident)
    try:
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": "{ viewer {" + " role" * 12_000 + " } }"},
                }
            )
        )
        answer = await receive(ws)
        assert answer["payload"][0]["extensions"]["code"] == "QUERY_TOO_LARGE"
    finally:
        await ws.close()
