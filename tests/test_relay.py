"""Relay paging: backward pages (`last`/`before`) with hasPreviousPage and startCursor on every
connection, offer connections beside the contract's lists, and `nodes` authorized per node."""

from typing import TYPE_CHECKING, Any

import asyncpg

from service.validation import MAX_PAGE
from tests.seeding import OFFERS_PER_REQUEST, seed
from tests.support import Api

if TYPE_CHECKING:
    from triage.engine import Triage

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount"
REQUESTS = f"""
query($first: Int, $after: String, $last: Int, $before: String) {{
  requests(first: $first, after: $after, last: $last, before: $before) {{ edges {{ node {{ id }} }} {PAGE_INFO} }}
}}"""
QUEUE = f"""
query($first: Int, $after: String, $last: Int, $before: String) {{
  reviewQueue(first: $first, after: $after, last: $last, before: $before) {{ edges {{ node {{ id }} }} {PAGE_INFO} }}
}}"""


def ids(connection: dict[str, Any]) -> list[str]:
    return [e["node"]["id"] for e in connection["edges"]]


async def walk(api: Api, query: str, field: str, token: str, size: int, *, backward: bool) -> list[str]:
    """Every id of a connection, page by page, in the connection's order."""
    found: list[str] = []
    cursor = None
    pages = 0
    while True:
        variables = {"last": size, "before": cursor} if backward else {"first": size, "after": cursor}
        page = (await api.gql(query, variables, token))[field]
        info = page["pageInfo"]
        chunk = ids(page)
        assert len(chunk) <= size
        if backward:
            found = chunk + found
            assert info["hasNextPage"] == (pages > 0)
            if not info["hasPreviousPage"]:
                return found
            cursor = info["startCursor"]
        else:
            found += chunk
            assert info["hasPreviousPage"] == (pages > 0)
            if not info["hasNextPage"]:
                return found
            cursor = info["endCursor"]
        assert chunk and info["startCursor"] and info["endCursor"]
        pages += 1


async def test_backward_pages_mirror_forward_ones(
    api: Api, db_url: str, db: asyncpg.Connection, triage_engine: "Triage", staff_token: str
) -> None:
    await seed(db_url, triage_engine, 7)
    forward = await walk(api, REQUESTS, "requests", staff_token, 3, backward=False)
    backward = await walk(api, REQUESTS, "requests", staff_token, 3, backward=True)
    assert len(forward) == 7 and backward == forward
    last_two = (await api.gql(REQUESTS, {"last": 2}, staff_token))["requests"]
    assert ids(last_two) == forward[-2:] and last_two["totalCount"] == 7
    assert last_two["pageInfo"]["hasPreviousPage"] and not last_two["pageInfo"]["hasNextPage"]

    # The review queue's three-part cursor pages backward too.
    await db.execute("UPDATE requests SET status = 'IN_REVIEW'")
    queue_forward = await walk(api, QUEUE, "reviewQueue", staff_token, 2, backward=False)
    queue_backward = await walk(api, QUEUE, "reviewQueue", staff_token, 2, backward=True)
    assert len(queue_forward) == 7 and queue_backward == queue_forward

    volunteers = f"""query($first: Int, $after: String, $last: Int, $before: String) {{
      volunteers(first: $first, after: $after, last: $last, before: $before) {{
        edges {{ node {{ id }} }} {PAGE_INFO} }} }}"""
    by_volunteer = await walk(api, volunteers, "volunteers", staff_token, 2, backward=False)
    assert await walk(api, volunteers, "volunteers", staff_token, 2, backward=True) == by_volunteer
    assert len(by_volunteer) == OFFERS_PER_REQUEST

    bad = await api.raw(REQUESTS, {"last": MAX_PAGE + 1}, staff_token)
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    assert "last" in bad["errors"][0]["message"]


async def test_offer_connections_beside_the_lists(
    counting_api: Api, db_url: str, triage_engine: "Triage", staff_token: str
) -> None:
    seeded = await seed(db_url, triage_engine, 6)
    api = counting_api
    query = f"""{{ requests(first: 6) {{ edges {{ node {{ id
        offers {{ id }}
        offersConnection(first: 2) {{ edges {{ node {{ id volunteer {{ displayName }} }} }} {PAGE_INFO} }}
    }} }} }} }}"""
    body = await api.raw(query, token=staff_token)
    assert "errors" not in body, body
    for edge in body["data"]["requests"]["edges"]:
        listed = [o["id"] for o in edge["node"]["offers"]]
        page = edge["node"]["offersConnection"]
        assert ids(page) == listed[:2] and page["totalCount"] == OFFERS_PER_REQUEST
        assert page["pageInfo"]["hasNextPage"] and not page["pageInfo"]["hasPreviousPage"]
        rest = (
            await api.gql(
                "query($id: ID!, $after: String) { request(id: $id) { offersConnection(after: $after) "
                f"{{ edges {{ node {{ id }} }} {PAGE_INFO} }} }} }}",
                {"id": edge["node"]["id"], "after": page["pageInfo"]["endCursor"]},
                staff_token,
            )
        )["request"]["offersConnection"]
        assert ids(rest) == listed[2:] and not rest["pageInfo"]["hasNextPage"]
    # Every request's page came from one statement: 2 for the page, 1 offers, 1 pages, 1 volunteers.
    assert body["extensions"]["statements"] <= 6

    # A volunteer: their own offers only, newest first, a page at a time, with a status filter.
    volunteer = seeded.volunteer_tokens[0]
    mine = f"""query($last: Int, $before: String, $status: [OfferStatus!]) {{
      myOffersConnection(first: 4, last: $last, before: $before, status: $status) {{
        edges {{ node {{ id status request {{ text }} }} }} {PAGE_INFO} }} }}"""
    page = (await api.gql(mine, {}, volunteer))["myOffersConnection"]
    listed = [o["id"] for o in (await api.gql("{ myOffers { id } }", token=volunteer))["myOffers"]]
    assert ids(page) == listed[:4] and page["totalCount"] == 6
    oldest = (await api.gql(mine, {"last": 2}, volunteer))["myOffersConnection"]
    assert ids(oldest) == listed[-2:] and oldest["pageInfo"]["hasPreviousPage"]
    assert all(e["node"]["request"]["text"].startswith("help ") for e in page["edges"])
    declined = (await api.gql(mine, {"status": ["DECLINED"]}, volunteer))["myOffersConnection"]
    assert declined["totalCount"] == 0 and declined["edges"] == []

    # Volunteer.offersConnection: staff and the volunteer themself; another volunteer gets nothing.
    who = "{ viewer { volunteer { id offersConnection(first: 3) { totalCount edges { node { id } } } } } }"
    own = (await api.gql(who, token=volunteer))["viewer"]["volunteer"]
    assert own["offersConnection"]["totalCount"] == 6 and ids(own["offersConnection"]) == listed[:3]
    other = seeded.volunteer_tokens[1]
    node = f'{{ node(id: "{own["id"]}") {{ ... on Volunteer {{ offersConnection {{ totalCount }} }} }} }}'
    assert (await api.gql(node, token=other))["node"] is None  # not theirs to see at all
    as_staff = (await api.gql(node, token=staff_token))["node"]["offersConnection"]
    assert as_staff["totalCount"] == 6
    # On a request, a volunteer sees only their own offer among its three.
    request_id = (await api.gql("{ requests(first: 1) { edges { node { id } } } }", token=staff_token))[
        "requests"
    ]["edges"][0]["node"]["id"]
    theirs = (
        await api.gql(
            "query($id: ID!) { request(id: $id) { offersConnection { totalCount } } }",
            {"id": request_id},
            other,
        )
    )["request"]["offersConnection"]
    assert theirs["totalCount"] == 1


async def test_nodes_authorizes_each_node_and_is_bounded(
    counting_api: Api, db_url: str, triage_engine: "Triage", staff_token: str
) -> None:
    seeded = await seed(db_url, triage_engine, 30)
    api = counting_api
    page = (await api.gql("{ requests(first: 30) { edges { node { id } } } }", token=staff_token))["requests"]
    request_ids = ids(page)
    offer = (await api.gql("{ myOffers { id } }", token=seeded.volunteer_tokens[0]))["myOffers"][0]["id"]
    query = """query($ids: [ID!]!) { nodes(ids: $ids) {
        id ... on SupportRequest { text resident { displayName } } } }"""

    wanted = [request_ids[0], "bogus", offer, request_ids[1]]
    found = (await api.gql(query, {"ids": wanted}, staff_token))["nodes"]
    assert [n["id"] if n else None for n in found] == [request_ids[0], None, offer, request_ids[1]]

    # A resident sees their own request (the oldest: the last of the page) and nothing else.
    resident = seeded.resident_tokens[0]
    theirs = (await api.gql(query, {"ids": request_ids}, resident))["nodes"]
    assert [n is not None for n in theirs] == [False] * 29 + [True]

    # Batched: 5 or 30 requests with their residents take the same statements.
    few = await api.raw(query, {"ids": request_ids[:5]}, staff_token)
    many = await api.raw(query, {"ids": request_ids}, staff_token)
    assert len(many["data"]["nodes"]) == 30 and all(many["data"]["nodes"])
    assert few["extensions"]["statements"] == many["extensions"]["statements"] <= 3

    too_many = await api.raw(query, {"ids": [request_ids[0]] * (MAX_PAGE + 1)}, staff_token)
    assert too_many["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_the_audit_log_pages_backward_too(
    api: Api, db_url: str, triage_engine: "Triage", staff_token: str
) -> None:
    await seed(db_url, triage_engine, 5)
    # Staff reading five residents' contacts writes five audit entries.
    read = await api.gql("{ requests { edges { node { resident { contact } } } } }", token=staff_token)
    assert all(e["node"]["resident"]["contact"] for e in read["requests"]["edges"])
    audit = f"""query($first: Int, $after: String, $last: Int, $before: String) {{
      auditLog(first: $first, after: $after, last: $last, before: $before) {{
        edges {{ node {{ id }} }} {PAGE_INFO} }} }}"""
    forward = await walk(api, audit, "auditLog", staff_token, 2, backward=False)
    assert len(forward) >= 5
    assert await walk(api, audit, "auditLog", staff_token, 2, backward=True) == forward
