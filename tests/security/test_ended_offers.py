"""Issue 7, items 5 and 7: what a volunteer reads once their offer or their match has ended.

Item 5: an ended offer shows the volunteer only its own status and times; the request behind it
is redacted (id, status and times only). Item 7: reading rights follow the offer's expiry time,
not the expiry sweep; a resident who cancels ends the matched volunteer's access to the text and
to the contact.
"""

from typing import Any

import asyncpg

from service.config import Settings
from tests.conftest import serve
from tests.security.leaks import assert_no_leak, strings_in
from tests.security.scenario import (
    CANCEL,
    CLINIC_TEXT,
    OFFER_FIELDS,
    READ_OFFER_NODE,
    READ_REQUEST,
    REQUEST_UPDATED,
    RESPOND,
    approved_with_offers,
    everything_readable,
)
from tests.support import Api, LiveClient
from triage.engine import Triage

MY_OFFERS_FULL = f"{{ myOffers {OFFER_FIELDS} }}"
# Everything the resident wrote or that was derived from it, and the people involved.
PRIVATE = [CLINIC_TEXT, "Tuesday morning", "lan@example.org", "helper0@example.org"]


def assert_redacted(request: dict[str, Any], own_offer: str) -> None:
    """The shape of a request behind an ended offer: only id, status and times are real."""
    # Besides id, status and times: their own offer (list and connection), whether they completed it.
    kept = {"id", "status", "createdAt", "updatedAt", "offers", "offersConnection", "viewerCompleted"}
    assert {k: v for k, v in request.items() if k not in kept} == {
        "text": "",
        "area": "",
        "triage": None,
        "review": None,
        "field": None,
        "urgency": None,
        "emergencyAdvice": None,
        "preferredTimes": None,
        "assignedVolunteer": None,
        "resident": None,
        "lastEventId": None,
    }
    assert [o["id"] for o in request["offers"]] == [own_offer]  # their own offer, nobody else's
    assert [e["node"]["id"] for e in request["offersConnection"]["edges"]] == [own_offer]


async def test_an_ended_offer_shows_only_its_status_and_times(api: Api, staff_token: str) -> None:
    offered = await approved_with_offers(api, staff_token, 3)
    winner, withdrawn, declined = offered.helpers
    no = await api.gql(RESPOND, {"id": declined.offer, "accept": False}, declined.token)
    assert no["respondToOffer"]["errors"] == []
    # Still live for the others: the whole request, resident included (positive control).
    live = (await api.gql(READ_OFFER_NODE, {"id": withdrawn.offer}, withdrawn.token))["node"]
    assert live["request"]["text"] == CLINIC_TEXT and live["request"]["resident"]["displayName"] == "Lan"
    yes = await api.gql(RESPOND, {"id": winner.offer, "accept": True}, winner.token)
    assert yes["respondToOffer"]["errors"] == []

    for helper, status in ((withdrawn, "WITHDRAWN"), (declined, "DECLINED")):
        offers = (await api.gql(MY_OFFERS_FULL, token=helper.token))["myOffers"]
        node = (await api.gql(READ_OFFER_NODE, {"id": helper.offer}, helper.token))["node"]
        for offer in (offers[0], node):
            assert offer["status"] == status and offer["createdAt"] and offer["expiresAt"]
            assert offer["respondedAt"]
            assert_redacted(offer["request"], helper.offer)
            assert offer["request"]["status"] == "MATCHED"
            # Neither the winner's name nor the resident's appears in it, nor the area.
            names = " ".join(strings_in(offer["request"]))
            assert "Helper 0" not in names and "Lan" not in names
            for secret in [*PRIVATE, "Katsushika"]:
                # (their own offer's volunteer is themselves: their contact is theirs to read)
                assert_no_leak(secret, offer["request"], [helper.contact], where=f"{status} offer")
        assert (await api.gql(READ_REQUEST, {"id": offered.request}, helper.token))["request"] is None


async def test_reading_rights_end_at_the_expiry_time_even_before_the_sweep(
    settings: Settings, triage_engine: Triage, staff_token: str, db: asyncpg.Connection
) -> None:
    async with serve(settings, triage_engine) as base_url:
        api = Api(base_url)
        try:
            offered = await approved_with_offers(api, staff_token, 1)
        finally:
            await api.close()
    helper = offered.helpers[0]
    # Served again without workers: no expiry sweep runs. The offer's time is up all the same.
    async with serve(settings, triage_engine, workers=False) as base_url:
        api = Api(base_url)
        try:
            before = await api.gql(READ_REQUEST, {"id": offered.request}, helper.token)
            assert before["request"]["text"] == CLINIC_TEXT
            await db.execute("UPDATE offers SET expires_at = now() - interval '1 second'")
            assert (await api.gql(READ_REQUEST, {"id": offered.request}, helper.token))["request"] is None
            node = (await api.gql(READ_OFFER_NODE, {"id": helper.offer}, helper.token))["node"]
            assert node["status"] == "PENDING"  # the sweep has not run...
            assert_redacted(node["request"], helper.offer)  # ...and the text is gone anyway
            seen = await everything_readable(api, helper.token, [offered.request, helper.offer])
            for secret in PRIVATE:
                assert_no_leak(secret, list(seen.values()), [helper.contact], where="expired offer")
            late = await api.gql(RESPOND, {"id": helper.offer, "accept": True}, helper.token)
            assert late["respondToOffer"]["errors"][0]["code"] == "CONFLICT"
        finally:
            await api.close()
    assert await db.fetchval("SELECT status FROM offers") == "PENDING"


async def test_cancelling_ends_the_matched_volunteers_access(api: Api, staff_token: str) -> None:
    offered = await approved_with_offers(api, staff_token, 1)
    helper = offered.helpers[0]
    accepted = await api.gql(RESPOND, {"id": helper.offer, "accept": True}, helper.token)
    assert accepted["respondToOffer"]["errors"] == []
    matched = (await api.gql(READ_REQUEST, {"id": offered.request}, helper.token))["request"]
    assert matched["text"] == CLINIC_TEXT and matched["resident"]["contact"] == "lan@example.org"
    resident_id = matched["resident"]["id"]

    live = await LiveClient.connect(api.base_url, helper.token)
    try:
        await live.subscribe(REQUEST_UPDATED, {"id": offered.request})
        cancelled = await api.gql(CANCEL, {"id": offered.request}, offered.resident)
        assert cancelled["cancelRequest"]["request"]["status"] == "CANCELLED"
        last = await live.next()
        assert last["type"] == "next", last
        event = last["payload"]["data"]["requestUpdated"]
        assert event["kind"] == "CANCELLED" and event["request"]["status"] == "CANCELLED"
        assert_redacted(event["request"], helper.offer)
        assert (await live.next())["type"] == "complete"  # no more events for them
    finally:
        await live.close()

    seen = await everything_readable(api, helper.token, [offered.request, helper.offer, resident_id])
    assert seen[f"request {offered.request}"]["data"]["request"] is None
    assert seen[f"node {resident_id}"]["data"]["node"] is None
    assert seen["lists"]["data"]["requests"]["totalCount"] == 0
    assert_redacted(seen[f"offer {helper.offer}"]["data"]["node"]["request"], helper.offer)
    for secret in PRIVATE[:3]:  # text, times, the resident's contact
        assert_no_leak(secret, list(seen.values()), [helper.contact], where="after cancellation")
    # The resident no longer sees the volunteer's contact either.
    mine = (await api.gql(READ_REQUEST, {"id": offered.request}, offered.resident))["request"]
    assert mine["assignedVolunteer"]["contact"] is None
