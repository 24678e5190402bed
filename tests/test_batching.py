"""Nested objects and lists are read in batches: a page of 50 requests with their residents,
offers and volunteers runs the same SQL statements as a page of 5, counted by the server itself
(OTONARI_COUNT_STATEMENTS: extensions.statements)."""

from typing import TYPE_CHECKING, Any

from tests.seeding import OFFERS_PER_REQUEST, seed
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


async def statements_of(api: Api, query: str, variables: dict[str, Any], token: str) -> tuple[int, Any]:
    body = await api.raw(query, variables, token)
    assert "errors" not in body, body
    return body["extensions"]["statements"], body["data"]


async def test_nested_page_runs_the_same_statements_for_5_and_50(
    counting_api: Api, db_url: str, triage_engine: "Triage", staff_token: str
) -> None:
    seeded = await seed(db_url, triage_engine, 50)
    small, small_data = await statements_of(counting_api, PAGE, {"first": 5}, staff_token)
    large, large_data = await statements_of(counting_api, PAGE, {"first": 50}, staff_token)

    edges = large_data["requests"]["edges"]
    assert len(small_data["requests"]["edges"]) == 5 and len(edges) == 50
    assert {e["node"]["resident"]["displayName"] for e in edges} == seeded.resident_names
    for edge in edges:
        names = sorted(o["volunteer"]["displayName"] for o in edge["node"]["offers"])
        assert names == [f"Volunteer {i}" for i in range(OFFERS_PER_REQUEST)]
    assert small == large, (small, large)
    assert 0 < large <= 8


async def test_volunteer_offers_with_their_requests_are_batched(
    counting_api: Api, db_url: str, triage_engine: "Triage"
) -> None:
    """The live-offer check that decides what a volunteer reads of each request is one batch too."""
    seeded = await seed(db_url, triage_engine, 12)
    query = "{ myOffers { status request { text resident { displayName } } volunteer { displayName } } }"
    count, data = await statements_of(counting_api, query, {}, seeded.volunteer_tokens[0])
    assert len(data["myOffers"]) == 12
    assert {o["request"]["resident"]["displayName"] for o in data["myOffers"]} == seeded.resident_names
    assert all(o["request"]["text"].startswith("help ") for o in data["myOffers"])
    # myOffers, the requests, the live-offer check, the residents, the volunteer: one each.
    assert count <= 6, count


async def test_each_residents_requests_page_is_one_batch(
    counting_api: Api, db_url: str, triage_engine: "Triage", staff_token: str
) -> None:
    """Resident.requests nested in a page: every resident's page comes from one statement."""
    await seed(db_url, triage_engine, 20)
    query = """query($first: Int!) { requests(first: $first) { edges { node { id resident {
        requests(first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage } } } } } } }"""
    small, _ = await statements_of(counting_api, query, {"first": 4}, staff_token)
    large, data = await statements_of(counting_api, query, {"first": 20}, staff_token)
    for edge in data["requests"]["edges"]:
        theirs = edge["node"]["resident"]["requests"]
        # Each seeded resident asked once: their page is that request alone.
        assert theirs["totalCount"] == 1 and [e["node"]["id"] for e in theirs["edges"]] == [
            edge["node"]["id"]
        ]
        assert not theirs["pageInfo"]["hasNextPage"]
    assert small == large <= 5, (small, large)
