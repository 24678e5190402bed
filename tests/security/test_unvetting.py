"""Issue 7, item 3: an un-vetted volunteer keeps nothing of their live offers.

`setVolunteerVerified(false)` withdraws their PENDING offers in the same transaction: each
request goes to the next candidate (or back to staff when none is left), with events, and the
volunteer can no longer read the request, accept the offer, or reach the resident's contact.
"""

import asyncpg

from tests.flows import VERIFY
from tests.security.leaks import assert_no_leak
from tests.security.scenario import (
    CLINIC_TEXT,
    READ_OFFER_NODE,
    READ_REQUEST,
    REQUEST_UPDATED,
    RESPOND,
    Helper,
    approved_with_offers,
    everything_readable,
    pending_offer,
)
from tests.security.test_ended_offers import assert_redacted
from tests.support import Api, LiveClient

PRIVATE = [CLINIC_TEXT, "Tuesday morning", "lan@example.org"]


async def _unvet(api: Api, staff: str, helper: Helper) -> None:
    done = await api.gql(VERIFY, {"id": helper.volunteer_id, "v": False}, staff)
    assert done["setVolunteerVerified"] == {
        "volunteer": {"id": helper.volunteer_id, "verified": False},
        "errors": [],
    }


async def _locked_out(api: Api, helper: Helper, request: str) -> None:
    """The volunteer reads the request redacted at most, cannot accept, sees nothing private."""
    assert (await api.gql(READ_REQUEST, {"id": request}, helper.token))["request"] is None
    node = (await api.gql(READ_OFFER_NODE, {"id": helper.offer}, helper.token))["node"]
    assert_redacted(node["request"], helper.offer)
    late = await api.gql(RESPOND, {"id": helper.offer, "accept": True}, helper.token)
    assert late["respondToOffer"]["errors"][0]["code"] == "CONFLICT"
    seen = await everything_readable(api, helper.token, [request, helper.offer])
    for secret in PRIVATE:
        assert_no_leak(secret, list(seen.values()), [helper.contact], where="un-vetted volunteer")


async def test_unvetting_withdraws_live_offers_to_the_next_candidate(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    offered = await approved_with_offers(api, staff_token, 4)
    holder = next(h for h in offered.helpers if h.offer)
    waiting = next(h for h in offered.helpers if not h.offer)
    assert (await api.gql(READ_REQUEST, {"id": offered.request}, holder.token))["request"][
        "text"
    ] == CLINIC_TEXT
    as_holder = await LiveClient.connect(api.base_url, holder.token)
    as_resident = await LiveClient.connect(api.base_url, offered.resident)
    try:
        await as_holder.subscribe(REQUEST_UPDATED, {"id": offered.request})
        await as_resident.subscribe(REQUEST_UPDATED, {"id": offered.request})
        await _unvet(api, staff_token, holder)
        # Done by the time the mutation answers: no PENDING offer left, the next candidate has one.
        assert (
            await db.fetchval("SELECT status FROM offers WHERE id = (SELECT max(id) FROM offers)")
            == "PENDING"
        )
        status = await db.fetchval(
            "SELECT o.status FROM offers o JOIN volunteers v ON v.id = o.volunteer_id WHERE NOT v.verified"
        )
        assert status == "WITHDRAWN"
        assert await pending_offer(api, waiting.token, offered.request)

        last = (await as_holder.next())["payload"]["data"]["requestUpdated"]
        assert last["kind"] == "OFFER_WITHDRAWN"
        assert_redacted(last["request"], holder.offer)
        assert (await as_holder.next())["type"] == "complete"
        kinds = [(await as_resident.next())["payload"]["data"]["requestUpdated"]["kind"] for _ in range(2)]
        assert kinds == ["OFFER_WITHDRAWN", "OFFERED"]
    finally:
        await as_holder.close()
        await as_resident.close()
    await _locked_out(api, holder, offered.request)


async def test_unvetting_the_last_candidate_returns_the_request_to_staff(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    offered = await approved_with_offers(api, staff_token, 1)
    holder = offered.helpers[0]
    await _unvet(api, staff_token, holder)
    back = await api.gql(
        "query($id: ID!) { request(id: $id) { status needsAttention } }", {"id": offered.request}, staff_token
    )
    assert (
        back["request"]["status"] == "IN_REVIEW"
        and "no volunteer candidate left" in back["request"]["needsAttention"]
    )
    kinds = [r["kind"] for r in await db.fetch("SELECT kind FROM events ORDER BY id")]
    assert kinds[-2:] == ["OFFER_WITHDRAWN", "RETURNED_TO_REVIEW"]
    await _locked_out(api, holder, offered.request)


async def test_an_offer_left_to_an_unvetted_volunteer_gives_no_access(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    """Defence in depth: were a PENDING offer ever left to an un-vetted volunteer (a race with a
    concurrent dispatch), it would still give no access and could not be accepted."""
    offered = await approved_with_offers(api, staff_token, 1)
    holder = offered.helpers[0]
    await db.execute("UPDATE volunteers SET verified = false")  # behind the mutation's back
    await _locked_out(api, holder, offered.request)
    assert await db.fetchval("SELECT status FROM offers") == "PENDING"
