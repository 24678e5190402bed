"""Query cost, counted before execution: over OTONARI_MAX_QUERY_COST a document is refused with
QUERY_TOO_COMPLEX and its cost before any SQL runs; every response reports its cost."""

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from service.config import Settings
from service.cost import CONNECTION_COST, DEFAULT_LIST_SIZE, LIST_SIZES, OBJECT_COST
from tests.conftest import REPO, serve
from tests.flows import register_resident
from tests.support import Api

if TYPE_CHECKING:
    from triage.engine import Triage

PAGE = """
query Page($first: Int!) {
  requests(first: $first) {
    edges { node { resident { displayName } offers { volunteer { displayName } } } }
  }
}
"""
LIMIT = 500


def page_cost(first: int) -> int:
    """By the documented rule: a connection 2; per edge the edge, its node and the resident 1
    each; the offers of a request (taken as LIST_SIZES of them), each with its volunteer."""
    offers = LIST_SIZES["SupportRequest.offers"] * (OBJECT_COST + OBJECT_COST)
    return CONNECTION_COST + first * (3 * OBJECT_COST + offers)


@pytest.fixture
async def limited_api(settings: Settings, triage_engine: "Triage") -> AsyncIterator[Api]:
    limited = replace(settings, count_statements=True, max_query_cost=LIMIT)
    async with serve(limited, triage_engine, workers=False) as url:
        client = Api(url)
        try:
            yield client
        finally:
            await client.close()


async def test_a_document_over_the_budget_is_refused_before_any_sql(
    limited_api: Api, staff_token: str
) -> None:
    assert page_cost(50) > LIMIT >= page_cost(5)
    response = await limited_api.client.post(
        "/graphql",
        json={"query": PAGE, "variables": {"first": 50}},
        headers={"Authorization": f"Bearer {staff_token}", "Accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert "data" not in body or body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": page_cost(50), "limit": LIMIT}
    assert body["extensions"]["cost"] == {"requested": page_cost(50), "limit": LIMIT}
    assert body["extensions"]["statements"] == 0

    # The same document (cached) with a smaller page runs, and says what it cost.
    ok = await limited_api.raw(PAGE, {"first": 5}, staff_token)
    assert "errors" not in ok, ok
    assert ok["extensions"]["cost"] == {"requested": page_cost(5), "limit": LIMIT}
    assert ok["extensions"]["statements"] > 0


async def test_page_sizes_above_the_maximum_are_still_refused_by_the_field(
    limited_api: Api, staff_token: str
) -> None:
    """Cost counts a page as at most 100 items: `first: 1000` is the field's INVALID_INPUT."""
    body = await limited_api.raw("{ requests(first: 1000) { totalCount } }", token=staff_token)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert body["extensions"]["cost"]["requested"] == CONNECTION_COST


async def test_fragments_defaults_and_introspection(limited_api: Api, staff_token: str) -> None:
    fragment = """
    query Q { requests { ...Page } }
    fragment Page on SupportRequestConnection { edges { node { resident { displayName } } } }
    """
    body = await limited_api.raw(fragment, token=staff_token)
    # No `first`: the argument's default page of 20; edge, node and resident for each.
    assert body["extensions"]["cost"]["requested"] == CONNECTION_COST + 20 * 3 * OBJECT_COST
    schema = await limited_api.raw("{ __schema { types { name fields { name args { name } } } } }")
    assert "errors" not in schema and schema["extensions"]["cost"]["requested"] == 0


async def test_every_response_reports_its_cost_against_the_default_limit(api: Api) -> None:
    token, _ = await register_resident(api)
    viewer = await api.raw("{ viewer { role resident { displayName } } }", token=token)
    assert viewer["extensions"]["cost"] == {"requested": 2, "limit": Settings().max_query_cost}
    assert Settings().max_query_cost == 1000
    mutation = await api.raw(
        'mutation { cancelRequest(id: "nope") { request { id } errors { code } } }', token=token
    )
    # The field and its request 1 each, a list of errors.
    assert mutation["extensions"]["cost"]["requested"] == 2 * OBJECT_COST + DEFAULT_LIST_SIZE * OBJECT_COST
    # Also in the GET form and for a document with no operation to cost (a request error).
    got = await api.client.get("/graphql", params={"query": "{ __typename }"})
    assert got.json()["extensions"]["cost"]["requested"] == 0


def test_the_limit_is_configured_and_checked() -> None:
    assert Settings.from_env({"OTONARI_MAX_QUERY_COST": "250"}).max_query_cost == 250
    for bad in ("0", "-1", "lots"):
        with pytest.raises(ValueError, match="OTONARI_MAX_QUERY_COST"):
            Settings.from_env({"OTONARI_MAX_QUERY_COST": bad})


def test_the_web_apps_documents_fit_the_default_budget() -> None:
    """Every trusted document (the web app's operations) runs under the default limit, with
    pages of 50 where a variable sets the page size."""
    from graphql import parse

    from schema import build_schema
    from service.cost import plan
    from service.validation import MAX_PAGE

    schema = build_schema()._schema
    documents = json.loads((REPO / "schema" / "trusted-documents.json").read_text())
    assert documents
    for text in documents.values():
        document = parse(text)
        steps = plan(schema, document, None)
        assert steps is not None
        variables = {"first": MAX_PAGE // 2}
        cost = sum(step.cost(variables) for step in steps)
        assert cost <= Settings().max_query_cost, (cost, text[:80])
