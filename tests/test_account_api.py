"""Tokens, deactivation and the audit log through the API, over real HTTP and WebSocket, with two
server processes: a rotated, revoked, expired or deactivated token is refused by both within a
second, and an open WebSocket signed in with it closes."""

import asyncio
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import websockets

from service.accounts import create_staff
from tests.flows import register_resident
from tests.security.scenario import approved_with_offers
from tests.support import Api, LiveClient, eventually, server_process

VIEWER = "{ viewer { role } }"
ROTATE = "mutation { rotateToken { token expiresAt errors { code message } } }"
REVOKE = "mutation { revokeToken { revoked errors { code message } } }"
DEACTIVATE = """mutation($id: ID!) { deactivateAccount(id: $id) {
  accountId role tokensRevoked offersWithdrawn requestsReturned requestsCancelled errors { path code message } } }"""
OFFER = "query($id: ID!) { node(id: $id) { ... on Offer { status } } }"
AUDIT = """query($first: Int, $after: String, $actor: ID, $subject: ID) {
  auditLog(first: $first, after: $after, actor: $actor, subject: $subject) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id at action actorId actorRole subjectId details { name value } } } } }"""
CONTACT = "query($id: ID!) { node(id: $id) { ... on Resident { contact } ... on Volunteer { contact } } }"
QUEUE_UPDATED = "subscription { reviewQueueUpdated { kind } }"


async def _status(api: Api, token: str) -> str:
    """UNAUTHENTICATED, or the viewer's role."""
    body = await api.raw(VIEWER, token=token)
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"])
    return str(body["data"]["viewer"]["role"])


async def _refused_everywhere(apis: list[Api], token: str) -> bool:
    statuses = await asyncio.gather(*(_status(a, token) for a in apis))
    return all(s == "UNAUTHENTICATED" for s in statuses)


async def _refused_within_a_second(apis: list[Api], token: str, since: float) -> None:
    await eventually(lambda: _refused_everywhere(apis, token), timeout=1.0, interval=0.02)
    assert time.monotonic() - since < 1.0


async def _accepted_everywhere(apis: list[Api], token: str, role: str) -> None:
    for api in apis:
        for _ in range(2):  # the second answer comes from that process's viewer cache
            assert await _status(api, token) == role


async def _closed(client: LiveClient) -> int | None:
    try:
        await asyncio.wait_for(client.ws.recv(), 0.05)
    except TimeoutError:
        return None
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else -1
    return None


async def test_ended_tokens_are_refused_by_every_process_within_a_second(
    api: Api, staff_token: str, db_url: str, data_dir: Path, db: asyncpg.Connection
) -> None:
    offered = await approved_with_offers(api, staff_token, 1)
    helper = offered.helpers[0]
    async with server_process(db_url, data_dir) as remote:
        remote_api = Api(remote)
        apis = [api, remote_api]

        # Rotation: the new token works everywhere at once, the old one stops everywhere.
        old = offered.resident
        await _accepted_everywhere(apis, old, "RESIDENT")
        rotated = (await api.gql(ROTATE, token=old))["rotateToken"]
        started = time.monotonic()
        assert rotated["errors"] == [] and rotated["token"] != old and rotated["expiresAt"]
        await _refused_within_a_second(apis, old, started)
        new = rotated["token"]
        await _accepted_everywhere(apis, new, "RESIDENT")
        again = (await api.gql(ROTATE, token=old))["rotateToken"]
        assert again["token"] is None and again["errors"][0]["code"] == "UNAUTHENTICATED"

        # Sign-out on the other process; a WebSocket signed in with that token on this one closes.
        staff_socket = await LiveClient.connect(api.base_url, staff_token)
        socket = await LiveClient.connect(api.base_url, new)
        revoked = (await remote_api.gql(REVOKE, token=new))["revokeToken"]
        started = time.monotonic()
        assert revoked == {"revoked": True, "errors": []}
        await _refused_within_a_second(apis, new, started)
        assert await eventually(lambda: _closed(socket), timeout=1.0, interval=0.01) == 4401
        assert await _closed(staff_socket) is None  # others stay connected
        again = (await api.gql(REVOKE, token=new))["revokeToken"]
        assert again["revoked"] is None and again["errors"][0]["code"] == "UNAUTHENTICATED"

        # Deactivation of a volunteer holding a live offer: tokens end, the offer is withdrawn.
        await _accepted_everywhere(apis, helper.token, "VOLUNTEER")
        helper_socket = await LiveClient.connect(remote, helper.token)
        done = (await api.gql(DEACTIVATE, {"id": helper.volunteer_id}, staff_token))["deactivateAccount"]
        started = time.monotonic()
        assert done == {
            "accountId": helper.volunteer_id,
            "role": "VOLUNTEER",
            "tokensRevoked": 1,
            "offersWithdrawn": 1,
            "requestsReturned": 0,
            "requestsCancelled": 0,
            "errors": [],
        }
        await _refused_within_a_second(apis, helper.token, started)
        assert await eventually(lambda: _closed(helper_socket), timeout=1.0, interval=0.01) == 4401
        offer = (await api.gql(OFFER, {"id": helper.offer}, staff_token))["node"]
        assert offer == {"status": "WITHDRAWN"}
        twice = (await api.gql(DEACTIVATE, {"id": helper.volunteer_id}, staff_token))["deactivateAccount"]
        assert twice["errors"][0]["code"] == "CONFLICT"

        # Expiry: a staff token with seconds to live stops on both processes when it expires.
        pool = await asyncpg.create_pool(db_url, min_size=1, max_size=2)
        try:
            short = await create_staff(pool, "Short-lived", token_lifetime=timedelta(seconds=3))
        finally:
            await pool.close()
        await _accepted_everywhere(apis, short, "STAFF")
        expiring_socket = await LiveClient.connect(remote, short)
        left = await db.fetchval(
            "SELECT extract(epoch FROM expires_at - now())::float FROM tokens "
            "WHERE account_id = (SELECT id FROM accounts WHERE display_name = 'Short-lived')"
        )
        await asyncio.sleep(max(0.0, left))
        await _refused_within_a_second(apis, short, time.monotonic())
        assert await eventually(lambda: _closed(expiring_socket), timeout=1.0, interval=0.01) == 4401
        await staff_socket.close()
        for client in (socket, helper_socket, expiring_socket):
            await client.close()
        await remote_api.close()


async def test_deactivation_is_for_staff_and_refuses_bad_ids(api: Api, staff_token: str) -> None:
    resident, resident_id = await register_resident(api)
    refused = (await api.gql(DEACTIVATE, {"id": resident_id}, resident))["deactivateAccount"]
    assert refused["accountId"] is None and refused["errors"][0]["code"] == "FORBIDDEN"
    for bad in ("nonsense", "U3VwcG9ydFJlcXVlc3Q6MQ", "UmVzaWRlbnQ6OTk5OQ"):  # a request, no such resident
        missing = (await api.gql(DEACTIVATE, {"id": bad}, staff_token))["deactivateAccount"]
        assert missing["errors"] == [
            {
                "path": ["id"],
                "code": "NOT_FOUND",
                "message": "Not found: it does not exist, or it is not yours to see.",
            }
        ]
    assert await _status(api, resident) == "RESIDENT"
    # A resident's deactivation cancels their unfinished requests.
    done = (await api.gql(DEACTIVATE, {"id": resident_id}, staff_token))["deactivateAccount"]
    assert done["role"] == "RESIDENT" and done["tokensRevoked"] == 1 and done["errors"] == []
    await _refused_within_a_second([api], resident, time.monotonic())


def _details(node: dict[str, Any]) -> dict[str, Any]:
    return {d["name"]: json.loads(d["value"]) for d in node["details"]}


async def test_the_audit_log_lists_staff_actions_and_contact_reads(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    offered = await approved_with_offers(api, staff_token, 2, note="asked for someone patient")
    helper = offered.helpers[0]
    resident_id = await api.gql("{ viewer { resident { id } } }", token=offered.resident)
    resident_id = resident_id["viewer"]["resident"]["id"]

    # Reading one's own contact is not logged; staff reading a resident's is, in that request.
    own = await api.gql(CONTACT, {"id": resident_id}, offered.resident)
    assert own["node"]["contact"] == "lan@example.org"
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'CONTACT_READ'") == 0
    read = await api.gql(CONTACT, {"id": resident_id}, staff_token)
    assert read["node"]["contact"] == "lan@example.org"
    page = (await api.gql(AUDIT, {"subject": resident_id}, staff_token))["auditLog"]
    assert page["totalCount"] == 1
    (entry,) = [e["node"] for e in page["edges"]]
    assert entry["action"] == "CONTACT_READ" and entry["actorRole"] == "STAFF"
    assert _details(entry) == {"field": "Resident.contact"}
    staff_id = entry["actorId"]

    # Everything staff did, newest first, paged; filtered by actor.
    everything = (await api.gql(AUDIT, {"first": 50, "actor": staff_id}, staff_token))["auditLog"]
    actions = [e["node"]["action"] for e in everything["edges"]]
    assert actions[0] == "CONTACT_READ" and actions.count("VETTING") == 2 and "REVIEW" in actions
    assert everything["totalCount"] == len(actions) and not everything["pageInfo"]["hasNextPage"]
    review = next(e["node"] for e in everything["edges"] if e["node"]["action"] == "REVIEW")
    assert review["subjectId"] == offered.request
    assert _details(review)["decision"] == "APPROVE" and _details(review)["field"] == "MEDICAL"
    seen: list[str] = []
    after = None
    while True:
        one = (await api.gql(AUDIT, {"first": 1, "after": after, "actor": staff_id}, staff_token))["auditLog"]
        seen += [e["node"]["id"] for e in one["edges"]]
        if not one["pageInfo"]["hasNextPage"]:
            break
        after = one["pageInfo"]["endCursor"]
    assert seen == [e["node"]["id"] for e in everything["edges"]]
    # A volunteer's actions are theirs only: none are staff actions.
    nobody = (await api.gql(AUDIT, {"actor": helper.volunteer_id}, staff_token))["auditLog"]
    assert nobody["totalCount"] == 0

    # The matched volunteer reading the resident's contact is logged too, with their ID.
    accepted = await api.gql(
        "mutation($id: ID!) { respondToOffer(offerId: $id, accept: true) { errors { code } } }",
        {"id": helper.offer},
        helper.token,
    )
    assert accepted["respondToOffer"]["errors"] == []
    read = await api.gql(CONTACT, {"id": resident_id}, helper.token)
    assert read["node"]["contact"] == "lan@example.org"
    by_helper = (await api.gql(AUDIT, {"actor": helper.volunteer_id}, staff_token))["auditLog"]
    assert [(e["node"]["action"], e["node"]["subjectId"]) for e in by_helper["edges"]] == [
        ("CONTACT_READ", resident_id)
    ]
    # Nothing anyone wrote, no contact.
    dumped = json.dumps(everything)
    assert "patient" not in dumped and "example.org" not in dumped


@pytest.mark.parametrize("role", ["resident", "volunteer"])
async def test_only_staff_read_the_audit_log(api: Api, role: str) -> None:
    from tests.flows import register_volunteer

    token = (await register_resident(api))[0] if role == "resident" else (await register_volunteer(api))[0]
    body = await api.raw(AUDIT, {}, token)
    assert body["data"] is None or body["data"].get("auditLog") is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = await api.raw(AUDIT, {"subject": "not-an-id"}, None)
    assert bad["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_staff_deactivate_another_staff_member_but_not_themselves(
    api: Api, staff_token: str, db_url: str
) -> None:
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=2)
    try:
        colleague = await create_staff(pool, "Colleague Sato")
    finally:
        await pool.close()
    ids = {}
    for token in (staff_token, colleague):
        viewer = (await api.gql("{ viewer { role staffMemberId } }", token=token))["viewer"]
        assert viewer["role"] == "STAFF" and viewer["staffMemberId"]
        ids[token] = viewer["staffMemberId"]
    own = (await api.gql(DEACTIVATE, {"id": ids[staff_token]}, staff_token))["deactivateAccount"]
    assert own["accountId"] is None and own["errors"][0]["code"] == "CONFLICT"
    done = (await api.gql(DEACTIVATE, {"id": ids[colleague]}, staff_token))["deactivateAccount"]
    assert done["role"] == "STAFF" and done["tokensRevoked"] == 1 and done["errors"] == []
    await _refused_within_a_second([api], colleague, time.monotonic())
    resident, _ = await register_resident(api)
    assert (await api.gql("{ viewer { staffMemberId } }", token=resident))["viewer"] == {
        "staffMemberId": None
    }
