"""Every visibility rule: another's request or a staff-only field reads as not found / FORBIDDEN."""

import asyncpg

from tests.flows import REQUEST, register_resident, register_volunteer, submit, verify
from tests.support import Api


async def _codes(
    api: Api, query: str, token: str | None, variables: dict[str, object] | None = None
) -> list[str]:
    body = await api.raw(query, variables, token)
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


async def test_anonymous_callers_get_nothing_but_registration(api: Api) -> None:
    assert await _codes(api, "{ viewer { role } }", None) == ["UNAUTHENTICATED"]
    assert await _codes(api, "{ viewer { role } }", "oto_not-a-real-token") == ["UNAUTHENTICATED"]
    body = await api.gql(
        'mutation { submitRequest(input: {text: "help"}) { request { id } errors { code } } }'
    )
    assert body["submitRequest"] == {"request": None, "errors": [{"code": "UNAUTHENTICATED"}]}


async def test_residents_see_only_their_own_requests(api: Api, db: asyncpg.Connection) -> None:
    alice, _ = await register_resident(api, name="Alice", languages=["en"])
    bob, _ = await register_resident(api, name="Bob", languages=["en"])
    mine = (await submit(api, alice, "Where can I get a health check in Meguro?"))["request"]
    assert (await api.gql(REQUEST, {"id": mine["id"]}, alice))["request"]["id"] == mine["id"]
    # Another resident's request is indistinguishable from a missing one.
    assert (await api.gql(REQUEST, {"id": mine["id"]}, bob))["request"] is None
    assert (await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": mine["id"]}, bob))[
        "node"
    ] is None
    listed = await api.gql("{ requests { totalCount edges { node { id } } } }", token=bob)
    assert listed["requests"]["totalCount"] == 0
    cancel = await api.gql(
        "mutation($id: ID!) { cancelRequest(id: $id) { request { id } errors { code } } }",
        {"id": mine["id"]},
        bob,
    )
    assert cancel["cancelRequest"]["errors"] == [{"code": "NOT_FOUND"}]
    assert await db.fetchval("SELECT status FROM requests") != "CANCELLED"


async def test_staff_only_fields_and_queries(api: Api, staff_token: str) -> None:
    resident, _ = await register_resident(api, languages=["en"])
    request = (await submit(api, resident, "I need help with my pension letter"))["request"]
    for query in (
        "{ reviewQueue { totalCount } }",
        "{ stats { triageAgreement } }",
        "{ volunteers { totalCount } }",
    ):
        assert await _codes(api, query, resident) == ["FORBIDDEN"], query
        assert await _codes(api, query, staff_token) == [], query
    candidates = "query($id: ID!) { request(id: $id) { candidates { score } } }"
    assert await _codes(api, candidates, resident, {"id": request["id"]}) == ["FORBIDDEN"]
    review = await api.gql(
        "mutation($id: ID!) { reviewTriage(input: {requestId: $id, decision: APPROVE}) { errors { code } } }",
        {"id": request["id"]},
        resident,
    )
    assert review["reviewTriage"]["errors"] == [{"code": "FORBIDDEN"}]


async def test_volunteers_start_unverified_and_only_staff_can_vet(api: Api, staff_token: str) -> None:
    volunteer, volunteer_id = await register_volunteer(api)
    me = await api.gql("{ viewer { role volunteer { verified contact } } }", token=volunteer)
    assert me["viewer"] == {
        "role": "VOLUNTEER",
        "volunteer": {"verified": False, "contact": "sato@example.org"},
    }
    vet = "mutation($id: ID!) { setVolunteerVerified(volunteerId: $id, verified: true) { errors { code } } }"
    assert (await api.gql(vet, {"id": volunteer_id}, volunteer))["setVolunteerVerified"]["errors"] == [
        {"code": "FORBIDDEN"}
    ]
    await verify(api, staff_token, volunteer_id)
    me = await api.gql("{ viewer { volunteer { verified } } }", token=volunteer)
    assert me["viewer"]["volunteer"]["verified"] is True


async def test_contact_is_private(api: Api, staff_token: str) -> None:
    _, volunteer_id = await register_volunteer(api)
    resident, resident_id = await register_resident(api, languages=["vi"])
    query = "query($id: ID!) { node(id: $id) { ... on Volunteer { contact } ... on Resident { contact } } }"
    # Not matched: the resident cannot even look the volunteer up; staff see the contact.
    assert (await api.gql(query, {"id": volunteer_id}, resident))["node"] is None
    assert (await api.gql(query, {"id": volunteer_id}, staff_token))["node"]["contact"] == "sato@example.org"
    assert (await api.gql(query, {"id": resident_id}, staff_token))["node"]["contact"] == "lan@example.org"


async def test_tokens_are_stored_only_as_hashes(api: Api, db: asyncpg.Connection) -> None:
    token, _ = await register_resident(api)
    stored = await db.fetch("SELECT token_hash FROM tokens")
    assert len(stored) == 1 and token.encode() not in stored[0]["token_hash"]
    assert len(stored[0]["token_hash"]) == 32
